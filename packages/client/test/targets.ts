import { readFileSync } from "node:fs";
import { startServer, type ServerKind } from "@zkts/testkit";
import { startTestServer } from "@zkts/testing";

/**
 * Which servers the integration suites run against: both by default. While one side is
 * unavailable during development, ZKTS_TEST_TARGETS=reference (or zkts) narrows the run.
 */
export const targets: ServerKind[] = (process.env.ZKTS_TEST_TARGETS ?? "reference,zkts")
  .split(",")
  .map((s) => s.trim())
  .filter((s): s is ServerKind => s === "reference" || s === "zkts");

/** What the suites need of a server, whichever kind runs it. */
export interface TargetServer {
  readonly kind: ServerKind;
  readonly host: string;
  readonly port: number;
  readonly connectString: string;
  /** Stop and start again on the same port and data. */
  restart(): Promise<void>;
  /** Stop and remove the data directory. */
  cleanup(): Promise<void>;
  /** What a failed test prints about the server: its process and the end of its log. */
  describe(): string;
}

export interface TargetOptions {
  tickTime?: number;
  /** zoo.cfg keys, for the reference server; zkts takes the ones it knows (see ZKTS_CONFIG_KEYS). */
  config?: Record<string, string>;
}

/** zoo.cfg keys the suites set, as the embedded zkts server's settings. */
const ZKTS_CONFIG_KEYS: Record<string, (value: string) => Record<string, unknown>> = {
  extendedTypesEnabled: (value) => ({ extendedTypesEnabled: value === "true" }),
};

/**
 * The reference ZooKeeper as a child process (@zkts/testkit): the oracle the differential
 * suites compare against. zkts in this process (@zkts/testing): a temp data dir, port 0.
 */
export async function startTarget(kind: ServerKind, options: TargetOptions = {}): Promise<TargetServer> {
  if (kind === "reference") {
    const server = await startServer(kind, options);
    return Object.assign(server, {
      describe: () => `reference pid ${server.pid ?? "none (exited)"}, log ${server.logPath}:\n${readFileSync(server.logPath, "utf8").slice(-4000)}`,
    });
  }
  const config: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(options.config ?? {})) {
    const translate = ZKTS_CONFIG_KEYS[key];
    if (translate === undefined) throw new Error(`startTarget: zoo.cfg key ${key} has no zkts translation yet`);
    Object.assign(config, translate(value));
  }
  const server = await startTestServer({ tickTime: options.tickTime, config });
  return {
    kind,
    host: server.host,
    get port() {
      return server.port;
    },
    get connectString() {
      return server.connectString;
    },
    restart: () => server.restart(),
    cleanup: () => server.close(),
    describe: () => `zkts in this process on port ${server.port}`,
  };
}
