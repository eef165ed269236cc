import { ErrorCode, type Handshake, JuteReader, OpCode, RequestHeader, Xid } from "@zkts/jute";
import type { SoftState } from "@zkts/zab";
import { answerHandshake, handleAuthPacket } from "../client-session-io.js";
import { handleSaslRequest, refuseUnauthenticated } from "../sasl/client-sasl.js";
import type { ClientConnection } from "../connection.js";
import { sessionPassword } from "../java-random.js";
import { type Logger, hex } from "../logger.js";
import type { ServerConfig } from "../config.js";
import { DATA_READ_OPS, READ_OPS, TREE_WRITE_OPS } from "../read-requests.js";
import { SessionTracker } from "../session-tracker.js";
import type { Replica } from "./replica.js";

/**
 * The requests ZooKeeper's ReadOnlyRequestProcessor answers with NOTREADONLY: everything that
 * would change the tree, and sync, which needs a leader.
 */
const REFUSED_OPS: ReadonlySet<number> = new Set([OpCode.sync, ...TREE_WRITE_OPS]);

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
export class ReadOnlyServer {
  /** This period's sessions; null while the read-only server is not running. */
  private sessions: SessionTracker | null = null;
  private readonly clients = new Set<ClientConnection>();
  private readonly bySession = new Map<bigint, ClientConnection>();
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
    return this.clients.has(connection);
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
    const clients = [...this.clients];
    this.clients.clear();
    this.bySession.clear();
    for (const c of clients) c.close();
    this.o.logger.log("info", "read-only server stopped", { clientsClosed: clients.length });
  }

  private start(): void {
    const { tickTime, serverId } = this.o.config;
    this.sessions = new SessionTracker(tickTime, serverId, Date.now());
    this.expiry = setInterval(() => this.expireSessions(), tickTime);
    this.o.logger.log("info", "read-only server started");
  }

  /**
   * A handshake while the member has no quorum. A client that cannot be read-only, or that
   * brings a global session (it cannot move here without a leader), finds its connection
   * closed and tries another server, as with ZooKeeper.
   */
  handshake(connection: ClientConnection, hs: Handshake, timeoutMs: number): void {
    const sessions = this.sessions;
    if (sessions === null || !hs.readOnly) {
      connection.close();
      return;
    }
    const now = Date.now();
    if (hs.sessionId === 0n) {
      const id = sessions.createId();
      sessions.add(id, timeoutMs, now);
      this.establish(connection, id, timeoutMs);
      return;
    }
    if (this.o.replica.sessions.get(hs.sessionId) !== undefined) {
      this.o.logger.log("info", "refusing a global session in read-only mode", { session: hex(hs.sessionId) });
      connection.close();
      return;
    }
    const password = hs.passwd ?? Buffer.alloc(0);
    if (!password.equals(sessionPassword(hs.sessionId)) || !sessions.touch(hs.sessionId, now)) {
      answerHandshake(connection, { sessionId: 0n, timeoutMs: 0, valid: false, readOnly: true });
      return;
    }
    const previous = this.bySession.get(hs.sessionId);
    if (previous !== undefined && previous !== connection) previous.close();
    this.establish(connection, hs.sessionId, timeoutMs);
  }

  onRequest(connection: ClientConnection, payload: Buffer): void {
    const sessions = this.sessions;
    if (sessions === null) {
      connection.close();
      return;
    }
    const config = this.o.config;
    const reader = new JuteReader(payload, 0, payload.length, config.juteMaxBuffer);
    let header;
    try {
      header = RequestHeader.read(reader);
    } catch {
      connection.close();
      return;
    }
    const { xid, type } = header;
    if (type === OpCode.auth) {
      handleAuthPacket(connection, xid, reader, config, this.o.logger);
      return;
    }
    if (type === OpCode.sasl) {
      handleSaslRequest(connection, xid, reader, config, this.o.logger);
      return;
    }
    if (refuseUnauthenticated(connection, xid, config, this.o.logger)) return;
    const replica = this.o.replica;
    const live = sessions.touch(connection.sessionId, Date.now());
    if (type === OpCode.ping) {
      connection.enqueue(Xid.ping, () => ({ err: 0, zxid: replica.tree.lastProcessedZxid, body: null }));
      return;
    }
    if (!live) {
      connection.enqueue(xid, null, { err: ErrorCode.SESSIONEXPIRED, zxid: replica.tree.lastProcessedZxid, body: null });
      return;
    }
    if (type === OpCode.closeSession) {
      this.forget(connection.sessionId);
      connection.enqueue(xid, null, { err: 0, zxid: replica.tree.lastProcessedZxid, body: null, closeAfter: true });
      return;
    }
    // A read promised to be linearizable needs a leader to confirm it, so it is refused too.
    const mustBeConfirmed = DATA_READ_OPS.has(type) && (connection.linearizableReads || config.linearizableReads);
    if (REFUSED_OPS.has(type) || mustBeConfirmed) {
      connection.enqueue(xid, null, { err: ErrorCode.NOTREADONLY, zxid: replica.tree.lastProcessedZxid, body: null });
      return;
    }
    if (READ_OPS.has(type)) {
      connection.enqueue(xid, () => replica.read(type, reader, connection));
      return;
    }
    connection.enqueue(xid, null, { err: ErrorCode.UNIMPLEMENTED, zxid: -1n, body: null, closeAfter: true });
  }

  onClose(connection: ClientConnection): void {
    if (!this.clients.delete(connection)) return;
    if (this.bySession.get(connection.sessionId) === connection) this.bySession.delete(connection.sessionId);
  }

  private establish(connection: ClientConnection, sessionId: bigint, timeoutMs: number): void {
    if (!answerHandshake(connection, { sessionId, timeoutMs, valid: true, readOnly: true })) return;
    this.clients.add(connection);
    this.bySession.set(sessionId, connection);
    connection.sessionEstablished();
    this.o.logger.log("debug", "read-only session established", { session: hex(sessionId), timeoutMs });
  }

  /** A session that timed out ends here, with its connection, as a local session does in ZooKeeper. */
  private expireSessions(): void {
    const sessions = this.sessions;
    if (sessions === null) return;
    for (const session of sessions.takeExpired(Date.now())) {
      this.o.logger.log("info", "read-only session expired", { session: hex(session.id), timeoutMs: session.timeoutMs });
      const connection = this.bySession.get(session.id);
      this.forget(session.id);
      connection?.close();
    }
  }

  private forget(sessionId: bigint): void {
    this.sessions?.remove(sessionId);
    this.bySession.delete(sessionId);
  }
}
