/**
 * ZooKeeper users set part of a server's configuration as JVM system properties in the
 * `SERVER_JVMFLAGS` environment variable (zkServer.sh passes it to java):
 * `-Djava.security.auth.login.config=/etc/zk/jaas.conf -Dzookeeper.authProvider.1=...`.
 * zkts reads the `-D` flags of that variable, so the same environment gives zkts the same
 * settings; a security setting given there is honoured or refused like one in zoo.cfg, never
 * silently dropped. Other JVM flags (-Xmx, -XX:...) mean nothing to zkts.
 */
export function systemPropertiesOf(flags: string | undefined): Map<string, string> {
  const properties = new Map<string, string>();
  if (flags === undefined) return properties;
  for (const word of shellWords(flags)) {
    if (!word.startsWith("-D")) continue;
    const eq = word.indexOf("=");
    const name = eq < 0 ? word.substring(2) : word.substring(2, eq);
    // `-Dname` alone sets the property to the empty string, as java does.
    if (name !== "") properties.set(name, eq < 0 ? "" : word.substring(eq + 1));
  }
  return properties;
}

/** Splits as a POSIX shell would for the quoting a flags variable uses: blanks, '…', "…", \x. */
function shellWords(text: string): string[] {
  const words: string[] = [];
  let word = "";
  let inWord = false;
  let quote: "'" | '"' | null = null;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quote !== null) {
      if (c === quote) quote = null;
      else if (c === "\\" && quote === '"' && i + 1 < text.length && '"\\$`'.includes(text[i + 1]!)) word += text[++i];
      else word += c;
    } else if (c === "'" || c === '"') {
      quote = c;
      inWord = true;
    } else if (c === "\\" && i + 1 < text.length) {
      word += text[++i];
      inWord = true;
    } else if (/\s/.test(c)) {
      if (inWord) words.push(word);
      word = "";
      inWord = false;
    } else {
      word += c;
      inWord = true;
    }
  }
  if (inWord) words.push(word);
  return words;
}

/** The JAAS file a JVM would read: `-Djava.security.auth.login.config=FILE`. */
export const JAAS_SYSTEM_PROPERTY = "java.security.auth.login.config";

/**
 * zoo.cfg with the `-Dzookeeper.K=V` properties of the JVM flags added as `zookeeper.K` keys.
 * zoo.cfg wins where both set a key: ZooKeeper sets its unknown zoo.cfg keys as `zookeeper.K`
 * system properties after the JVM started, over what the flags said.
 */
export function withZooKeeperProperties(
  props: ReadonlyMap<string, string>,
  systemProperties: ReadonlyMap<string, string>,
  strip: (key: string) => string,
): Map<string, string> {
  const merged = new Map(props);
  const present = new Set([...props.keys()].map(strip));
  for (const [name, value] of systemProperties) {
    if (!name.startsWith("zookeeper.")) continue;
    if (present.has(strip(name))) continue;
    merged.set(name, value);
  }
  return merged;
}
