import { type Logger, type ServerConfig, ZkServer, defaultServerConfig, hex, silentLogger } from "@zkts/server";
import { asyncDispose } from "./dispose-symbol.js";
import { type DataDir, dataDirFor } from "./temp-dir.js";
import { waitUntil } from "./wait.js";

export interface TestServerOptions {
  /**
   * Keep the tree in memory and write nothing to disk. Restart then keeps the tree and the
   * sessions of the stopped server object. Default false: a real data directory, recovered
   * from the log and snapshots on restart as a production server would.
   */
  inMemory?: boolean;
  /** Use this data directory, and keep it at close; default: a temporary one, removed at close. */
  dataDir?: string;
  /** Client port on 127.0.0.1; default 0 (the kernel picks one; restart keeps it). */
  port?: number;
  /** Default 2000 ms, as ZooKeeper: sessions negotiate between 2 and 20 ticks. */
  tickTime?: number;
  /** Any other server setting, e.g. `{ extendedTypesEnabled: true }` for TTL nodes. */
  config?: Partial<ServerConfig>;
  /** Server log lines; default silent. */
  logger?: Logger;
}

/** A zkts server running in this process, for tests. */
export interface TestServer extends AsyncDisposable {
  readonly host: string;
  /** The client port, the same across restarts. */
  readonly port: number;
  /** `127.0.0.1:<port>`, for any ZooKeeper client. */
  readonly connectString: string;
  /** The data directory, or null in memory. */
  readonly dataDir: string | null;
  /** The server object while it runs (a new one after each restart), else null. */
  readonly server: ZkServer | null;
  /** Milliseconds from the call until the port took connections, for the last (re)start. */
  readonly startMs: number;
  /** Sessions the server holds now. */
  sessionIds(): bigint[];
  /**
   * Ends a session as if its timeout had passed: the server logs closeSession (deleting the
   * session's ephemerals and firing their watches) and closes its connection; the client
   * learns of the expiry when it reconnects. Resolves once the session is gone.
   */
  expireSession(sessionId: bigint): Promise<void>;
  /** Stops serving (clients see connection loss) and keeps the data; `start()` resumes. */
  stop(): Promise<void>;
  /** Starts again after `stop()` on the same port and data. */
  start(): Promise<void>;
  /** `stop()` then `start()`. */
  restart(): Promise<void>;
  /** Stops and removes a temporary data directory. Idempotent. */
  close(): Promise<void>;
}

const HOST = "127.0.0.1";
const PREALLOC_BYTES = 1 << 20;
const EXPIRY_WAIT_MS = 10_000;

/** Starts a standalone zkts server in this process on a loopback port. */
export async function startTestServer(options: TestServerOptions = {}): Promise<TestServer> {
  const inMemory = options.inMemory ?? false;
  const dir: DataDir | null = inMemory ? null : await dataDirFor(options.dataDir, "zkts-testing-");
  const server = new EmbeddedServer(options, dir);
  try {
    await server.start();
  } catch (err) {
    await dir?.dispose();
    throw err;
  }
  return server;
}

class EmbeddedServer implements TestServer {
  readonly host = HOST;
  private current: ZkServer | null = null;
  private boundPort: number;
  private lastStartMs = 0;
  /** In memory, what a restart carries over: the tree and the sessions with their timeouts. */
  private kept: { tree: ZkServer["tree"]; sessions: Map<bigint, number> } | null = null;
  private closed = false;
  private readonly logger: Logger;

  constructor(
    private readonly options: TestServerOptions,
    private readonly dir: DataDir | null,
  ) {
    this.boundPort = options.port ?? 0;
    this.logger = options.logger ?? silentLogger;
  }

  get port(): number {
    return this.boundPort;
  }

  get connectString(): string {
    return `${HOST}:${this.boundPort}`;
  }

  get dataDir(): string | null {
    return this.dir?.path ?? null;
  }

  get server(): ZkServer | null {
    return this.current;
  }

  get startMs(): number {
    return this.lastStartMs;
  }

  sessionIds(): bigint[] {
    return this.current === null ? [] : [...this.current.sessionTable().keys()];
  }

  async start(): Promise<void> {
    if (this.closed) throw new Error("the test server is closed");
    if (this.current !== null) return;
    const startedAt = performance.now();
    const config = this.config();
    const server =
      this.kept === null ? await ZkServer.open({ config, logger: this.logger }) : new ZkServer({ config, logger: this.logger, tree: this.kept.tree });
    if (this.kept !== null) {
      for (const [id, timeoutMs] of this.kept.sessions) server.sessions.add(id, timeoutMs, server.nowMs());
      this.kept = null;
    }
    await server.start();
    this.current = server;
    // Port 0 became the kernel's choice; restarts bind that same port again.
    this.boundPort = server.address.port;
    this.lastStartMs = performance.now() - startedAt;
  }

  async stop(): Promise<void> {
    const server = this.current;
    if (server === null) return;
    this.current = null;
    if (this.dir === null) this.kept = { tree: server.tree, sessions: server.sessionTable() };
    await server.stop();
  }

  async restart(): Promise<void> {
    await this.stop();
    await this.start();
  }

  async expireSession(sessionId: bigint): Promise<void> {
    const server = this.current;
    if (server === null) throw new Error("the test server is stopped");
    const session = server.sessions.get(sessionId);
    if (session === undefined || session.closing) throw new Error(`no live session ${hex(sessionId)}`);
    this.logger.log("info", "session expired by the test", { session: hex(sessionId), timeoutMs: session.timeoutMs });
    // The path the expiry timer takes: a closeSession txn with no connection to answer.
    server.closeSession(sessionId, null, null);
    await waitUntil(() => server.sessions.get(sessionId) === undefined, EXPIRY_WAIT_MS, `session ${hex(sessionId)} to close`);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    await this.stop();
    this.closed = true;
    this.kept = null;
    await this.dir?.dispose();
  }

  async [asyncDispose](): Promise<void> {
    await this.close();
  }

  private config(): ServerConfig {
    const dataDir = this.dir?.path ?? "";
    const tickTime = this.options.tickTime ?? this.options.config?.tickTime ?? 2000;
    return defaultServerConfig({
      tickTime,
      dataDir,
      dataLogDir: dataDir,
      // Every four-letter word, as the testkit's servers: tests may probe with them.
      fourLetterWords: "*",
      // Log files grow in 1 MiB steps, not ZooKeeper's 64 MiB: recovery on restart reads the
      // whole preallocated file, which took 0.8 s at 64 MiB and takes 40 ms at 1 MiB.
      preAllocSizeBytes: PREALLOC_BYTES,
      ...this.options.config,
      clientPortAddress: HOST,
      clientPort: this.boundPort,
      inMemory: this.dir === null,
    });
  }
}
