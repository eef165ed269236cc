import { marshallingError } from "./errors.js";

/**
 * java.util.Properties.load, which is how ZooKeeper reads a dynamic configuration (and a
 * reconfig's newMembers, once its commas are made newlines): natural lines, leading blanks
 * skipped, `#` and `!` comments, a backslash at the end of a line continuing it, the key ending
 * at the first unescaped `=`, `:` or blank, and escapes in keys and values. Returns the entries
 * in the order their keys first appear; a repeated key keeps its place and takes the later value.
 */
export function loadProperties(text: string): Map<string, string> {
  const entries = new Map<string, string>();
  for (const line of logicalLines(text)) {
    const [key, value] = splitKeyValue(line);
    entries.set(unescape(key), unescape(value));
  }
  return entries;
}

const isBlank = (c: string | undefined) => c === " " || c === "\t" || c === "\f";

/** Logical lines with their leading blanks removed; comments and blank lines left out. */
function logicalLines(text: string): string[] {
  const natural = text.split(/\r\n|\r|\n/);
  const lines: string[] = [];
  let pending: string | null = null;
  for (const raw of natural) {
    let start = 0;
    while (isBlank(raw[start])) start++;
    const line = raw.substring(start);
    if (pending === null && (line === "" || line.startsWith("#") || line.startsWith("!"))) continue;
    const joined: string = (pending ?? "") + line;
    if (endsWithOddBackslashes(joined)) {
      pending = joined.substring(0, joined.length - 1);
    } else {
      pending = null;
      if (joined !== "") lines.push(joined);
    }
  }
  if (pending !== null && pending !== "") lines.push(pending);
  return lines;
}

function endsWithOddBackslashes(line: string): boolean {
  let n = 0;
  while (n < line.length && line[line.length - 1 - n] === "\\") n++;
  return n % 2 === 1;
}

/** The key runs to the first unescaped separator; blanks and one `=` or `:` separate it from the value. */
function splitKeyValue(line: string): [string, string] {
  let keyEnd = 0;
  let valueStart = line.length;
  let hasSeparator = false;
  let escaped = false;
  for (; keyEnd < line.length; keyEnd++) {
    const c = line[keyEnd]!;
    if (!escaped && (c === "=" || c === ":")) {
      valueStart = keyEnd + 1;
      hasSeparator = true;
      break;
    }
    if (!escaped && isBlank(c)) {
      valueStart = keyEnd + 1;
      break;
    }
    escaped = c === "\\" ? !escaped : false;
  }
  while (valueStart < line.length) {
    const c = line[valueStart]!;
    if (!isBlank(c)) {
      if (hasSeparator || (c !== "=" && c !== ":")) break;
      hasSeparator = true;
    }
    valueStart++;
  }
  return [line.substring(0, keyEnd), line.substring(valueStart)];
}

/** Properties' escapes: \uXXXX, \t \n \r \f, and a backslash before anything else is dropped. */
function unescape(text: string): string {
  if (!text.includes("\\")) return text;
  let out = "";
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (c !== "\\" || i === text.length - 1) {
      out += c;
      continue;
    }
    const next = text[++i]!;
    if (next === "u") {
      const hex = text.substring(i + 1, i + 5);
      // Java throws IllegalArgumentException here, which a reconfig answers with MARSHALLINGERROR.
      if (!/^[0-9a-fA-F]{4}$/.test(hex)) throw marshallingError("Malformed \\uxxxx encoding.");
      out += String.fromCharCode(parseInt(hex, 16));
      i += 4;
    } else {
      out += next === "t" ? "\t" : next === "n" ? "\n" : next === "r" ? "\r" : next === "f" ? "\f" : next;
    }
  }
  return out;
}
