import { type ErrorCodeValue, errorCodeName } from "./constants.js";

/** A request-level failure carrying ZooKeeper's numeric error code. */
export class KeeperError extends Error {
  override readonly name = "KeeperError";
  constructor(
    readonly code: ErrorCodeValue | number,
    readonly path: string | null = null,
  ) {
    super(`${errorCodeName.get(code) ?? code}${path === null ? "" : ` for ${path}`}`);
  }
}
