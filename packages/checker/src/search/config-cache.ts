// The Lowe cache: configurations (linearized set, model state) already explored. Reaching one
// again cannot lead anywhere new, so the search backtracks. Storage is flat: bitsets live in
// one growing Uint32Array, keys in Int32Arrays, and lookup is open addressing, so a lookup
// allocates nothing and an insert allocates only when the arrays double.
import { mix32 } from "../util/hash.js";

export const CacheAdd = { Present: 0, Added: 1, Full: 2 } as const;
export type CacheAdd = (typeof CacheAdd)[keyof typeof CacheAdd];

export class ConfigCache<S> {
  private readonly words: number;
  private table: Int32Array;
  /** Slots - 1, for the slot index; slotMask is the same over table positions. */
  private mask: number;
  private slotMask: number;
  private keyLo: Int32Array;
  private keyHi: Int32Array;
  private bits: Uint32Array;
  private states: S[] = [];
  private capacity: number;
  size = 0;

  constructor(
    words: number,
    private readonly equal: (a: S, b: S) => boolean,
    private readonly maxBytes: number,
  ) {
    this.words = words;
    this.capacity = 1024;
    this.table = new Int32Array(this.capacity * 4);
    this.mask = this.capacity * 2 - 1;
    this.slotMask = this.table.length - 1;
    this.keyLo = new Int32Array(this.capacity);
    this.keyHi = new Int32Array(this.capacity);
    this.bits = new Uint32Array(this.capacity * words);
  }

  /** Adds (set, state) unless already present. */
  add(set: Uint32Array, setLo: number, setHi: number, state: S, stateHash: number): CacheAdd {
    const lo = setLo ^ stateHash;
    const hi = setHi ^ mix32(stateHash ^ 0x7feb352d);
    const words = this.words;
    const table = this.table;
    // Slots are [entry + 1, key] pairs side by side, so a probe that misses reads one cache
    // line instead of reaching into the per-entry arrays.
    let slot = (mix32(lo) & this.mask) << 1;
    for (;;) {
      const entry = table[slot]! - 1;
      if (entry < 0) break;
      if (table[slot + 1] === lo && this.keyHi[entry] === hi && this.sameBits(entry, set, words)) {
        if (this.equal(this.states[entry]!, state)) return CacheAdd.Present;
      }
      slot = (slot + 2) & this.slotMask;
    }
    if (this.size === this.capacity) {
      if (!this.grow()) return CacheAdd.Full;
      return this.add(set, setLo, setHi, state, stateHash);
    }
    const entry = this.size++;
    table[slot] = entry + 1;
    table[slot + 1] = lo;
    this.keyLo[entry] = lo;
    this.keyHi[entry] = hi;
    this.bits.set(set, entry * words);
    this.states.push(state);
    return CacheAdd.Added;
  }

  private sameBits(entry: number, set: Uint32Array, words: number): boolean {
    const base = entry * words;
    for (let w = 0; w < words; w++) if (this.bits[base + w] !== set[w]) return false;
    return true;
  }

  /** Bytes held by the typed arrays, the dominant cost. */
  bytes(): number {
    return this.table.byteLength + this.keyLo.byteLength * 2 + this.bits.byteLength;
  }

  private grow(): boolean {
    const capacity = this.capacity * 2;
    // Table (two slots of two words per entry), keys, bitsets, and the states array's pointer.
    const projected = capacity * (4 * 4 + 4 + 4 + this.words * 4 + 8);
    if (projected > this.maxBytes) return false;
    const keyLo = new Int32Array(capacity);
    keyLo.set(this.keyLo);
    const keyHi = new Int32Array(capacity);
    keyHi.set(this.keyHi);
    const bits = new Uint32Array(capacity * this.words);
    bits.set(this.bits);
    this.keyLo = keyLo;
    this.keyHi = keyHi;
    this.bits = bits;
    this.capacity = capacity;
    this.table = new Int32Array(capacity * 4);
    this.mask = capacity * 2 - 1;
    this.slotMask = this.table.length - 1;
    for (let entry = 0; entry < this.size; entry++) {
      let slot = (mix32(keyLo[entry]!) & this.mask) << 1;
      while (this.table[slot] !== 0) slot = (slot + 2) & this.slotMask;
      this.table[slot] = entry + 1;
      this.table[slot + 1] = keyLo[entry]!;
    }
    return true;
  }
}
