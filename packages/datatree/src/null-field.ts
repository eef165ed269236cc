/**
 * A request field that arrived null (length −1) where ZooKeeper's request processors use it
 * without a check and throw NullPointerException. ZooKeeper answers such a request with
 * MARSHALLINGERROR (a write through an error txn, a read without one). This is deliberately
 * not a KeeperError: inside a multi the NullPointerException escapes the per-op handling that
 * turns KeeperExceptions into op results, and fails the whole multi.
 */
export class NullFieldError extends Error {
  override readonly name = "NullFieldError";
  constructor(readonly field: string) {
    super(`null ${field}`);
  }
}

/** The value of a field ZooKeeper dereferences, or NullFieldError when it is null. */
export function dereferenced<T>(value: T | null, field: string): T {
  if (value === null) throw new NullFieldError(field);
  return value;
}
