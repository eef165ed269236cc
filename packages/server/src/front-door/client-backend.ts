import type { WriteRequest } from "@zkts/datatree";
import type { Handshake, JuteReader } from "@zkts/jute";
import type { ClientConnection, Reply } from "../connection.js";
import type { SessionConnections } from "./session-connections.js";

/**
 * What a server does behind the client front door: the standalone server, an ensemble member
 * with a leader, and a member's read-only server each are one. The front door has decoded the
 * request, handled auth and SASL, checked the session and picked the kind of request; the
 * backend runs it. Every method that takes an `xid` answers it on `connection`, at once or
 * later (connection.enqueue), or closes the connection when the outcome cannot be known.
 */
export interface ClientBackend {
  /** The zxid of the last transaction applied here: replies carry it, and a client that saw a later one is refused. */
  readonly lastProcessedZxid: bigint;
  /** Handshake answers say the server is read-only, so the client knows to look for a read-write one. */
  readonly readOnly: boolean;
  /** True while every change to the tree is refused with NOTREADONLY (reads and sessions still work). */
  readonly writesRefused: boolean;
  /** The connections that hold this backend's sessions. */
  readonly attached: SessionConnections;

  /**
   * Whether the client's handshake may open or resume a session here at all; false closes the
   * connection, and the client tries another server. Absent: every client may.
   */
  admits?(hs: Handshake): boolean;
  /** Opens a session; `established` gets its id once it exists. False when it cannot be opened (no leader). */
  createSession(timeoutMs: number, established: (sessionId: bigint) => void): boolean;
  /**
   * Whether a reconnecting client may go on to reattachSession: false refuses it at once (the
   * session is gone or closing here). A server that answers for its sessions itself says
   * whether the session is live; an ensemble learner asks its leader instead, as ZooKeeper's
   * learners do, since a session created a moment ago may not be applied here yet.
   */
  mayResumeSession(sessionId: bigint): boolean;
  /**
   * A client reconnected with an open session, asking for `timeoutMs`: `answer` says whether
   * it may have it, at once or, on an ensemble learner, once the leader has confirmed the
   * session. False when it cannot be asked now (no leader).
   */
  reattachSession(sessionId: bigint, timeoutMs: number, answer: (valid: boolean) => void): boolean;
  /** Counts a request as a sign of the session's life; false when the session is gone or closing. */
  touchSession(sessionId: bigint): boolean;

  /** A read against the tree as applied here, run when it reaches the head of the connection's queue. */
  read(type: number, reader: JuteReader, connection: ClientConnection): Reply;
  /** A sync, or a read the session wants linearizable (`linearizable`). */
  sync(connection: ClientConnection, xid: number, type: number, reader: JuteReader, linearizable: boolean): void;
  /** A write that parsed; `body` is the request's bytes after its header, as a learner forwards them. */
  submitWrite(connection: ClientConnection, xid: number, type: number, body: Buffer, write: WriteRequest): void;
  /** The client's closeSession. */
  submitCloseSession(connection: ClientConnection, xid: number): void;
}
