import { ErrorCode, type Handshake, JuteReader, OpCode, RequestHeader, Xid, readConnectRequest } from "@zkts/jute";
import { answerHandshake, handleAuthPacket, readWriteOrAnswer } from "../client-session-io.js";
import type { ServerConfig } from "../config.js";
import type { ClientConnection } from "../connection.js";
import { sessionPassword } from "../java-random.js";
import { type Logger, hex } from "../logger.js";
import type { ServerMetrics } from "../metrics.js";
import { DATA_READ_OPS, READ_OPS, TREE_WRITE_OPS } from "../read-requests.js";
import { handleSaslRequest, refuseUnauthenticated } from "../sasl/client-sasl.js";
import type { ClientBackend } from "./client-backend.js";

const REFUSED_WHEN_READ_ONLY: ReadonlySet<number> = new Set(TREE_WRITE_OPS);

export interface ClientFrontDoorOptions {
  config: ServerConfig;
  logger: Logger;
  metrics: Pick<ServerMetrics, "packetsReceived" | "connectionRequests">;
}

/**
 * The client protocol every server speaks alike, written once: the session handshake and
 * each request's path up to the point where a server's own work begins. The server says which
 * backend serves the connection (a member without a leader may have none: the connection
 * closes and the client tries another server), and the front door calls it.
 */
export class ClientFrontDoor {
  constructor(private readonly o: ClientFrontDoorOptions) {}

  /**
   * A ConnectRequest: a client that has seen a newer zxid than this server's is refused (it
   * must not go back in time); the timeout is clamped to the server's bounds; session 0 opens a
   * session, any other is resumed when it is open and the password matches, taking it over from
   * the connection that held it, once the backend says so (an ensemble learner asks its leader).
   */
  handshake(connection: ClientConnection, payload: Buffer, backend: ClientBackend | null): void {
    this.o.metrics.connectionRequests.add();
    if (backend === null) {
      connection.close();
      return;
    }
    const hs = this.readHandshake(connection, payload);
    if (hs === null) return;
    connection.readOnlyByteSent = hs.readOnlyByteSent;
    if (hs.lastZxidSeen > backend.lastProcessedZxid) {
      this.log("info", "refusing session: client has seen a newer zxid", {
        clientZxid: hex(hs.lastZxidSeen),
        serverZxid: hex(backend.lastProcessedZxid),
      });
      connection.close();
      return;
    }
    const { minSessionTimeout, maxSessionTimeout } = this.o.config;
    const timeoutMs = Math.min(Math.max(hs.timeOut, minSessionTimeout), maxSessionTimeout);
    connection.sessionTimeoutMs = timeoutMs;
    if (backend.admits !== undefined && !backend.admits(hs)) {
      connection.close();
      return;
    }
    if (hs.sessionId === 0n) {
      const opened = backend.createSession(timeoutMs, (id) => {
        if (!connection.closed) this.establish(backend, connection, id, timeoutMs);
      });
      if (!opened) connection.close();
      return;
    }
    const password = hs.passwd ?? Buffer.alloc(0);
    if (!backend.mayResumeSession(hs.sessionId) || !password.equals(sessionPassword(hs.sessionId))) {
      this.log("info", "session reattach refused: expired or wrong password", { session: hex(hs.sessionId) });
      answerHandshake(connection, { sessionId: 0n, timeoutMs: 0, valid: false, readOnly: backend.readOnly });
      return;
    }
    backend.attached.takeOver(hs.sessionId, connection);
    const asked = backend.reattachSession(hs.sessionId, timeoutMs, (valid) => {
      if (connection.closed) return;
      if (valid) this.establish(backend, connection, hs.sessionId, timeoutMs);
      else answerHandshake(connection, { sessionId: 0n, timeoutMs: 0, valid: false, readOnly: backend.readOnly });
    });
    if (!asked) connection.close();
  }

  /**
   * A request on an established session. Auth and SASL packets, and a refusal of an
   * unauthenticated client, are answered at once; every other request counts as a sign of
   * the session's life, and once the session is gone only pings are answered. Then the kind of
   * request picks the backend's method: closeSession, sync (or a read wanted linearizable),
   * read, write.
   */
  request(connection: ClientConnection, payload: Buffer, backend: ClientBackend | null): void {
    this.o.metrics.packetsReceived++;
    if (backend === null) {
      connection.close();
      return;
    }
    const { config, logger } = this.o;
    const reader = new JuteReader(payload, 0, payload.length, config.juteMaxBuffer);
    let header;
    try {
      header = RequestHeader.read(reader);
    } catch (err) {
      this.log("warn", "closing connection: unreadable request header", { connection: connection.id, err });
      connection.close();
      return;
    }
    const { xid, type } = header;
    const bodyStart = reader.offset;
    if (type === OpCode.auth) {
      handleAuthPacket(connection, xid, reader, config, logger);
      return;
    }
    if (type === OpCode.sasl) {
      handleSaslRequest(connection, xid, reader, config, logger);
      return;
    }
    if (refuseUnauthenticated(connection, xid, config, logger)) return;
    const sessionLive = backend.touchSession(connection.sessionId);
    if (type === OpCode.ping) {
      connection.enqueue(Xid.ping, () => ({ err: 0, zxid: backend.lastProcessedZxid, body: null }));
      return;
    }
    if (!sessionLive) {
      connection.enqueue(xid, null, { err: ErrorCode.SESSIONEXPIRED, zxid: backend.lastProcessedZxid, body: null });
      return;
    }
    if (type === OpCode.closeSession) {
      backend.submitCloseSession(connection, xid);
      return;
    }
    const linearizable = DATA_READ_OPS.has(type) && (connection.linearizableReads || config.linearizableReads);
    if (type === OpCode.sync || linearizable) {
      backend.sync(connection, xid, type, reader, linearizable);
      return;
    }
    if (READ_OPS.has(type)) {
      connection.enqueue(xid, () => backend.read(type, reader, connection));
      return;
    }
    // Refused by its type alone, before its body is read, as ZooKeeper's ReadOnlyRequestProcessor does.
    if (backend.writesRefused && REFUSED_WHEN_READ_ONLY.has(type)) {
      connection.enqueue(xid, null, { err: ErrorCode.NOTREADONLY, zxid: backend.lastProcessedZxid, body: null });
      return;
    }
    // The write's values are views of the frame: its txn copies them, and the pending change
    // that also holds them lasts only until its commit.
    const body = new JuteReader(payload, bodyStart, payload.length, config.juteMaxBuffer, true);
    const write = readWriteOrAnswer(connection, xid, type, body, backend.lastProcessedZxid, logger);
    if (write !== null) backend.submitWrite(connection, xid, type, payload.subarray(bodyStart), write);
  }

  private readHandshake(connection: ClientConnection, payload: Buffer): Handshake | null {
    try {
      return readConnectRequest(payload, this.o.config.juteMaxBuffer);
    } catch (err) {
      this.log("warn", "closing connection: malformed ConnectRequest", { connection: connection.id, err });
      connection.close();
      return null;
    }
  }

  private establish(backend: ClientBackend, connection: ClientConnection, sessionId: bigint, timeoutMs: number): void {
    if (!answerHandshake(connection, { sessionId, timeoutMs, valid: true, readOnly: backend.readOnly })) return;
    backend.attached.attach(connection);
    connection.sessionEstablished();
    this.log("debug", "session established", { session: hex(sessionId), timeoutMs, readOnly: backend.readOnly });
  }

  private log(level: "debug" | "info" | "warn", message: string, fields: Record<string, unknown>): void {
    this.o.logger.log(level, message, fields);
  }
}
