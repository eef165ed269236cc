// The set of linearized operations, with Zobrist hashes kept up to date on every change: each
// op owns fixed random words, and a hash is the XOR of its members' words, so setting or
// clearing a bit costs O(1) instead of rehashing the whole set.
//
// Two hashes are kept: one over all members, for exact lookups, and one over the members with
// a known outcome only, which lets the cache find configurations that differ from the current
// one only in which ops of unknown outcome they have linearized (see ConfigCache).
import { mix32 } from "../util/hash.js";

export class LinearizedSet {
  readonly words: Uint32Array;
  hashLo = 0;
  hashHi = 0;
  knownLo = 0;
  /** How many members have an unknown outcome. */
  unknownCount = 0;
  private readonly zobristLo: Int32Array;
  private readonly zobristHi: Int32Array;
  private readonly unknown: Uint8Array;

  constructor(size: number, unknown: Uint8Array = new Uint8Array(size)) {
    this.words = new Uint32Array(Math.max(1, Math.ceil(size / 32)));
    this.unknown = unknown;
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
    this.toggleHashes(index, 1);
  }

  clear(index: number): void {
    this.words[index >>> 5]! &= ~(1 << (index & 31));
    this.toggleHashes(index, -1);
  }

  private toggleHashes(index: number, delta: number): void {
    const lo = this.zobristLo[index]!;
    this.hashLo ^= lo;
    this.hashHi ^= this.zobristHi[index]!;
    if (this.unknown[index] === 1) this.unknownCount += delta;
    else this.knownLo ^= lo;
  }
}
