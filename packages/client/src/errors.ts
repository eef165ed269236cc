import { ErrorCode, errorCodeName, type ErrorCodeName } from "@zkts/jute";

export interface ZkErrorDetails {
  /** The path the operation addressed, as the caller wrote it (chroot removed). */
  path?: string;
  /**
   * True when the request may or may not have been applied: it was sent and the connection
   * was lost before its reply arrived. Callers must re-read state before retrying a write.
   */
  outcomeUnknown?: boolean;
  /** Free-form detail appended to the message. */
  detail?: string;
  /** For a failed multi: the index of the op that failed. */
  failedOpIndex?: number;
  /** For a failed multi: every op's code (0 for ops that would have succeeded). */
  opCodes?: number[];
}

/**
 * The one error type of the client. `code` is ZooKeeper's numeric KeeperException code and
 * `codeName` its name, so callers can switch on either.
 */
export class ZkError extends Error {
  override readonly name = "ZkError";
  readonly code: number;
  readonly codeName: ErrorCodeName | "UNKNOWN";
  readonly path: string | undefined;
  readonly outcomeUnknown: boolean;
  readonly failedOpIndex: number | undefined;
  readonly opCodes: number[] | undefined;

  constructor(code: number, details: ZkErrorDetails = {}) {
    const codeName = errorCodeName.get(code) ?? "UNKNOWN";
    const parts = [`${codeName} (${code})`];
    if (details.path !== undefined) parts.push(`for ${details.path}`);
    if (details.detail !== undefined) parts.push(`: ${details.detail}`);
    if (details.outcomeUnknown) parts.push("; the request may or may not have been applied");
    super(parts.join(" "));
    this.code = code;
    this.codeName = codeName;
    this.path = details.path;
    this.outcomeUnknown = details.outcomeUnknown ?? false;
    this.failedOpIndex = details.failedOpIndex;
    this.opCodes = details.opCodes;
  }

  /** Whether `err` is a ZkError with the given code name. */
  static is(err: unknown, codeName: ErrorCodeName): err is ZkError {
    return err instanceof ZkError && err.code === ErrorCode[codeName];
  }
}
