/**
 * Reads a Java properties file (zoo.cfg's format): `key=value` or `key: value`, `#` and `!`
 * comments, backslash line continuations, surrounding blanks trimmed.
 */
export function parseProperties(text: string): Map<string, string> {
  const out = new Map<string, string>();
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    let line = lines[i]!.replace(/^\s+/, "");
    if (line === "" || line.startsWith("#") || line.startsWith("!")) continue;
    while (line.endsWith("\\") && i + 1 < lines.length) {
      line = line.slice(0, -1) + lines[++i]!.replace(/^\s+/, "");
    }
    const match = /^([^=:\s]+)\s*[=:\s]\s*(.*)$/.exec(line);
    if (match === null) {
      out.set(line.trim(), "");
      continue;
    }
    out.set(match[1]!, match[2]!.trim());
  }
  return out;
}
