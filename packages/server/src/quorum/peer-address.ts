import type { QuorumMember } from "@zkts/config";

/**
 * Where a member binds its quorum and election ports: the host of its own `server.N` line, or
 * every address with quorumListenOnAllIPs (as ZooKeeper does), for a member whose own line names
 * an address it cannot bind, such as a proxy or a NAT's outside address.
 */
export function peerListenHost(self: QuorumMember, listenOnAllIPs: boolean): string {
  return listenOnAllIPs ? "0.0.0.0" : self.host;
}

/** Reconnect delays grow from this to the maximum, doubling after each failure. */
export const RECONNECT_DELAY_MS_MIN = 50;
export const RECONNECT_DELAY_MS_MAX = 2000;

export function nextReconnectDelayMs(previousMs: number): number {
  return previousMs === 0 ? RECONNECT_DELAY_MS_MIN : Math.min(previousMs * 2, RECONNECT_DELAY_MS_MAX);
}
