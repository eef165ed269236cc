import { javaLongHash, javaStringHash } from "./java-text.js";

/**
 * ZooKeeper keeps a configuration's members in a java.util.HashMap<Long, QuorumServer> and
 * writes them in that map's iteration order, so the order of the `server.N` lines depends on
 * the ids, the table size and the order of insertion. These classes reproduce the iteration
 * order of the two JDK 17 hash tables involved (entries themselves are kept elsewhere); every
 * other property of the tables is beside the point.
 */

const HASH_MAP_CAPACITY_DEFAULT = 16;
const LOAD_FACTOR = 0.75;
/** A HashMap bin this long is made a tree (or, in a small table, the table grows instead). */
const TREEIFY_THRESHOLD = 8;
const MIN_TREEIFY_CAPACITY = 64;

/** HashMap.tableSizeFor: the smallest power of two at or above `cap` (at least 1). */
function tableSizeFor(cap: number): number {
  let n = 1;
  while (n < cap) n *= 2;
  return n;
}

/**
 * The iteration order of a java.util.HashMap<Long, V>: bins in index order, and inside a bin
 * the order of insertion, which growing the table preserves. Replacing the value of a present
 * key keeps its place; removing and putting it again moves it to the end of its bin.
 */
export class JavaLongHashOrder {
  /** 0 until the first insertion allocates the table. */
  private capacity = 0;
  private threshold: number;
  private nextSeq = 0;
  private readonly seqById = new Map<number, number>();

  private constructor(initialThreshold: number) {
    this.threshold = initialThreshold;
  }

  /** `new HashMap<>()`. */
  static empty(): JavaLongHashOrder {
    return new JavaLongHashOrder(0);
  }

  /** `new HashMap<>(other)`: the table is sized for the other map, which is copied in its iteration order. */
  static copyOf(idsInIterationOrder: readonly number[]): JavaLongHashOrder {
    const size = idsInIterationOrder.length;
    // putMapEntries pre-sizes with float arithmetic: (int) (s / 0.75f + 1.0f).
    const order = new JavaLongHashOrder(size > 0 ? tableSizeFor(Math.trunc(Math.fround(Math.fround(size / LOAD_FACTOR) + 1))) : 0);
    for (const id of idsInIterationOrder) order.put(id);
    return order;
  }

  get size(): number {
    return this.seqById.size;
  }

  has(id: number): boolean {
    return this.seqById.has(id);
  }

  put(id: number): void {
    if (this.seqById.has(id)) return;
    if (this.capacity === 0) this.resize();
    if (this.binLength(this.binOf(id)) >= TREEIFY_THRESHOLD) {
      if (this.capacity >= MIN_TREEIFY_CAPACITY) {
        throw new Error(`server ids ${[...this.seqById.keys()]} fill one bin of a table of ${this.capacity}: tree bins are not modelled`);
      }
      this.resize();
    }
    this.seqById.set(id, this.nextSeq++);
    if (this.seqById.size > this.threshold) this.resize();
  }

  remove(id: number): void {
    this.seqById.delete(id);
  }

  /** The ids in the order the map iterates them. */
  ids(): number[] {
    return [...this.seqById.entries()].sort(([a, seqA], [b, seqB]) => this.binOf(a) - this.binOf(b) || seqA - seqB).map(([id]) => id);
  }

  private binOf(id: number): number {
    const h = javaLongHash(BigInt(id));
    return (h ^ (h >>> 16)) & (this.capacity - 1);
  }

  private binLength(bin: number): number {
    let n = 0;
    for (const id of this.seqById.keys()) if (this.binOf(id) === bin) n++;
    return n;
  }

  private resize(): void {
    if (this.capacity === 0) {
      this.capacity = this.threshold > 0 ? this.threshold : HASH_MAP_CAPACITY_DEFAULT;
    } else {
      this.capacity *= 2;
    }
    this.threshold = Math.trunc(this.capacity * LOAD_FACTOR);
  }
}

/** `new Properties()` holds its entries in a ConcurrentHashMap created with room for 8. */
const PROPERTIES_TABLE_SIZE = 16;

/**
 * The iteration order of java.util.Properties' keys (a ConcurrentHashMap<String, String> since
 * JDK 9): bins in index order, each bin in insertion order until the table doubles; a doubling
 * keeps each bin's last run of keys that go the same way and puts the keys before it in front of
 * it in reverse order. Tree bins (eight colliding keys) are not modelled.
 */
export function propertiesKeyOrder(keysInLoadOrder: readonly string[]): string[] {
  let bins: string[][] = Array.from({ length: PROPERTIES_TABLE_SIZE }, () => []);
  let count = 0;
  for (const key of keysInLoadOrder) {
    const hash = spread(javaStringHash(key));
    const bin = bins[hash & (bins.length - 1)]!;
    if (bin.includes(key)) continue;
    bin.push(key);
    count++;
    // addCount: the table doubles once the count reaches three quarters of its size.
    if (count >= bins.length - (bins.length >>> 2)) bins = transfer(bins);
  }
  return bins.flat();
}

/** ConcurrentHashMap.spread. */
function spread(h: number): number {
  return (h ^ (h >>> 16)) & 0x7fffffff;
}

/** ConcurrentHashMap.transfer for plain list bins, walked from the last bin to the first. */
function transfer(bins: string[][]): string[][] {
  const n = bins.length;
  const next: string[][] = Array.from({ length: n * 2 }, () => []);
  for (let i = n - 1; i >= 0; i--) {
    const bin = bins[i]!;
    if (bin.length === 0) continue;
    const highBit = (key: string) => (spread(javaStringHash(key)) & n) !== 0;
    let lastRun = 0;
    for (let j = 1; j < bin.length; j++) if (highBit(bin[j]!) !== highBit(bin[j - 1]!)) lastRun = j;
    const low: string[] = [];
    const high: string[] = [];
    (highBit(bin[lastRun]!) ? high : low).push(...bin.slice(lastRun));
    for (let j = 0; j < lastRun; j++) {
      const key = bin[j]!;
      (highBit(key) ? high : low).unshift(key);
    }
    next[i] = low;
    next[i + n] = high;
  }
  return next;
}
