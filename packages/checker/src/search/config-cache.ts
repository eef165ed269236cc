// The Lowe cache: configurations (linearized set, model state) already explored. Reaching one
// again cannot lead anywhere new, so the search backtracks.
//
// Ops of unknown outcome allow more pruning. A configuration that has linearized the same
// known ops and reached the same state as a cached one, plus some extra unknown ops, can do
// nothing the cached one could not: the cached one may simply never linearize the extras,
// since unknown ops have no deadline. So it is pruned too ("subsumed"). Without this, every
// subset of the pending unknown ops is a separate configuration. Testing inclusion against
// every cached set would be slow, so for each (known ops, state) the cache remembers one
// representative, the one with the fewest unknown ops, and tests inclusion against it alone;
// the search tries known ops first, so that representative is usually the smallest.
//
// Storage is flat: bitsets live in one growing Uint32Array, keys in Int32Arrays, and lookups
// are open addressing over [entry + 1, key] slot pairs, so a lookup allocates nothing and an
// insert allocates only when the arrays double.
import { mix32 } from "../util/hash.js";

export const CacheAdd = { Present: 0, Added: 1, Full: 2 } as const;
export type CacheAdd = (typeof CacheAdd)[keyof typeof CacheAdd];

/** The key of a configuration, as computed by the search. */
export interface ConfigKey {
  /** Over all linearized ops and the state. */
  lo: number;
  hi: number;
  /** Over the linearized ops of known outcome and the state. */
  knownLo: number;
  unknownCount: number;
}

export class ConfigCache<S> {
  private readonly words: number;
  private capacity: number;
  /** Exact lookup: slot pairs [entry + 1, lo]. */
  private exact: Int32Array;
  /** Subsumption lookup: slot pairs [entry + 1, knownLo], one entry per (known ops, state). */
  private smallest: Int32Array;
  private slotMask: number;
  private keyHi: Int32Array;
  private unknownCounts: Int32Array;
  private bits: Uint32Array;
  private states: S[] = [];
  size = 0;
  /** Without ops of unknown outcome, exact lookups are all there is to do. */
  private readonly subsumes: boolean;
  private readonly knownMask: Uint32Array;

  constructor(
    words: number,
    private readonly equal: (a: S, b: S) => boolean,
    private readonly maxBytes: number,
    /** Per word: the bits of ops with a known outcome; absent when every op's outcome is known. */
    knownMask?: Uint32Array,
  ) {
    this.knownMask = knownMask ?? new Uint32Array(words);
    this.words = words;
    this.subsumes = knownMask !== undefined;
    this.capacity = 1024;
    this.exact = new Int32Array(this.capacity * 4);
    this.smallest = new Int32Array(this.subsumes ? this.capacity * 4 : 0);
    this.slotMask = this.exact.length - 1;
    this.keyHi = new Int32Array(this.capacity);
    this.unknownCounts = new Int32Array(this.capacity);
    this.bits = new Uint32Array(this.capacity * words);
  }

  /** Adds (set, state) unless it is cached or subsumed by a cached configuration. */
  add(set: Uint32Array, key: ConfigKey, state: S): CacheAdd {
    const words = this.words;
    const exact = this.exact;
    let slot = mix32(key.lo) & this.slotMask & ~1;
    for (;;) {
      const entry = exact[slot]! - 1;
      if (entry < 0) break;
      if (exact[slot + 1] === key.lo && this.keyHi[entry] === key.hi && this.sameBits(entry, set, words)) {
        if (this.equal(this.states[entry]!, state)) return CacheAdd.Present;
      }
      slot = (slot + 2) & this.slotMask;
    }
    const exactSlot = slot;

    // Subsumption by the representative of the same known ops and state.
    const smallest = this.smallest;
    let rep = mix32(key.knownLo) & this.slotMask & ~1;
    let replace = -1;
    while (this.subsumes) {
      const entry = smallest[rep]! - 1;
      if (entry < 0) break;
      if (smallest[rep + 1] === key.knownLo && this.sameKnownBits(entry, set, words) && this.equal(this.states[entry]!, state)) {
        if (this.unknownSubset(entry, set, words)) return CacheAdd.Present;
        if (key.unknownCount < this.unknownCounts[entry]!) replace = rep;
        break;
      }
      rep = (rep + 2) & this.slotMask;
    }

    if (this.size === this.capacity) {
      if (!this.grow()) return CacheAdd.Full;
      return this.add(set, key, state);
    }
    const entry = this.size++;
    exact[exactSlot] = entry + 1;
    exact[exactSlot + 1] = key.lo;
    this.keyHi[entry] = key.hi;
    this.unknownCounts[entry] = key.unknownCount;
    this.bits.set(set, entry * words);
    this.states.push(state);
    if (!this.subsumes) return CacheAdd.Added;
    if (replace >= 0) {
      smallest[replace] = entry + 1;
    } else if (smallest[rep] === 0) {
      smallest[rep] = entry + 1;
      smallest[rep + 1] = key.knownLo;
    }
    return CacheAdd.Added;
  }

  private sameBits(entry: number, set: Uint32Array, words: number): boolean {
    const base = entry * words;
    for (let w = 0; w < words; w++) if (this.bits[base + w] !== set[w]) return false;
    return true;
  }

  private sameKnownBits(entry: number, set: Uint32Array, words: number): boolean {
    const base = entry * words;
    const known = this.knownMask;
    for (let w = 0; w < words; w++) if (((this.bits[base + w]! ^ set[w]!) & known[w]!) !== 0) return false;
    return true;
  }

  /** Every unknown op linearized in the cached entry is linearized in `set`. */
  private unknownSubset(entry: number, set: Uint32Array, words: number): boolean {
    const base = entry * words;
    for (let w = 0; w < words; w++) if ((this.bits[base + w]! & ~set[w]!) !== 0) return false;
    return true;
  }

  private grow(): boolean {
    const capacity = this.capacity * 2;
    // Two slot tables (two pairs per entry), keys, counts, bitsets, the states array's pointer.
    const projected = capacity * (8 * 4 + 4 + 4 + this.words * 4 + 8);
    if (projected > this.maxBytes) return false;
    const keyHi = new Int32Array(capacity);
    keyHi.set(this.keyHi);
    const unknownCounts = new Int32Array(capacity);
    unknownCounts.set(this.unknownCounts);
    const bits = new Uint32Array(capacity * this.words);
    bits.set(this.bits);
    const exact = new Int32Array(capacity * 4);
    const smallest = new Int32Array(this.subsumes ? capacity * 4 : 0);
    const slotMask = exact.length - 1;
    rehash(this.exact, exact, slotMask);
    if (this.subsumes) rehash(this.smallest, smallest, slotMask);
    this.keyHi = keyHi;
    this.unknownCounts = unknownCounts;
    this.bits = bits;
    this.exact = exact;
    this.smallest = smallest;
    this.slotMask = slotMask;
    this.capacity = capacity;
    return true;
  }
}

function rehash(from: Int32Array, to: Int32Array, slotMask: number): void {
  for (let old = 0; old < from.length; old += 2) {
    if (from[old] === 0) continue;
    const key = from[old + 1]!;
    let slot = mix32(key) & slotMask & ~1;
    while (to[slot] !== 0) slot = (slot + 2) & slotMask;
    to[slot] = from[old]!;
    to[slot + 1] = key;
  }
}
