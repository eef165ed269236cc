/**
 * Invariant checks. A failed assertion is a programmer error inside the protocol core
 * (or a caller breaking its contract), never a condition to recover from, so it throws
 * and the caller is expected to crash the peer.
 */
export class ZabAssertionError extends Error {
  override readonly name = "ZabAssertionError";
}

export function assert(condition: boolean, message: string): asserts condition {
  if (!condition) throw new ZabAssertionError(message);
}

/**
 * The failed branch of a check on a hot path (`if (!ok) fail(\`...\`)`): its message, with
 * zxids printed, is built only when the check fails, not for every entry and message.
 */
export function fail(message: string): never {
  throw new ZabAssertionError(message);
}

/** For switches over closed unions: the compiler proves this is unreachable. */
export function unreachable(value: never): never {
  throw new ZabAssertionError(`unreachable: ${JSON.stringify(value)}`);
}
