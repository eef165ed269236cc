/**
 * Java's hash codes, which decide the iteration order of the HashMaps and HashSets whose order
 * ZooKeeper's output follows. (Java's string and number parsing rules live in @zkts/config.)
 */

/** String.hashCode: s[0]*31^(n-1) + ... + s[n-1] over UTF-16 code units, in 32-bit arithmetic. */
export function javaStringHash(value: string): number {
  let hash = 0;
  for (let i = 0; i < value.length; i++) hash = (Math.imul(hash, 31) + value.charCodeAt(i)) | 0;
  return hash;
}

/** Long.hashCode: the two 32-bit halves xor-ed together. */
export function javaLongHash(value: bigint): number {
  const bits = BigInt.asUintN(64, value);
  return Number(BigInt.asIntN(32, bits ^ (bits >> 32n)));
}
