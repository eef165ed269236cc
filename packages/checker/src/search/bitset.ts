// The set of linearized operations, with a Zobrist hash kept up to date on every change:
// each op owns two fixed random words, and the set's hash is the XOR of its members' words,
// so setting or clearing a bit costs O(1) instead of rehashing the whole set.
import { mix32 } from "../util/hash.js";

export class LinearizedSet {
  readonly words: Uint32Array;
  hashLo = 0;
  hashHi = 0;
  private readonly zobristLo: Int32Array;
  private readonly zobristHi: Int32Array;

  constructor(size: number) {
    this.words = new Uint32Array(Math.max(1, Math.ceil(size / 32)));
    this.zobristLo = new Int32Array(size);
    this.zobristHi = new Int32Array(size);
    // Fixed, well-mixed values per index; derived, not random, so runs are repeatable.
    for (let i = 0; i < size; i++) {
      this.zobristLo[i] = mix32(Math.imul(i + 1, 0x9e3779b1) ^ 0x68e31da4);
      this.zobristHi[i] = mix32(Math.imul(i + 1, 0x85ebca77) ^ 0x1b56c4e9);
    }
  }

  set(index: number): void {
    this.words[index >>> 5]! |= 1 << (index & 31);
    this.hashLo ^= this.zobristLo[index]!;
    this.hashHi ^= this.zobristHi[index]!;
  }

  clear(index: number): void {
    this.words[index >>> 5]! &= ~(1 << (index & 31));
    this.hashLo ^= this.zobristLo[index]!;
    this.hashHi ^= this.zobristHi[index]!;
  }
}
