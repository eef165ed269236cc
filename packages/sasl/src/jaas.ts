/**
 * JAAS login configuration files, the way Java reads `java.security.auth.login.config`:
 *
 *   Server {
 *     org.apache.zookeeper.server.auth.DigestLoginModule required
 *     user_bob="secret";
 *   };
 *
 * Sections hold login module entries (class, flag, `key=value` options, a `;`); comments are
 * `//`, `/* *\/` and `#`; values are words or double-quoted strings with backslash escapes.
 */
export interface JaasEntry {
  loginModule: string;
  flag: "required" | "requisite" | "sufficient" | "optional";
  options: ReadonlyMap<string, string>;
}

export type JaasConfig = ReadonlyMap<string, readonly JaasEntry[]>;

export class JaasSyntaxError extends Error {
  override readonly name = "JaasSyntaxError";
}

type Token = { kind: "word" | "string" | "punct"; text: string; line: number };

const FLAGS = new Set(["required", "requisite", "sufficient", "optional"]);

function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let line = 1;
  let i = 0;
  while (i < text.length) {
    const c = text[i]!;
    if (c === "\n") {
      line++;
      i++;
    } else if (/\s/.test(c)) i++;
    else if (c === "#" || text.startsWith("//", i)) {
      while (i < text.length && text[i] !== "\n") i++;
    } else if (text.startsWith("/*", i)) {
      const end = text.indexOf("*/", i + 2);
      if (end < 0) throw new JaasSyntaxError(`line ${line}: unterminated comment`);
      line += text.substring(i, end).split("\n").length - 1;
      i = end + 2;
    } else if ("{};=".includes(c)) {
      tokens.push({ kind: "punct", text: c, line });
      i++;
    } else if (c === '"') {
      let value = "";
      i++;
      for (;;) {
        if (i >= text.length) throw new JaasSyntaxError(`line ${line}: unterminated string`);
        const d = text[i++]!;
        if (d === '"') break;
        if (d === "\n") line++;
        if (d === "\\" && i < text.length) {
          const e = text[i++]!;
          value += e === "n" ? "\n" : e === "t" ? "\t" : e === "r" ? "\r" : e;
        } else value += d;
      }
      tokens.push({ kind: "string", text: value, line });
    } else {
      const start = i;
      while (i < text.length && !/[\s{};="]/.test(text[i]!)) i++;
      tokens.push({ kind: "word", text: text.substring(start, i), line });
    }
  }
  return tokens;
}

export function parseJaasConfig(text: string): JaasConfig {
  const tokens = tokenize(text);
  const sections = new Map<string, JaasEntry[]>();
  let p = 0;
  const next = (what: string): Token => {
    const t = tokens[p++];
    if (t === undefined) throw new JaasSyntaxError(`unexpected end of file, expected ${what}`);
    return t;
  };
  const expect = (punct: string): void => {
    const t = next(`"${punct}"`);
    if (t.kind !== "punct" || t.text !== punct) throw new JaasSyntaxError(`line ${t.line}: expected "${punct}", got "${t.text}"`);
  };
  while (p < tokens.length) {
    const name = next("a section name");
    if (name.kind !== "word") throw new JaasSyntaxError(`line ${name.line}: expected a section name, got "${name.text}"`);
    expect("{");
    const entries = sections.get(name.text) ?? [];
    for (;;) {
      const head = next(`a login module or "}"`);
      if (head.kind === "punct" && head.text === "}") break;
      if (head.kind !== "word") throw new JaasSyntaxError(`line ${head.line}: expected a login module class, got "${head.text}"`);
      const flag = next("a control flag");
      if (flag.kind !== "word" || !FLAGS.has(flag.text.toLowerCase())) {
        throw new JaasSyntaxError(`line ${flag.line}: expected required, requisite, sufficient or optional, got "${flag.text}"`);
      }
      const options = new Map<string, string>();
      for (;;) {
        const key = next(`an option or ";"`);
        if (key.kind === "punct" && key.text === ";") break;
        if (key.kind !== "word") throw new JaasSyntaxError(`line ${key.line}: expected an option name, got "${key.text}"`);
        expect("=");
        const value = next("an option value");
        if (value.kind === "punct") throw new JaasSyntaxError(`line ${value.line}: option ${key.text} has no value`);
        options.set(key.text, value.text);
      }
      entries.push({ loginModule: head.text, flag: flag.text.toLowerCase() as JaasEntry["flag"], options });
    }
    expect(";");
    sections.set(name.text, entries);
  }
  return sections;
}

/** Kerberos login modules (GSSAPI), which zkts does not serve. */
export function isKerberosModule(entry: JaasEntry): boolean {
  return /Krb5LoginModule$/.test(entry.loginModule);
}

/**
 * The DIGEST-MD5 users of a server section: every `user_<name>="<password>"` option of its
 * entries, as ZooKeeper's SaslServerCallbackHandler collects them.
 */
export function digestUsersOf(entries: readonly JaasEntry[]): Map<string, string> {
  const users = new Map<string, string>();
  for (const entry of entries) {
    for (const [key, value] of entry.options) if (key.startsWith("user_")) users.set(key.substring("user_".length), value);
  }
  return users;
}

/** The `username` and `password` options of a client section (ZooKeeper's DigestLoginModule). */
export function digestCredentialsOf(entries: readonly JaasEntry[]): { username: string; password: string } | null {
  for (const entry of entries) {
    const username = entry.options.get("username");
    const password = entry.options.get("password");
    if (username !== undefined && password !== undefined) return { username, password };
  }
  return null;
}
