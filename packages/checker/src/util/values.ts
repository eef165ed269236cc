// Structural equality and short descriptions of the JSON-like values found in histories.

/** Deep equality over JSON-like values; `undefined` and `null` are the same (a missing value). */
export function valueEquals(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (a === null || a === undefined) return b === null || b === undefined;
  if (b === null || b === undefined) return false;
  if (typeof a !== "object" || typeof b !== "object") return false;
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!valueEquals(a[i], b[i])) return false;
    return true;
  }
  if (Array.isArray(b)) return false;
  const ra = a as Record<string, unknown>;
  const rb = b as Record<string, unknown>;
  const keys = Object.keys(ra);
  if (keys.length !== Object.keys(rb).length) return false;
  for (const key of keys) {
    if (!Object.prototype.hasOwnProperty.call(rb, key)) return false;
    if (!valueEquals(ra[key], rb[key])) return false;
  }
  return true;
}

/** A compact, human-readable rendering for reports and error messages. */
export function describeValue(value: unknown): string {
  if (value === undefined) return "?";
  if (value === null) return "nil";
  if (typeof value === "string") return JSON.stringify(value);
  if (typeof value === "bigint") return `${value}`;
  if (typeof value !== "object") return String(value);
  if (Array.isArray(value)) return `[${value.map(describeValue).join(" ")}]`;
  const entries = Object.entries(value as Record<string, unknown>).map(([key, item]) => `${key}: ${describeValue(item)}`);
  return `{${entries.join(", ")}}`;
}
