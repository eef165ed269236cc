import type { SessionEvent } from "./core/connection-core.js";

/**
 * The connection as Curator's ConnectionStateListener reports it:
 * - `connected`: the first session is established (once per client);
 * - `suspended`: the connection dropped; the session may still be alive on the server, but
 *   nothing this client holds (locks, leadership, ephemerals) can be trusted until it is back;
 * - `reconnected`: the same session is back, so everything held is still held;
 * - `lost`: the session is gone (expired, or refused after failed authentication); everything
 *   held is gone, and the client must be replaced.
 */
export type ConnectionState = "connected" | "suspended" | "reconnected" | "lost";

export interface ConnectionStateEvent {
  type: "state";
  state: ConnectionState;
  previous: ConnectionState | null;
  /** For connected and reconnected: the server serves reads only. */
  readOnly: boolean;
}

/** Derives the Curator-style states from the raw session events. Pure; one per client. */
export class ConnectionStates {
  private current: ConnectionState | null = null;

  get state(): ConnectionState | null {
    return this.current;
  }

  /** The state event a raw session event implies, or null when the state stays. */
  next(event: SessionEvent): ConnectionStateEvent | null {
    const previous = this.current;
    if (previous === "lost") return null;
    switch (event.type) {
      case "connected":
        return this.move(previous === null ? "connected" : "reconnected", event.readOnly);
      case "disconnected":
        return previous === "connected" || previous === "reconnected" ? this.move("suspended", false) : null;
      case "expired":
      case "authFailed":
        // A first session that never came was never held: connect() reports that failure.
        return previous === null ? null : this.move("lost", false);
      case "closed":
        // Closed by its user (or given up before any session): nothing was lost behind its back.
        return null;
    }
  }

  private move(state: ConnectionState, readOnly: boolean): ConnectionStateEvent {
    const previous = this.current;
    this.current = state;
    return { type: "state", state, previous, readOnly };
  }
}
