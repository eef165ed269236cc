import type { Socket } from "node:net";
import { type WriteRequest, authenticate } from "@zkts/datatree";
import { AuthPacket, ErrorCode, type Id, JuteError, type JuteReader, type JuteWriter, OpCode, writeConnectResponse, writeMultiResponse } from "@zkts/jute";
import type { ServerConfig } from "./config.js";
import { ClientConnection, type ConnectionHandler } from "./connection.js";
import { sessionPassword } from "./java-random.js";
import { type Logger, hex } from "./logger.js";
import type { AcceptedSocket } from "./tls/secure-accept.js";
import { RequestsInFlight } from "./requests-in-flight.js";
import { x509AuthIds } from "./tls/x509-identity.js";
import { readWrite } from "./write-requests.js";

/**
 * What a standalone server and an ensemble member do alike at the client edge: admit
 * connections under maxClientCnxns, answer the session handshake, and handle AuthPackets.
 */

const EXPIRED_PASSWORD = Buffer.alloc(16);

/**
 * Counts connections per client address and refuses those beyond maxClientCnxns; holds the
 * requests in flight across all connections against globalOutstandingLimit.
 */
export class ConnectionsPerAddress {
  private readonly counts = new Map<string, number>();
  private readonly max: number;
  readonly inFlight: RequestsInFlight;
  rejected = 0;

  constructor(
    config: Pick<ServerConfig, "maxClientCnxns" | "globalOutstandingLimit">,
    private readonly logger: Logger,
  ) {
    this.max = config.maxClientCnxns;
    this.inFlight = new RequestsInFlight(config.globalOutstandingLimit);
  }

  /** Takes a slot for the socket's address, or destroys the socket when there is none. */
  admit(socket: Socket): boolean {
    const ip = (socket.remoteAddress ?? "unknown").replace(/^::ffff:/, "");
    const count = this.counts.get(ip) ?? 0;
    if (this.max > 0 && count >= this.max) {
      this.rejected++;
      this.logger.log("warn", `Too many connections from /${ip} - max is ${this.max}`);
      socket.destroy();
      return false;
    }
    this.counts.set(ip, count + 1);
    return true;
  }

  release(connection: ClientConnection): void {
    const ip = connection.remoteAddress;
    const count = (this.counts.get(ip) ?? 1) - 1;
    if (count <= 0) this.counts.delete(ip);
    else this.counts.set(ip, count);
  }
}

/**
 * A client connection for a socket a client port accepted (after TLS, if any), or null when
 * maxClientCnxns turns it away. A verified client certificate gives the connection its x509
 * id, as ZooKeeper's does once the handshake completes.
 */
export function openClientConnection(
  accepted: AcceptedSocket,
  handler: ConnectionHandler,
  config: Pick<
    ServerConfig,
    | "juteMaxBuffer"
    | "maxOutstandingPerConnection"
    | "clientOutgoingBytesSoft"
    | "clientOutgoingBytesMax"
    | "sessionlessCnxnTimeoutMs"
    | "slowRequestThresholdMs"
    | "x509Auth"
  >,
  admission: ConnectionsPerAddress,
  logger: Logger,
): ClientConnection | null {
  let x509Ids: Id[] = [];
  if (accepted.peerCertificate !== null && config.x509Auth === null) {
    // ZooKeeper 3.8 authenticates every client certificate with its x509 provider and closes
    // the connection when that provider is not loaded (client.portUnification without a
    // secureClientPort or an authProvider naming it): a certificate is never silently ignored.
    logger.log("error", "closing connection: a client certificate arrived but the x509 provider is not loaded");
    accepted.socket.end();
    return null;
  }
  if (accepted.peerCertificate !== null && config.x509Auth !== null) {
    try {
      x509Ids = x509AuthIds(accepted.peerCertificate, config.x509Auth.superUser);
    } catch (err) {
      logger.log("warn", "closing connection: the client certificate's subject cannot be read", { err });
      accepted.socket.destroy();
      return null;
    }
  }
  if (!admission.admit(accepted.socket)) return null;
  const connection = new ClientConnection(accepted.socket, handler, {
    maxBuffer: config.juteMaxBuffer,
    slowRequestThresholdMs: config.slowRequestThresholdMs,
    maxOutstanding: config.maxOutstandingPerConnection,
    outgoingBytesSoft: config.clientOutgoingBytesSoft,
    outgoingBytesMax: config.clientOutgoingBytesMax,
    handshakeTimeoutMs: config.sessionlessCnxnTimeoutMs,
    inFlight: admission.inFlight,
  });
  for (const id of x509Ids) connection.addAuthId(id);
  return connection;
}

/**
 * Answers a ConnectRequest. An invalid answer (expired session, wrong password) is ZooKeeper's:
 * timeout 0, session 0, a zeroed password, then the connection closes. The readOnly byte says
 * what the server is, in a valid answer or not, as ZooKeeper's does. Returns whether the
 * session is now established on the connection.
 */
export function answerHandshake(connection: ClientConnection, reply: { sessionId: bigint; timeoutMs: number; valid: boolean; readOnly: boolean }): boolean {
  const { sessionId, timeoutMs, valid } = reply;
  connection.writeFrame((w) =>
    writeConnectResponse(
      w,
      {
        protocolVersion: 0,
        timeOut: valid ? timeoutMs : 0,
        sessionId: valid ? sessionId : 0n,
        passwd: valid ? sessionPassword(sessionId) : EXPIRED_PASSWORD,
        readOnly: reply.readOnly,
      },
      connection.readOnlyByteSent,
    ),
  );
  if (!valid) {
    connection.closeAfterPendingWrites();
    return false;
  }
  connection.sessionId = sessionId;
  return true;
}

/**
 * Handles an AuthPacket at once, outside the request order, as ZooKeeper does: the ids join
 * the connection's, or AUTHFAILED is answered and the connection closes.
 */
export function handleAuthPacket(
  connection: ClientConnection,
  xid: number,
  reader: JuteReader,
  config: Pick<ServerConfig, "superDigest" | "digestAlgorithm">,
  logger: Logger,
): void {
  let ids = null;
  let scheme: string | null = "?";
  try {
    const packet = AuthPacket.read(reader);
    scheme = packet.scheme;
    if (scheme === ZKTS_AUTH_SCHEME) {
      answerZktsOption(connection, xid, packet.auth);
      return;
    }
    ids = authenticate(packet.scheme, packet.auth, {
      superDigest: config.superDigest,
      digestAlgorithm: config.digestAlgorithm,
    });
  } catch (err) {
    if (!(err instanceof JuteError)) throw err;
  }
  if (ids === null) {
    logger.log("warn", "authentication failed; closing connection", { scheme, session: hex(connection.sessionId) });
    connection.writeReply(xid, { err: ErrorCode.AUTHFAILED, zxid: 0n, body: null });
    connection.closeAfterPendingWrites();
    return;
  }
  for (const id of ids) connection.addAuthId(id);
  connection.writeReply(xid, { err: 0, zxid: 0n, body: null });
}

/**
 * The `zkts` auth scheme turns on per-session options without any client change: a client
 * sends `addauth zkts linearizable-reads` (and re-sends it on every reconnect, as clients do
 * with auth). It adds no identity; an unknown option fails like a bad credential.
 */
const ZKTS_AUTH_SCHEME = "zkts";

function answerZktsOption(connection: ClientConnection, xid: number, auth: Buffer | null): void {
  const option = auth === null ? "" : auth.toString("utf8");
  if (option !== "linearizable-reads") {
    connection.writeReply(xid, { err: ErrorCode.AUTHFAILED, zxid: 0n, body: null });
    connection.closeAfterPendingWrites();
    return;
  }
  connection.linearizableReads = true;
  connection.writeReply(xid, { err: 0, zxid: 0n, body: null });
}

/**
 * Runs a four-letter word if `4lw.commands.whitelist` allows it, and answers as ZooKeeper
 * does when it does not.
 */
export function answerFourLetterWord(
  connection: ClientConnection,
  word: string,
  allowed: ServerConfig["fourLetterWords"],
  run: (word: string) => string,
): void {
  if (allowed !== "*" && !allowed.has(word)) {
    connection.writeTextAndClose(`${word} is not executed because it is not in the whitelist.\n`);
    return;
  }
  connection.writeTextAndClose(run(word));
}

/**
 * A write request's record, or null when the request was answered here instead: a record
 * that does not parse gets MARSHALLINGERROR; an opcode that is no request ZooKeeper knows
 * gets UNIMPLEMENTED, and the connection closes after it, as ZooKeeper does. A multi with a
 * null path in any op gets MARSHALLINGERROR with an empty MultiResponse and no txn: ZooKeeper
 * looks up every op's path before preparing any, fails there with NullPointerException, and
 * answers from an empty result. (It also takes a zxid it never uses; zkts does not, so
 * ZooKeeper's later zxids run one ahead of zkts's after each such multi.)
 */
export function readWriteOrAnswer(
  connection: ClientConnection,
  xid: number,
  type: number,
  reader: JuteReader,
  lastZxid: bigint,
  logger: Logger,
): WriteRequest | null {
  let write: WriteRequest | null;
  try {
    write = readWrite(type, reader);
  } catch (err) {
    if (!(err instanceof JuteError)) throw err;
    connection.enqueue(xid, null, { err: ErrorCode.MARSHALLINGERROR, zxid: lastZxid, body: null });
    return null;
  }
  if (write === null) {
    logger.log("warn", "unknown request type; closing connection", { type, session: hex(connection.sessionId) });
    connection.enqueue(xid, null, { err: ErrorCode.UNIMPLEMENTED, zxid: -1n, body: null, closeAfter: true });
  }
  if (write?.type === OpCode.multi && write.ops.some((op) => op.request.path === null)) {
    const body = (w: JuteWriter) => writeMultiResponse(w, []);
    connection.enqueue(xid, null, { err: ErrorCode.MARSHALLINGERROR, zxid: lastZxid, body });
    return null;
  }
  return write;
}
