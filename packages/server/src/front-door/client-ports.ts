import { ConnectionsPerAddress, openClientConnection } from "../client-session-io.js";
import type { ServerConfig } from "../config.js";
import type { ClientConnection, ConnectionHandler } from "../connection.js";
import { ClientListeners } from "../listener.js";
import type { Logger } from "../logger.js";
import type { ServerMetrics } from "../metrics.js";
import type { AcceptedSocket } from "../tls/secure-accept.js";
import { FOUR_LETTER_WORDS } from "../four-letter-words.js";

/**
 * What a server does with its client connections: their handshakes, requests, four-letter
 * words and closes (after the ports have let go of them). The ports count their traffic.
 */
export type ClientConnectionsServer = Pick<ConnectionHandler, "onHandshake" | "onRequest" | "onFourLetterWord" | "onClose" | "nowMs">;

export interface ClientPortsOptions {
  config: ServerConfig;
  logger: Logger;
  server: ClientConnectionsServer;
  metrics: ServerMetrics;
}

/**
 * A server's client ports and the connections they accepted, each admitted under
 * maxClientCnxns, their requests in flight counted against globalOutstandingLimit, their
 * traffic counted in the server's metrics. The standalone server and an ensemble member open,
 * serve and close them alike; the connections' handshakes, requests and four-letter words go
 * to the server.
 */
export class ClientPorts implements ConnectionHandler {
  /** Every open client connection, with or without a session yet. */
  readonly connections = new Set<ClientConnection>();
  private readonly admission: ConnectionsPerAddress;
  private listeners: ClientListeners | null = null;
  private stopping = false;

  constructor(private readonly o: ClientPortsOptions) {
    this.admission = new ConnectionsPerAddress(o.config, o.logger);
  }

  /**
   * Takes ports bound before the data directory was recovered: a second server started by
   * mistake on the same directory then fails before it touches anything.
   */
  adopt(listeners: ClientListeners): void {
    this.listeners = listeners;
  }

  /** Requests taken from clients and not yet answered (ZooKeeper's outstanding requests). */
  get requestsInFlight(): number {
    return this.admission.inFlight.total;
  }

  /** Where each port is bound; none before start() or after stop(). */
  addresses(): ReturnType<ClientListeners["addresses"]> {
    return this.listeners?.addresses() ?? [];
  }

  /** Binds the ports unless they were adopted, and serves them: clients held meanwhile are taken now. */
  async start(): Promise<void> {
    const listeners = this.listeners ?? (await ClientListeners.open(this.o.config, this.o.logger));
    this.listeners = listeners;
    listeners.start(
      (accepted) => this.accept(accepted),
      () => this.stopping,
    );
  }

  /**
   * Stops accepting first, so clients reconnecting after their connection closes go elsewhere
   * (or wait for the restart) instead of landing on a server about to exit; then closes every
   * connection. Resolves once the ports are closed.
   */
  stop(): Promise<void> {
    this.stopping = true;
    const listeners = this.listeners;
    this.listeners = null;
    const closed = listeners === null ? Promise.resolve() : listeners.close();
    for (const c of this.connections) c.close();
    return closed;
  }

  // ---- ConnectionHandler -----------------------------------------------------------------

  onHandshake(connection: ClientConnection, payload: Buffer): void {
    this.o.server.onHandshake(connection, payload);
  }

  onRequest(connection: ClientConnection, payload: Buffer): void {
    this.o.server.onRequest(connection, payload);
  }

  isFourLetterWord(word: string): boolean {
    return FOUR_LETTER_WORDS.has(word);
  }

  onFourLetterWord(connection: ClientConnection, word: string): void {
    this.o.server.onFourLetterWord(connection, word);
  }

  /** A connection closed: its address has one connection less, and the server forgets it. */
  onClose(connection: ClientConnection): void {
    if (!this.connections.delete(connection)) return;
    this.admission.release(connection);
    this.o.server.onClose(connection);
  }

  nowMs(): number {
    return this.o.server.nowMs();
  }

  onReplySent(latencyMs: number, op: number | null): void {
    this.o.metrics.recordLatency(latencyMs, op);
  }

  onBytesReceived(bytes: number): void {
    this.o.metrics.bytesReceived.add(bytes);
  }

  onPacketSent(): void {
    this.o.metrics.packetsSent++;
  }

  log(level: "debug" | "info" | "warn" | "error", message: string, fields?: Record<string, unknown>): void {
    this.o.logger.log(level, message, fields);
  }

  private accept(accepted: AcceptedSocket): void {
    if (this.stopping) {
      accepted.socket.destroy();
      return;
    }
    const connection = openClientConnection(accepted, this, this.o.config, this.admission, this.o.logger);
    if (connection === null) {
      this.o.metrics.connectionsRejected.add();
      return;
    }
    this.connections.add(connection);
    accepted.socket.resume();
  }
}
