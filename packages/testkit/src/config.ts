import { writeFile } from "node:fs/promises";

export interface ServerOptions {
  /** Client port; default: a free loopback port. */
  port?: number;
  /** Data directory; default: a fresh mkdtemp directory, removed by cleanup(). */
  dataDir?: string;
  /** Default 2000. */
  tickTime?: number;
  /** Extra zoo.cfg keys, e.g. { extendedTypesEnabled: "true" }. */
  config?: Record<string, string>;
  /**
   * JVM system properties, as ZooKeeper users give them (e.g. the JAAS file,
   * `java.security.auth.login.config`): `-D` flags for the reference server, and the same flags
   * in SERVER_JVMFLAGS for zkts, which reads them from there.
   */
  systemProperties?: Record<string, string>;
  /**
   * Extra JVM flags for the reference server, after its small-machine defaults, so a later
   * `-Xmx2g` wins over the default `-Xmx512m` (benchmarks that hold a million znodes need it).
   * zkts ignores them.
   */
  jvmFlags?: string[];
  /** How long start() and restart() wait for the server to answer `srvr`; default 60000. */
  startTimeoutMs?: number;
}

export const TICK_TIME_DEFAULT = 2000;

/** The zoo.cfg keys both server kinds get, in file order. */
export function zooCfgEntries(port: number, dataDir: string, tickTime: number, extra: Record<string, string> = {}): [string, string][] {
  const base: Record<string, string> = {
    tickTime: String(tickTime),
    dataDir,
    clientPort: String(port),
    clientPortAddress: "127.0.0.1",
    "4lw.commands.whitelist": "*",
    "admin.enableServer": "false",
  };
  return Object.entries({ ...base, ...extra });
}

export function renderZooCfg(entries: [string, string][]): string {
  return entries.map(([key, value]) => `${key}=${value}\n`).join("");
}

export async function writeZooCfg(path: string, entries: [string, string][]): Promise<void> {
  await writeFile(path, renderZooCfg(entries));
}
