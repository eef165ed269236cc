/**
 * Why a storage operation failed. `corrupt` means the files hold something recovery must not
 * guess about (it names the file and byte offset); `failed` means the log can no longer
 * persist anything and every later append is refused.
 */
export const StorageErrorCode = {
  corrupt: "CORRUPT",
  failed: "LOG_FAILED",
  closed: "LOG_CLOSED",
  invalidArgument: "INVALID_ARGUMENT",
  missingSnapshot: "MISSING_SNAPSHOT",
} as const;

export type StorageErrorCode = (typeof StorageErrorCode)[keyof typeof StorageErrorCode];

export class StorageError extends Error {
  override readonly name = "StorageError";
  constructor(
    readonly code: StorageErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** A corruption error that names where it was found, so an operator can inspect the bytes. */
export function corruptAt(file: string, offset: number, what: string): StorageError {
  return new StorageError(StorageErrorCode.corrupt, `${file}: ${what} at byte offset ${offset}`);
}
