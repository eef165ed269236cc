/** An answer other than success, sent as Toxiproxy sends it: {"error": message, "status": code}. */
export class ApiError extends Error {
  constructor(
    message: string,
    readonly status: number,
  ) {
    super(message);
  }

  /** The same error with a detail appended, as upstream's "missing required field: name". */
  with(detail: string): ApiError {
    return new ApiError(`${this.message}: ${detail}`, this.status);
  }

  toJSON(): { error: string; status: number } {
    return { error: this.message, status: this.status };
  }
}

// Messages and codes of Toxiproxy 2.12's api.go, so clients that match on them keep working.
export const API_ERRORS = {
  badRequestBody: new ApiError("bad request body", 400),
  missingField: new ApiError("missing required field", 400),
  proxyNotFound: new ApiError("proxy not found", 404),
  proxyAlreadyExists: new ApiError("proxy already exists", 409),
  invalidStream: new ApiError("stream was invalid, can be either upstream or downstream", 400),
  invalidToxicType: new ApiError("invalid toxic type", 400),
  toxicAlreadyExists: new ApiError("toxic already exists", 409),
  toxicNotFound: new ApiError("toxic not found", 404),
} as const;

/** Errors without a status of their own (a port in use, say) are 500s, as upstream answers them. */
export function asApiError(err: unknown): ApiError {
  if (err instanceof ApiError) return err;
  return new ApiError(err instanceof Error ? err.message : String(err), 500);
}
