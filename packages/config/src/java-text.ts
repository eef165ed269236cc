/**
 * The few java.lang string and number rules that ZooKeeper's configuration parsing leans on.
 * Matching them is what makes a reconfig request fail, or succeed, exactly where ZooKeeper's
 * does: a port of "+80" parses, a port of " 80" does not, a trailing ";" is ignored.
 */

/** String.split with a one-character literal separator: trailing empty parts are dropped. */
export function javaSplit(value: string, separator: string): string[] {
  if (!value.includes(separator)) return [value];
  const parts = value.split(separator);
  while (parts.length > 0 && parts[parts.length - 1] === "") parts.pop();
  return parts;
}

/** String.trim: strips every character up to U+0020 at both ends, not just whitespace. */
export function javaTrim(value: string): string {
  let start = 0;
  let end = value.length;
  while (start < end && value.charCodeAt(start) <= 0x20) start++;
  while (end > start && value.charCodeAt(end - 1) <= 0x20) end--;
  return value.substring(start, end);
}

/** ZooKeeper's StringUtils.split: String.split, each part trimmed, empty parts left out. */
export function splitTrimmed(value: string, separator: string): string[] {
  return javaSplit(value, separator)
    .map(javaTrim)
    .filter((part) => part.length > 0);
}

const LONG_MIN = -(1n << 63n);
const LONG_MAX = (1n << 63n) - 1n;
const INT_MIN = -(1n << 31n);
const INT_MAX = (1n << 31n) - 1n;

/**
 * Long.parseLong / Integer.parseInt: an optional sign, then digits of the radix, nothing else
 * (no spaces), within the type's range; null where Java throws NumberFormatException.
 */
function parseJavaInteger(text: string, radix: 10 | 16, min: bigint, max: bigint): bigint | null {
  const digits = radix === 10 ? /^[+-]?[0-9]+$/ : /^[+-]?[0-9a-fA-F]+$/;
  if (!digits.test(text)) return null;
  const negative = text.startsWith("-");
  const magnitude = text.replace(/^[+-]/, "");
  const value = BigInt(radix === 10 ? magnitude : `0x${magnitude}`) * (negative ? -1n : 1n);
  return value < min || value > max ? null : value;
}

export function parseJavaLong(text: string, radix: 10 | 16 = 10): bigint | null {
  return parseJavaInteger(text, radix, LONG_MIN, LONG_MAX);
}

export function parseJavaInt(text: string): number | null {
  const value = parseJavaInteger(text, 10, INT_MIN, INT_MAX);
  return value === null ? null : Number(value);
}
