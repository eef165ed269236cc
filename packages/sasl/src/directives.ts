import { SaslError } from "./sasl-error.js";

/**
 * The `name=value, name="quoted value"` lists that DIGEST-MD5 challenges and responses are
 * made of (RFC 2831 section 7.1: names are case-insensitive tokens, values tokens or quoted
 * strings in which a backslash quotes the next character). A name may repeat (`realm`), so each
 * maps to every value it was given, in order.
 */
export type Directives = ReadonlyMap<string, readonly string[]>;

/** RFC 2831's limit on a challenge (2048 bytes) and a response (4096 bytes); inputs beyond it are refused. */
export const DIRECTIVES_LENGTH_MAX = 4096;

export function parseDirectives(bytes: Uint8Array): Directives {
  if (bytes.length > DIRECTIVES_LENGTH_MAX) throw new SaslError(`DIGEST-MD5: a message of ${bytes.length} bytes is longer than ${DIRECTIVES_LENGTH_MAX}`);
  const text = Buffer.from(bytes).toString("utf8");
  const out = new Map<string, string[]>();
  let i = 0;
  const skipSpace = () => {
    while (i < text.length && /[ \t\r\n]/.test(text[i]!)) i++;
  };
  while (i < text.length) {
    skipSpace();
    if (text[i] === ",") {
      // Empty list elements are allowed by the #rule.
      i++;
      continue;
    }
    if (i >= text.length) break;
    const nameStart = i;
    while (i < text.length && /[A-Za-z0-9_\-]/.test(text[i]!)) i++;
    const name = text.substring(nameStart, i).toLowerCase();
    if (name === "") throw new SaslError(`DIGEST-MD5: unexpected character ${JSON.stringify(text[i])} at ${i}`);
    skipSpace();
    if (text[i] !== "=") throw new SaslError(`DIGEST-MD5: directive ${name} has no value`);
    i++;
    skipSpace();
    let value = "";
    if (text[i] === '"') {
      i++;
      let closed = false;
      while (i < text.length) {
        const c = text[i++]!;
        if (c === "\\" && i < text.length) value += text[i++]!;
        else if (c === '"') {
          closed = true;
          break;
        } else value += c;
      }
      if (!closed) throw new SaslError(`DIGEST-MD5: unterminated quoted value of ${name}`);
    } else {
      const start = i;
      while (i < text.length && text[i] !== "," && !/[ \t\r\n]/.test(text[i]!)) i++;
      value = text.substring(start, i);
    }
    const values = out.get(name);
    if (values === undefined) out.set(name, [value]);
    else values.push(value);
    skipSpace();
    if (i < text.length && text[i] !== ",") throw new SaslError(`DIGEST-MD5: expected "," after ${name}`);
  }
  return out;
}

/** The single value of a directive that may appear at most once; undefined when absent. */
export function single(directives: Directives, name: string): string | undefined {
  const values = directives.get(name);
  if (values === undefined) return undefined;
  if (values.length > 1) throw new SaslError(`DIGEST-MD5: directive ${name} appears ${values.length} times`);
  return values[0];
}

export function required(directives: Directives, name: string): string {
  const value = single(directives, name);
  if (value === undefined) throw new SaslError(`DIGEST-MD5: missing ${name}`);
  return value;
}

/** `name="value"` with the quoted-string escapes. */
export function quoted(name: string, value: string): string {
  return `${name}="${value.replace(/["\\]/g, (c) => `\\${c}`)}"`;
}
