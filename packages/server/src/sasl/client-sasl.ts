import { randomBytes } from "node:crypto";
import { ErrorCode, GetSASLRequest, JuteError, type JuteReader, SetSASLResponse } from "@zkts/jute";
import { DigestMd5Server, SaslError, ZOOKEEPER_DIGEST } from "@zkts/sasl";
import type { ServerConfig } from "../config.js";
import type { ClientConnection } from "../connection.js";
import { type Logger, hex } from "../logger.js";

/**
 * The `sasl` request (opcode 102) and enforced authentication at the client edge, as
 * ZooKeeper 3.8's ZooKeeperServer.processSasl and AuthenticationHelper do them. Both answer at
 * once, outside the request order, as ZooKeeper does.
 */

/** One DIGEST-MD5 exchange per connection, made at its first sasl request. */
const exchanges = new WeakMap<ClientConnection, DigestMd5Server>();

/** 30 random bytes in base64, the size of the nonces Java's DIGEST-MD5 server makes. */
function freshNonce(): string {
  return randomBytes(30).toString("base64");
}

export function handleSaslRequest(
  connection: ClientConnection,
  xid: number,
  reader: JuteReader,
  config: Pick<ServerConfig, "clientSasl" | "enforceAuth">,
  logger: Logger,
): void {
  let token: Buffer | null;
  try {
    token = GetSASLRequest.read(reader).token;
  } catch (err) {
    if (!(err instanceof JuteError)) throw err;
    logger.log("warn", "closing connection: unreadable sasl request", { session: hex(connection.sessionId) });
    connection.close();
    return;
  }
  const sasl = config.clientSasl;
  if (sasl === null || token === null) {
    // Without a JAAS Server section ZooKeeper has no SASL server for the connection, and a
    // null token never reaches it: either way an empty answer that authenticates nothing.
    if (sasl === null) logger.log("warn", "a client asked for SASL but no JAAS Server section is configured", { session: hex(connection.sessionId) });
    connection.writeReply(xid, { err: 0, zxid: 0n, body: (w) => SetSASLResponse.write(w, { token: null }) });
    return;
  }
  let exchange = exchanges.get(connection);
  const opening = exchange === undefined;
  if (exchange === undefined) {
    exchange = new DigestMd5Server({
      ...ZOOKEEPER_DIGEST,
      passwordOf: (user) => passwordOf(sasl, user),
      // ZooKeeper's SaslServerCallbackHandler authorizes every authenticated user under its
      // own (Kerberos-shortened) name, which for DIGEST user names is the name itself.
      authorize: (authenticationId) => authenticationId,
      nonce: freshNonce,
    });
    exchanges.set(connection, exchange);
  }
  let answer: Buffer;
  try {
    if (opening && token.length > 0) {
      logger.log("warn", "a client opened SASL with an initial token: Kerberos (GSSAPI) is not supported, only DIGEST-MD5", {
        session: hex(connection.sessionId),
      });
    }
    answer = exchange.evaluate(token);
  } catch (err) {
    if (!(err instanceof SaslError)) throw err;
    failExchange(connection, xid, err, config, logger);
    return;
  }
  if (exchange.complete) {
    const id = exchange.authorizationId!;
    connection.addAuthId({ scheme: "sasl", id });
    if (sasl.superUsers.includes(id)) connection.addAuthId({ scheme: "super", id: "" });
    logger.log("info", "SASL authenticated", { session: hex(connection.sessionId), id, superUser: sasl.superUsers.includes(id) });
  }
  connection.writeReply(xid, { err: 0, zxid: 0n, body: (w) => SetSASLResponse.write(w, { token: answer }) });
}

/** SaslServerCallbackHandler: a JAAS user's password; the superPassword property stands in for super's. */
function passwordOf(sasl: NonNullable<ServerConfig["clientSasl"]>, user: string): string | null {
  const password = sasl.users.get(user);
  if (password === undefined) return null;
  return user === "super" && sasl.superPassword !== null ? sasl.superPassword : password;
}

/**
 * A failed exchange: with allowSaslFailedClients (and SASL not enforced) the connection stays,
 * unauthenticated, and gets an empty answer; otherwise the answer is AUTHFAILED, or
 * SESSIONCLOSEDREQUIRESASLAUTH when sasl is an enforced scheme, and the connection closes.
 */
function failExchange(
  connection: ClientConnection,
  xid: number,
  err: SaslError,
  config: Pick<ServerConfig, "clientSasl" | "enforceAuth">,
  logger: Logger,
): void {
  const saslRequired = config.enforceAuth?.saslRequired === true;
  logger.log("warn", "SASL authentication failed", { session: hex(connection.sessionId), reason: err.message });
  if (config.clientSasl?.allowFailedClients === true && !saslRequired) {
    connection.writeReply(xid, { err: 0, zxid: 0n, body: (w) => SetSASLResponse.write(w, { token: null }) });
    return;
  }
  const code = saslRequired ? ErrorCode.SESSIONCLOSEDREQUIRESASLAUTH : ErrorCode.AUTHFAILED;
  connection.writeReply(xid, { err: code, zxid: 0n, body: (w) => SetSASLResponse.write(w, { token: null }) });
  connection.closeAfterPendingWrites();
}

/**
 * AuthenticationHelper.enforceAuthentication: with enforce.auth on, a request (any but auth
 * and sasl, pings too) from a connection holding no id of an enforced scheme is answered
 * SESSIONCLOSEDREQUIRESASLAUTH and the connection closes; the session itself lives on until it
 * expires. Returns true when the request was refused so.
 */
export function refuseUnauthenticated(connection: ClientConnection, xid: number, config: Pick<ServerConfig, "enforceAuth">, logger: Logger): boolean {
  const enforced = config.enforceAuth;
  if (enforced === null) return false;
  if (connection.authInfo.some((id) => id.scheme !== null && enforced.schemes.includes(id.scheme))) return false;
  logger.log("warn", "closing connection: the session is not authenticated with an enforced scheme", {
    session: hex(connection.sessionId),
    schemes: connection.authInfo.map((id) => id.scheme),
    enforced: enforced.schemes,
  });
  connection.writeReply(xid, { err: ErrorCode.SESSIONCLOSEDREQUIRESASLAUTH, zxid: 0n, body: null });
  connection.closeAfterPendingWrites();
  return true;
}
