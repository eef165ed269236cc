/** One member of the ensemble, as a `server.N` line of zoo.cfg describes it. */
export interface PeerAddress {
  id: number;
  host: string;
  quorumPort: number;
  electionPort: number;
  role: "participant" | "observer";
  /** The client address after `;` in the server.N line, if it has one (conf and voting_view show it). */
  clientHost?: string | null;
  clientPort?: number | null;
}

/** Reconnect delays grow from this to the maximum, doubling after each failure. */
export const RECONNECT_DELAY_MS_MIN = 50;
export const RECONNECT_DELAY_MS_MAX = 2000;

export function nextReconnectDelayMs(previousMs: number): number {
  return previousMs === 0 ? RECONNECT_DELAY_MS_MIN : Math.min(previousMs * 2, RECONNECT_DELAY_MS_MAX);
}
