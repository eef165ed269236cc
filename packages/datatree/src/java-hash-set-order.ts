/**
 * The iteration order of a java.util.HashSet<String>, which decides the order of the paths in
 * ZooKeeper's CloseSessionTxn (and so the order a closed session's ephemerals are deleted and
 * audited in). A HashMap iterates its buckets in index order, a bucket's keys in the order they
 * were put (resizes keep that order); the index is the spread String.hashCode masked by the
 * capacity, a power of two. Buckets long enough to become trees (8 keys in a table of 64 or
 * more) are not modelled.
 */
const LOAD_FACTOR = 0.75;
const DEFAULT_CAPACITY = 16;

/** java.lang.String.hashCode over UTF-16 code units, as a signed 32-bit int. */
export function javaStringHash(s: string): number {
  let h = 0;
  for (let i = 0; i < s.length; i++) h = (Math.imul(h, 31) + s.charCodeAt(i)) | 0;
  return h;
}

function bucketOf(key: string, capacity: number): number {
  const h = javaStringHash(key);
  return (h ^ (h >>> 16)) & (capacity - 1);
}

/** Keys in a HashSet of `capacity`, given in the order they were added. */
export function javaHashSetOrder(keysInAddOrder: readonly string[], capacity: number): string[] {
  return keysInAddOrder
    .map((key, at) => ({ key, at, bucket: bucketOf(key, capacity) }))
    .sort((a, b) => a.bucket - b.bucket || a.at - b.at)
    .map((e) => e.key);
}

/** The capacity a default HashSet has grown to once it held `size` keys. */
export function grownCapacity(size: number, from = DEFAULT_CAPACITY): number {
  let capacity = from;
  while (size > capacity * LOAD_FACTOR) capacity *= 2;
  return capacity;
}

/** The capacity of a HashSet's clone (Java 17's HashMap.putMapEntries: tableSizeFor(size / 0.75 + 1)). */
export function clonedCapacity(size: number): number {
  const wanted = Math.floor(size / LOAD_FACTOR + 1);
  let capacity = 1;
  while (capacity < wanted) capacity *= 2;
  return capacity;
}
