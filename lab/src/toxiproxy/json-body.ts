import { API_ERRORS } from "./api-error.js";

/** Reads a request body as JSON; like Go's decoder, an empty body is an error ("EOF"). */
export function parseJsonBody(body: string): unknown {
  if (body.trim() === "") throw API_ERRORS.badRequestBody.with("EOF");
  try {
    return JSON.parse(body) as unknown;
  } catch (err) {
    throw API_ERRORS.badRequestBody.with(err instanceof Error ? err.message : String(err));
  }
}

/** The body as an object of fields; `null` counts as no fields, as Go decodes it. */
export function fieldsOf(value: unknown, what: string): Record<string, unknown> {
  if (value === null) return {};
  if (typeof value !== "object" || Array.isArray(value)) {
    throw API_ERRORS.badRequestBody.with(`expected ${what} to be an object`);
  }
  return value as Record<string, unknown>;
}

export function optionalString(fields: Record<string, unknown>, name: string): string | undefined {
  const value = fields[name];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== "string") throw API_ERRORS.badRequestBody.with(`field ${name} must be a string`);
  return value;
}

export function optionalBoolean(fields: Record<string, unknown>, name: string): boolean | undefined {
  const value = fields[name];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== "boolean") throw API_ERRORS.badRequestBody.with(`field ${name} must be a boolean`);
  return value;
}

export function optionalNumber(fields: Record<string, unknown>, name: string): number | undefined {
  const value = fields[name];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== "number" || !Number.isFinite(value)) throw API_ERRORS.badRequestBody.with(`field ${name} must be a number`);
  return value;
}
