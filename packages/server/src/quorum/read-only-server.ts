import { ErrorCode, type Handshake, type JuteReader } from "@zkts/jute";
import type { SoftState } from "@zkts/zab";
import type { ClientConnection, Reply } from "../connection.js";
import type { ClientBackend } from "../front-door/client-backend.js";
import { SessionConnections } from "../front-door/session-connections.js";
import { type Logger, hex } from "../logger.js";
import type { ServerConfig } from "../config.js";
import { SessionTracker } from "../session-tracker.js";
import type { Replica } from "./replica.js";

/** ZooKeeper's lower bound on how long a member looks for a leader before it serves read-only. */
const GRACE_MS_MIN = 2000;

export interface ReadOnlyServerOptions {
  config: ServerConfig;
  replica: Replica;
  logger: Logger;
}

/**
 * A member's read-only server (`readonlymode.enabled`), as ZooKeeper's ReadOnlyZooKeeperServer:
 * once the member has looked for a leader for a grace period (2 s, or a tick if longer) it
 * serves the clients that said they can be read-only. Their sessions are local to the member
 * and to this period: ids from a fresh tracker (server id on top, as every session id), expiry
 * here, nothing through a leader. Reads run on whatever tree the member last applied; every
 * write, and sync, is refused with NOTREADONLY. When the member has a leader again (or leads)
 * the read-only server stops and closes its clients' connections, so they reconnect and get
 * read-write sessions.
 */
export class ReadOnlyServer implements ClientBackend {
  /** This period's sessions; null while the read-only server is not running. */
  private sessions: SessionTracker | null = null;
  readonly attached = new SessionConnections();
  readonly readOnly = true;
  readonly writesRefused = true;
  private grace: NodeJS.Timeout | null = null;
  private expiry: NodeJS.Timeout | null = null;

  constructor(private readonly o: ReadOnlyServerOptions) {}

  get running(): boolean {
    return this.sessions !== null;
  }

  /** Local sessions open on the read-only server. */
  get sessionCount(): number {
    return this.sessions?.size ?? 0;
  }

  /** The sessions' expiry buckets, earliest first (for `dump`). */
  expiryBuckets(): ReturnType<SessionTracker["expiryBuckets"]> {
    return this.sessions?.expiryBuckets() ?? [];
  }

  /** Whether `connection` holds one of this server's sessions. */
  serves(connection: ClientConnection): boolean {
    return this.attached.holds(connection);
  }

  /**
   * Follows the member's role as ZooKeeper's QuorumPeer does: looking for a leader arms the
   * grace period, after which the server starts if the member is still looking; any other
   * role stops it.
   */
  onRole(role: SoftState["role"]): void {
    if (role !== "LOOKING") {
      this.stop();
      return;
    }
    if (this.running || this.grace !== null) return;
    this.grace = setTimeout(
      () => {
        this.grace = null;
        if (this.o.replica.role === "LOOKING") this.start();
      },
      Math.max(GRACE_MS_MIN, this.o.config.tickTime),
    );
  }

  /** Stops serving: the sessions are forgotten and their connections closed. */
  stop(): void {
    if (this.grace !== null) clearTimeout(this.grace);
    this.grace = null;
    if (this.expiry !== null) clearInterval(this.expiry);
    this.expiry = null;
    if (this.sessions === null) return;
    this.sessions = null;
    const clients = this.attached.releaseAll();
    for (const c of clients) c.close();
    this.o.logger.log("info", "read-only server stopped", { clientsClosed: clients.length });
  }

  private start(): void {
    const { tickTime, serverId } = this.o.config;
    this.sessions = new SessionTracker(tickTime, serverId, Date.now());
    this.expiry = setInterval(() => this.expireSessions(), tickTime);
    this.o.logger.log("info", "read-only server started");
  }

  // ---- the client front door's backend ----------------------------------------------------

  get lastProcessedZxid(): bigint {
    return this.o.replica.tree.lastProcessedZxid;
  }

  /**
   * A handshake while the member has no quorum. A client that cannot be read-only, or that
   * brings a global session (it cannot move here without a leader), finds its connection
   * closed and tries another server, as with ZooKeeper.
   */
  admits(hs: Handshake): boolean {
    if (this.sessions === null || !hs.readOnly) return false;
    if (hs.sessionId !== 0n && this.o.replica.sessions.get(hs.sessionId) !== undefined) {
      this.o.logger.log("info", "refusing a global session in read-only mode", { session: hex(hs.sessionId) });
      return false;
    }
    return true;
  }

  createSession(timeoutMs: number, established: (sessionId: bigint) => void): boolean {
    const sessions = this.sessions;
    if (sessions === null) return false;
    const id = sessions.createId();
    sessions.add(id, timeoutMs, Date.now());
    established(id);
    return true;
  }

  mayResumeSession(sessionId: bigint): boolean {
    return this.sessions?.isOpen(sessionId) ?? false;
  }

  reattachSession(sessionId: bigint, _timeoutMs: number, answer: (valid: boolean) => void): boolean {
    this.touchSession(sessionId);
    answer(true);
    return true;
  }

  touchSession(sessionId: bigint): boolean {
    return this.sessions?.touch(sessionId, Date.now()) ?? false;
  }

  read(type: number, reader: JuteReader, connection: ClientConnection): Reply {
    return this.o.replica.read(type, reader, connection);
  }

  /** A sync needs a leader, and so does a read promised to be linearizable (to confirm it): both are refused. */
  sync(connection: ClientConnection, xid: number): void {
    this.refuse(connection, xid);
  }

  /** Not reached: the front door refuses every write by its type while writesRefused. */
  submitWrite(connection: ClientConnection, xid: number): void {
    this.refuse(connection, xid);
  }

  /** The session ends here at once: it is local, and nothing goes through a leader. */
  submitCloseSession(connection: ClientConnection, xid: number): void {
    this.forget(connection.sessionId);
    connection.enqueue(xid, null, { err: 0, zxid: this.lastProcessedZxid, body: null, closeAfter: true });
  }

  onClose(connection: ClientConnection): void {
    this.attached.detach(connection);
  }

  private refuse(connection: ClientConnection, xid: number): void {
    connection.enqueue(xid, null, { err: ErrorCode.NOTREADONLY, zxid: this.lastProcessedZxid, body: null });
  }

  /** A session that timed out ends here, with its connection, as a local session does in ZooKeeper. */
  private expireSessions(): void {
    const sessions = this.sessions;
    if (sessions === null) return;
    for (const session of sessions.takeExpired(Date.now())) {
      this.o.logger.log("info", "read-only session expired", { session: hex(session.id), timeoutMs: session.timeoutMs });
      this.forget(session.id)?.close();
    }
  }

  /** Ends a session; returns the connection that held it, if any. */
  private forget(sessionId: bigint): ClientConnection | undefined {
    this.sessions?.remove(sessionId);
    return this.attached.release(sessionId);
  }
}
