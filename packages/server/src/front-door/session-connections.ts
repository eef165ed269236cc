import type { ClientConnection } from "../connection.js";

/**
 * Which connection holds each of a server's sessions. A client that reconnects with its
 * session takes it over from its older connection; a session that ends closes the connection
 * that holds it. A connection stays among the holders until it closes, even once its session
 * has ended (its closeSession reply may still be on its way).
 */
export class SessionConnections {
  private readonly bySession = new Map<bigint, ClientConnection>();
  private readonly holders = new Set<ClientConnection>();

  /** The handshake established `connection`'s session (connection.sessionId) here. */
  attach(connection: ClientConnection): void {
    this.holders.add(connection);
    this.bySession.set(connection.sessionId, connection);
  }

  /** A client reconnected with `sessionId` on `connection`: the older connection closes. */
  takeOver(sessionId: bigint, connection: ClientConnection): void {
    const previous = this.bySession.get(sessionId);
    if (previous !== undefined && previous !== connection) previous.close();
  }

  /** Whether `connection` holds (or held, and is still open) a session of this server. */
  holds(connection: ClientConnection): boolean {
    return this.holders.has(connection);
  }

  /** The connection closed: its session waits for a client to reconnect with it. False when it held none here. */
  detach(connection: ClientConnection): boolean {
    if (!this.holders.delete(connection)) return false;
    if (this.bySession.get(connection.sessionId) === connection) this.bySession.delete(connection.sessionId);
    return true;
  }

  /** The session ended: the connection that held it, if any, which holds it no more. */
  release(sessionId: bigint): ClientConnection | undefined {
    const connection = this.bySession.get(sessionId);
    this.bySession.delete(sessionId);
    return connection;
  }

  /** Forgets every session and returns the connections that held them, for the caller to close. */
  releaseAll(): ClientConnection[] {
    const holders = [...this.holders];
    this.holders.clear();
    this.bySession.clear();
    return holders;
  }
}
