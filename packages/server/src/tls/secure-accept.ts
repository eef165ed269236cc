import type { Socket } from "node:net";
import { checkServerIdentity } from "node:tls";
import type { Logger } from "../logger.js";
import { peerChainOf } from "./revocation.js";
import type { TlsContext } from "./tls-context.js";

/**
 * What a listening port takes: plain TCP, TLS only, or both (ZooKeeper's port unification:
 * a TLS ClientHello starts with the handshake record type, 0x16, which no plain client sends
 * first: a jute frame starts with a length's high byte, a four-letter word with a letter).
 */
export type PortMode = "plain" | "tls" | "unified";

const TLS_HANDSHAKE_RECORD = 0x16;

export interface AcceptedSocket {
  socket: Socket;
  /** The DER certificate of a TLS peer that presented one and was verified; null otherwise. */
  peerCertificate: Buffer | null;
  secure: boolean;
}

export interface AcceptOptions {
  mode: PortMode;
  tls: TlsContext | null;
  logger: Logger;
  /** Check the peer certificate against the peer's address (quorum ports with hostnameVerification). */
  verifyPeerAddress?: boolean;
  /** What the port is, for log lines. */
  what: string;
}

/**
 * Hands `ready` the socket to use for a freshly accepted connection: the raw socket for plain
 * TCP, or a TLSSocket once its handshake succeeded and its client certificate (if any) passed
 * the checks. A connection that fails TLS is closed here and `ready` is never called.
 */
export function acceptSecure(raw: Socket, options: AcceptOptions, ready: (accepted: AcceptedSocket) => void): void {
  if (options.mode === "plain" || options.tls === null) {
    ready({ socket: raw, peerCertificate: null, secure: false });
    return;
  }
  if (options.mode === "tls") {
    startTls(raw, options.tls, options, ready);
    return;
  }
  const detectionTimer = setTimeout(() => raw.destroy(), options.tls.settings.handshakeDetectionTimeoutMs);
  const onReadable = () => {
    // Everything that arrived, not one byte: the plain path must see a four-letter word whole
    // in its first chunk, as on a plain port.
    const first = raw.read() as Buffer | null;
    if (first === null || first.length === 0) return;
    clearTimeout(detectionTimer);
    raw.off("readable", onReadable);
    raw.off("end", onEnd);
    raw.unshift(first);
    if (first[0] === TLS_HANDSHAKE_RECORD) startTls(raw, options.tls!, options, ready);
    else ready({ socket: raw, peerCertificate: null, secure: false });
  };
  const onEnd = () => {
    clearTimeout(detectionTimer);
    raw.destroy();
  };
  raw.on("readable", onReadable);
  raw.once("end", onEnd);
  raw.on("error", () => clearTimeout(detectionTimer));
  raw.resume();
}

function startTls(raw: Socket, tls: TlsContext, options: AcceptOptions, ready: (accepted: AcceptedSocket) => void): void {
  const remote = `${raw.remoteAddress ?? "?"}:${raw.remotePort ?? "?"}`;
  tls.acceptTls(raw, {
    failed: (reason) => options.logger.log("info", `${options.what}: TLS handshake failed`, { remote, reason }),
    secured: (socket) => {
      const refuse = (reason: string) => {
        options.logger.log("warn", `${options.what}: TLS connection refused`, { remote, reason });
        socket.destroy();
      };
      const certificate = socket.getPeerX509Certificate();
      if (certificate !== undefined && !socket.authorized) {
        refuse(`client certificate not trusted: ${String(socket.authorizationError)}`);
        return;
      }
      if (certificate !== undefined && options.verifyPeerAddress) {
        const address = (socket.remoteAddress ?? "").replace(/^::ffff:/, "");
        const mismatch = checkServerIdentity(address, socket.getPeerCertificate());
        if (mismatch !== undefined) {
          refuse(`client certificate does not name ${address}: ${mismatch.message}`);
          return;
        }
      }
      socket.on("error", () => undefined);
      const accepted = () => {
        // A peer that left while its certificate was being checked is not handed on.
        if (!socket.destroyed) ready({ socket, peerCertificate: certificate?.raw ?? null, secure: true });
      };
      if (certificate === undefined || tls.revocation === null) {
        accepted();
        return;
      }
      // ssl.crl: the certificate must not be revoked; bytes the peer sends meanwhile wait in the socket.
      tls.revocation.check(peerChainOf(socket)).then(
        (reason) => (reason === null ? accepted() : refuse(`client certificate refused: ${reason}`)),
        (err: Error) => refuse(`client certificate refused: revocation check failed: ${err.message}`),
      );
    },
  });
}
