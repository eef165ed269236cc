import { DataTree, type DataTreeOptions, Preparer, type WriteRequest } from "@zkts/datatree";
import { type JuteReader, OpCode } from "@zkts/jute";
import type { ServerConfig } from "./config.js";
import type { ClientConnection, Reply } from "./connection.js";
import { runFourLetterWord } from "./four-letter-words.js";
import { type Logger, hex, silentLogger } from "./logger.js";
import { ServerMetrics } from "./metrics.js";
import { reportDigestMismatch } from "./digest-report.js";
import { AuditLog, auditEventsOf, auditOrigin, serverUser, sessionCloseEvents } from "./audit-log.js";
import { ReadRequests } from "./read-requests.js";
import { SessionTracker } from "./session-tracker.js";
import { type TxnPersistence, TxnPipeline, inMemoryPersistence } from "./txn-pipeline.js";
import { ClientListeners } from "./listener.js";
import { answerFourLetterWord } from "./client-session-io.js";
import { authOf } from "./auth-config.js";
import { replyForWrite } from "./write-requests.js";
import { DurableStore } from "./persistence/durable-store.js";
import type { ClientBackend } from "./front-door/client-backend.js";
import { ClientFrontDoor } from "./front-door/front-door.js";
import { type ClientConnectionsServer, ClientPorts } from "./front-door/client-ports.js";
import { SessionConnections } from "./front-door/session-connections.js";

export interface ZkServerOptions {
  config: ServerConfig;
  logger?: Logger;
  tree?: DataTree;
  persistence?: TxnPersistence;
  /** Wall clock in ms; tests may pass their own. */
  now?: () => number;
}

/**
 * A standalone zkts server: client connections, sessions, the request pipeline and the
 * periodic jobs (session expiry, container and TTL cleanup).
 */
export class ZkServer implements ClientConnectionsServer, ClientBackend {
  readonly config: ServerConfig;
  readonly tree: DataTree;
  readonly preparer: Preparer;
  readonly pipeline: TxnPipeline;
  readonly sessions: SessionTracker;
  readonly metrics: ServerMetrics;
  /** audit.enable: ZooKeeper's audit log, written as marked records of the server's log. */
  private readonly audit: AuditLog | null;
  readonly attached = new SessionConnections();
  private readonly door: ClientFrontDoor;
  private readonly ports: ClientPorts;
  private readonly reads: ReadRequests;
  private readonly logger: Logger;
  readonly now: () => number;
  /** The durable store, unless the server runs in memory. */
  store: DurableStore | null = null;
  private timers: NodeJS.Timeout[] = [];
  private stopping = false;

  /** Requests taken from clients and not yet answered (ZooKeeper's outstanding requests). */
  get requestsInFlight(): number {
    return this.ports.requestsInFlight;
  }

  /** Every open client connection, with or without a session yet. */
  get connections(): Set<ClientConnection> {
    return this.ports.connections;
  }

  constructor(options: ZkServerOptions) {
    this.config = options.config;
    this.logger = options.logger ?? silentLogger;
    this.now = options.now ?? Date.now;
    const auth = authOf(this.config);
    this.tree = options.tree ?? new DataTree(treeOptionsOf(this.config));
    this.preparer = new Preparer(this.tree, {
      auth,
      extendedTypesEnabled: this.config.extendedTypesEnabled,
      enforceQuota: this.config.enforceQuota,
      reconfigEnabled: this.config.reconfigEnabled,
    });
    this.pipeline = new TxnPipeline(
      this.tree,
      this.preparer,
      options.persistence ?? inMemoryPersistence,
      (err) => this.onPersistenceFailure(err),
      (mismatch) => reportDigestMismatch(this.logger, "applying a txn", mismatch),
    );
    this.sessions = new SessionTracker(this.config.tickTime, this.config.serverId, this.now());
    this.metrics = new ServerMetrics(this.now());
    this.audit = this.config.auditEnabled ? new AuditLog(this.logger) : null;
    this.reads = new ReadRequests(this.tree, auth);
    this.ports = new ClientPorts({ config: this.config, logger: this.logger, server: this, metrics: this.metrics });
    this.door = new ClientFrontDoor({ config: this.config, logger: this.logger, metrics: this.metrics });
  }

  /**
   * Recovers the tree and sessions from the data directory (unless `config.inMemory`), begins
   * the start-up snapshot ZooKeeper takes, and returns a server ready to `start()`.
   */
  static async open(options: ZkServerOptions): Promise<ZkServer> {
    if (options.config.inMemory) return new ZkServer(options);
    const logger = options.logger ?? silentLogger;
    // Claim the client port before touching the data directory, so a second server started
    // by mistake on the same directory fails before it repairs or snapshots anything.
    const listener = await ClientListeners.open(options.config, logger);
    try {
      const { store, state } = await DurableStore.open(options.config, logger, treeOptionsOf(options.config), Math.random);
      const server = new ZkServer({ ...options, tree: state.tree, persistence: store });
      server.store = store;
      server.ports.adopt(listener);
      server.metrics.dbInitTime.observe(state.loadMs);
      store.reportTimingsTo(server.metrics);
      const now = server.now();
      for (const [id, timeoutMs] of state.sessions) server.sessions.add(id, timeoutMs, now);
      store.setSessionsProvider(() => server.sessionTable());
      // ZooKeeper serves only once its start-up snapshot is written; this one is written while
      // serving (see startSnapshotInBackground), so a large tree does not keep clients waiting.
      store.startSnapshotInBackground();
      store.start();
      return server;
    } catch (err) {
      await listener.close();
      throw err;
    }
  }

  /** Live sessions and their timeouts, as snapshots record them. */
  sessionTable(): Map<bigint, number> {
    return this.sessions.timeouts();
  }

  log(level: "debug" | "info" | "warn" | "error", message: string, fields?: Record<string, unknown>): void {
    this.logger.log(level, message, fields);
  }

  nowMs(): number {
    return this.now();
  }

  /** The first client port (the plain one when there is one). */
  get address(): { host: string; port: number } {
    const first = this.ports.addresses()[0];
    return first === undefined ? { host: this.config.clientPortAddress, port: 0 } : { host: first.host, port: first.port };
  }

  /** The TLS-only client port (secureClientPort), if bound. */
  get secureAddress(): { host: string; port: number } | null {
    const secure = this.ports.addresses().find((a) => a.mode === "tls");
    return secure === undefined ? null : { host: secure.host, port: secure.port };
  }

  async start(): Promise<void> {
    await this.ports.start();
    this.timers.push(setInterval(() => this.expireSessions(), this.config.tickTime));
    this.timers.push(setInterval(() => this.reapContainers(), this.config.containerCheckIntervalMs));
    for (const t of this.timers) t.unref();
    const { host, port } = this.address;
    this.log("info", "serving clients", { address: `${host}:${port}` });
    this.audit?.write({ user: serverUser(), operation: "serverStart", result: "success" });
  }

  async stop(): Promise<void> {
    if (!this.stopping) this.audit?.write({ user: serverUser(), operation: "serverStop", result: "invoked" });
    this.stopping = true;
    for (const t of this.timers) clearInterval(t);
    this.timers = [];
    await this.ports.stop();
    await this.store?.close();
  }

  // ---- connections ---------------------------------------------------------------------------

  onHandshake(connection: ClientConnection, payload: Buffer): void {
    this.door.handshake(connection, payload, this);
  }

  onRequest(connection: ClientConnection, payload: Buffer): void {
    this.door.request(connection, payload, this);
  }

  onClose(connection: ClientConnection): void {
    this.attached.detach(connection);
    this.tree.removeWatcher(connection);
  }

  onFourLetterWord(connection: ClientConnection, word: string): void {
    answerFourLetterWord(connection, word, this.config.fourLetterWords, (w) => runFourLetterWord(this, w));
  }

  // ---- the client front door's backend --------------------------------------------------

  /** True once the log failed: the server then answers reads and refuses every write. */
  get writesRefused(): boolean {
    return this.pipeline.failed !== null;
  }

  /** A server whose log failed says it is read-only, as ZooKeeper's read-only server does. */
  get readOnly(): boolean {
    return this.writesRefused;
  }

  get lastProcessedZxid(): bigint {
    return this.tree.lastProcessedZxid;
  }

  createSession(timeoutMs: number, established: (sessionId: bigint) => void): boolean {
    const id = this.sessions.createId();
    this.sessions.add(id, timeoutMs, this.now());
    if (this.writesRefused) {
      // Nothing can be logged any more: the session lives in this process only, as a
      // read-only server's sessions do.
      established(id);
      return true;
    }
    const zxid = this.pipeline.nextZxid();
    this.pipeline.submit(
      { clientId: id, cxid: 0, zxid, time: BigInt(this.now()), type: OpCode.createSession },
      { type: OpCode.createSession, txn: { timeOut: timeoutMs } },
      () => established(id),
    );
    return true;
  }

  mayResumeSession(sessionId: bigint): boolean {
    return this.sessions.isOpen(sessionId);
  }

  reattachSession(sessionId: bigint, timeoutMs: number, answer: (valid: boolean) => void): boolean {
    this.sessions.touch(sessionId, this.now());
    this.sessions.get(sessionId)!.timeoutMs = timeoutMs;
    answer(true);
    return true;
  }

  touchSession(sessionId: bigint): boolean {
    return this.sessions.touch(sessionId, this.now());
  }

  read(type: number, reader: JuteReader, connection: ClientConnection): Reply {
    return this.reads.run(type, reader, connection);
  }

  /** A standalone server's tree is the only one: a sync, and every read, is linearizable as it is. */
  sync(connection: ClientConnection, xid: number, type: number, reader: JuteReader): void {
    connection.enqueue(xid, () => this.read(type, reader, connection));
  }

  submitWrite(connection: ClientConnection, xid: number, _type: number, _body: Buffer, write: WriteRequest): void {
    const zxid = this.pipeline.nextZxid();
    const time = BigInt(this.now());
    const body = this.preparer.prepare(write, {
      sessionId: connection.sessionId,
      authInfo: connection.authInfo,
      zxid,
      time,
    });
    const entry = connection.enqueue(xid, null);
    this.pipeline.submit({ clientId: connection.sessionId, cxid: xid, zxid, time, type: write.type }, body, (result) => {
      if (this.audit !== null) {
        for (const event of auditEventsOf(write, body, result, auditOrigin(connection.sessionId, connection.authInfo))) this.audit.write(event);
      }
      connection.complete(entry, replyForWrite(write.type, body, result, this.tree.lastProcessedZxid));
    });
  }

  submitCloseSession(connection: ClientConnection, xid: number): void {
    this.closeSession(connection.sessionId, connection, xid);
  }

  // ---- sessions ------------------------------------------------------------------------------

  /** Closes a session through the log, deleting its ephemerals; replies to `xid` if given. */
  closeSession(sessionId: bigint, connection: ClientConnection | null, xid: number | null): void {
    this.sessions.setClosing(sessionId);
    if (this.writesRefused) {
      this.sessions.remove(sessionId);
      if (connection !== null && xid !== null) {
        connection.enqueue(xid, null, { err: 0, zxid: this.tree.lastProcessedZxid, body: null, closeAfter: true });
      }
      return;
    }
    const zxid = this.pipeline.nextZxid();
    const body = this.preparer.prepareCloseSession(sessionId, zxid);
    const entry = connection !== null && xid !== null ? connection.enqueue(xid, null) : null;
    this.pipeline.submit({ clientId: sessionId, cxid: xid ?? 0, zxid, time: BigInt(this.now()), type: OpCode.closeSession }, body, () => {
      for (const event of this.audit === null ? [] : sessionCloseEvents(sessionId, body, serverUser())) this.audit!.write(event);
      this.sessions.remove(sessionId);
      const attached = this.attached.release(sessionId);
      if (entry !== null && connection !== null) {
        connection.complete(entry, { err: 0, zxid: this.tree.lastProcessedZxid, body: null, closeAfter: true });
      }
      if (attached !== undefined && attached !== connection) attached.closeAfterPendingWrites();
    });
  }

  private expireSessions(): void {
    if (this.stopping) return;
    for (const session of this.sessions.takeExpired(this.now())) {
      this.log("info", "session expired", { session: hex(session.id), timeoutMs: session.timeoutMs });
      this.closeSession(session.id, null, null);
    }
  }

  private reapContainers(): void {
    if (this.stopping || this.pipeline.failed !== null) return;
    const limit = Math.max(1, Math.floor(this.config.containerMaxPerMinute * (this.config.containerCheckIntervalMs / 60000)));
    const candidates = this.tree.expiryCandidates(BigInt(this.now()), BigInt(this.config.containerMaxNeverUsedIntervalMs)).slice(0, limit);
    for (const path of candidates) {
      const zxid = this.pipeline.nextZxid();
      const time = BigInt(this.now());
      const body = this.preparer.prepare({ type: OpCode.deleteContainer, path }, { sessionId: 0n, authInfo: [], zxid, time });
      this.pipeline.submit({ clientId: 0n, cxid: 0, zxid, time, type: OpCode.deleteContainer }, body, () => {});
    }
  }

  private onPersistenceFailure(err: Error): void {
    this.log("error", "cannot persist transactions; serving reads only and refusing every write until restarted (writes get NOTREADONLY)", { err });
    // The writes in flight were not acknowledged and may or may not be on disk: closing their
    // connections reports that to their clients as connection loss, an unknown outcome.
    for (const c of this.connections) c.close();
  }
}

function treeOptionsOf(config: ServerConfig): DataTreeOptions {
  return {
    auth: authOf(config),
    // Decides whether a 0xFF-prefixed ephemeralOwner is a TTL node or server 255's session.
    extendedTypesEnabled: config.extendedTypesEnabled,
    digestEnabled: config.digestEnabled,
  };
}
