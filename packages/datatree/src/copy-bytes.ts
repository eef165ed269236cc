/** Longer runs are copied with TypedArray.set, whose fixed cost is then worth paying. */
const COPY_LOOP_BYTES_MAX = 256;

/**
 * Copies a few bytes between buffers. Buffer.copy makes a typed-array view per call, which
 * costs more than the copy itself for the small runs a znode is made of; long runs use it.
 */
export function copyBytes(source: Uint8Array, sourceAt: number, target: Uint8Array, targetAt: number, length: number): void {
  if (length > COPY_LOOP_BYTES_MAX) {
    target.set(source.subarray(sourceAt, sourceAt + length), targetAt);
    return;
  }
  for (let i = 0; i < length; i++) target[targetAt + i] = source[sourceAt + i]!;
}
