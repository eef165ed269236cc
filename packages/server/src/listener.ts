import { type Server as NetServer, type Socket, createServer } from "node:net";
import type { ServerConfig } from "./config.js";
import type { Logger } from "./logger.js";
import { type AcceptedSocket, type PortMode, acceptSecure } from "./tls/secure-accept.js";
import { TlsContext } from "./tls/tls-context.js";

interface ClientPort {
  readonly server: NetServer;
  readonly mode: PortMode;
  /** Connections accepted before the server is ready, held until `start()` takes them. */
  readonly early: Socket[];
}

/**
 * The client ports: `clientPort` (plain, or taking TLS too with client.portUnification) and
 * `secureClientPort` (TLS only). Bound before the data directory is recovered, so a second
 * server on the same directory fails first; clients that connect during recovery wait in a
 * queue and are served once `start()` is called.
 */
export class ClientListeners {
  private started = false;

  private constructor(
    private readonly ports: ClientPort[],
    readonly tls: TlsContext | null,
    private readonly logger: Logger,
  ) {}

  static async open(config: ServerConfig, logger: Logger): Promise<ClientListeners> {
    // The stores are read first: a bad key store stops the server before it binds anything.
    const clientTls = config.clientTls;
    const tls = clientTls === null ? null : new TlsContext(clientTls.settings, logger, clientTls.reloadCertFiles);
    const ports: ClientPort[] = [];
    try {
      if (config.plainClientPort) {
        const mode: PortMode = clientTls?.portUnification ? "unified" : "plain";
        ports.push(await bind(config.clientPortAddress, config.clientPort, mode));
      }
      if (clientTls !== null && clientTls.secureClientPort !== null) {
        ports.push(await bind(clientTls.secureClientPortAddress, clientTls.secureClientPort, "tls"));
      }
    } catch (err) {
      for (const p of ports) p.server.close();
      tls?.close();
      throw err;
    }
    return new ClientListeners(ports, tls, logger);
  }

  /** Where each port is bound (port 0 in the config becomes the kernel's choice). */
  addresses(): { mode: PortMode; host: string; port: number }[] {
    return this.ports.map((p) => {
      const a = p.server.address();
      return typeof a === "object" && a !== null ? { mode: p.mode, host: a.address, port: a.port } : { mode: p.mode, host: "", port: 0 };
    });
  }

  /** From now on every connection goes through TLS as its port wants, then to `accept`. */
  start(accept: (accepted: AcceptedSocket) => void, shouldRefuse: () => boolean): void {
    if (this.started) return;
    this.started = true;
    for (const port of this.ports) {
      const take = (socket: Socket) => {
        if (shouldRefuse()) {
          socket.destroy();
          return;
        }
        socket.on("error", () => undefined);
        acceptSecure(socket, { mode: port.mode, tls: this.tls, logger: this.logger, what: "client port" }, accept);
      };
      port.server.removeAllListeners("connection");
      port.server.on("connection", take);
      port.server.on("error", (err) => this.logger.log("error", "client listener error", { err }));
      for (const socket of port.early.splice(0)) take(socket);
    }
  }

  /** Stops accepting; resolves once every port is closed. */
  async close(): Promise<void> {
    this.tls?.close();
    await Promise.all(this.ports.map((p) => new Promise<void>((resolve) => p.server.close(() => resolve()))));
  }
}

async function bind(host: string, port: number, mode: PortMode): Promise<ClientPort> {
  const server = createServer({ noDelay: true, pauseOnConnect: true });
  const early: Socket[] = [];
  server.on("connection", (socket: Socket) => early.push(socket));
  await new Promise<void>((resolve, reject) => {
    server.once("error", (err) => reject(new Error(`cannot listen on ${host}:${port}: ${err.message}`)));
    server.listen(port, host, () => {
      server.removeAllListeners("error");
      resolve();
    });
  });
  return { server, mode, early };
}
