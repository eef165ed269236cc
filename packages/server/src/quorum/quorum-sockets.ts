import { type Socket, connect } from "node:net";
import { connect as connectTls } from "node:tls";
import type { Logger } from "../logger.js";
import { type PortMode, acceptSecure } from "../tls/secure-accept.js";
import { peerChainOf } from "../tls/revocation.js";
import { TlsContext } from "../tls/tls-context.js";
import type { QuorumTlsConfig } from "../tls/tls-settings.js";
import type { QuorumSaslConfig } from "../sasl/sasl-settings.js";
import { QuorumSasl } from "./quorum-sasl.js";

/** Emitted by a dialled TLS socket once the member's certificate passed the revocation check. */
const PEER_CHECKED = "zkts:peerCertificateChecked";

/**
 * How members reach each other on the quorum and election ports, plain or over TLS
 * (`sslQuorum`). With `portUnification` the ports take both, which is how an ensemble moves
 * from plain to TLS one member at a time: first every member gets portUnification, then each
 * turns sslQuorum on, then portUnification goes. With quorum.auth.enableSasl, members also
 * authenticate each other with SASL DIGEST-MD5 over those connections (quorum-sasl.ts).
 */
export class QuorumSockets {
  private readonly tls: TlsContext | null;
  private readonly listenMode: PortMode;
  /** SASL between members; both sides are no-ops without quorum.auth.enableSasl. */
  readonly sasl: QuorumSasl;

  constructor(
    private readonly config: QuorumTlsConfig | null,
    private readonly logger: Logger,
    saslConfig: QuorumSaslConfig | null = null,
  ) {
    this.sasl = new QuorumSasl(saslConfig, logger);
    this.tls = config === null ? null : new TlsContext(config.settings, logger, config.reloadCertFiles);
    this.listenMode = config === null ? "plain" : config.portUnification ? "unified" : config.sslQuorum ? "tls" : "plain";
  }

  /** True when this member dials other members over TLS. */
  get dialsTls(): boolean {
    return this.tls !== null && this.config?.sslQuorum === true;
  }

  /**
   * Connects to a member; `connected` names the event that says the connection is ready for
   * bytes (after the TLS handshake, when there is one).
   */
  dial(host: string, port: number): { socket: Socket; connected: "connect" | "secureConnect" | typeof PEER_CHECKED } {
    if (this.dialsTls) {
      const socket = connectTls({ host, port, ...this.tls!.clientOptions(host) });
      socket.on("error", (err) => this.logger.log("debug", "quorum TLS connection failed", { peer: `${host}:${port}`, reason: err.message }));
      const revocation = this.tls!.revocation;
      if (revocation === null) return { socket, connected: "secureConnect" };
      // ssl.quorum.crl: the member dialled must not present a revoked certificate either.
      socket.once("secureConnect", () => {
        revocation.check(peerChainOf(socket)).then(
          (reason) => {
            if (reason === null) {
              if (!socket.destroyed) socket.emit(PEER_CHECKED);
              return;
            }
            this.logger.log("warn", "quorum TLS connection refused", { peer: `${host}:${port}`, reason: `server certificate refused: ${reason}` });
            socket.destroy();
          },
          () => socket.destroy(),
        );
      });
      return { socket, connected: PEER_CHECKED };
    }
    return { socket: connect({ host, port }), connected: "connect" };
  }

  /** Takes an accepted connection through TLS as the port wants, then hands it on. */
  accept(raw: Socket, what: string, ready: (socket: Socket) => void): void {
    raw.on("error", () => undefined);
    acceptSecure(
      raw,
      { mode: this.listenMode, tls: this.tls, logger: this.logger, what, verifyPeerAddress: this.tls?.settings.hostnameVerification ?? false },
      (accepted) => ready(accepted.socket),
    );
  }

  close(): void {
    this.tls?.close();
  }
}
