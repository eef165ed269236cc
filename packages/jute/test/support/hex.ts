/**
 * Hand-written byte fixtures. Tests of the primitives compare against bytes spelled out here,
 * never against the production writer, so the writer cannot confirm its own mistakes.
 * Whitespace and "|" separators are ignored, so fixtures can be grouped by field.
 */
export function hex(text: string): Buffer {
  const clean = text.replace(/[\s|]/g, "");
  if (clean.length % 2 !== 0 || /[^0-9a-fA-F]/.test(clean)) throw new Error(`bad hex fixture: ${text}`);
  return Buffer.from(clean, "hex");
}
