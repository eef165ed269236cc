import type { DataTree } from "@zkts/datatree";
import type { PeerStatus } from "@zkts/zab";
import type { ServerConfig } from "./config.js";
import type { ClientConnection } from "./connection.js";
import type { ServerMetrics } from "./metrics.js";
import type { PeerAddress } from "./quorum/peer-address.js";
import type { PeerStats } from "./quorum/peer-stats.js";
import type { Session } from "./session-tracker.js";

/**
 * What the operator reports (four-letter words, mntr, the AdminServer, the Prometheus
 * endpoint) read of a server. The reports depend on these views, not on the server classes,
 * so a server can import its reports without the reports importing the server back. The
 * views are read-only but for the two reset commands: `crst` zeroes each connection's
 * counters and `srst` resets `metrics` (and a member's peer statistics).
 */
export interface ServerView {
  readonly config: ServerConfig;
  readonly tree: DataTree;
  readonly metrics: ServerMetrics;
  readonly connections: ReadonlySet<ClientConnection>;
}

/** Session expiry buckets, earliest first (SessionTrackerImpl's dump). */
export type ExpiryBuckets = { expiresAtMs: number; sessions: Session[] }[];

/** A standalone server, as ZkServer presents itself to its reports. */
export interface StandaloneView extends ServerView {
  readonly sessions: { readonly size: number; all(): Iterable<Session> };
  /** Requests taken from clients and not yet answered. */
  readonly requestsInFlight: number;
  readonly pipeline: { readonly queued: number };
  readonly writesRefused: boolean;
  now(): number;
}

/** An ensemble member, as EnsembleServer presents itself to its reports. */
export interface MemberView extends ServerView {
  readonly sessions: { readonly size: number; all(): Iterable<Session>; expiryBuckets(): ExpiryBuckets };
  readonly serving: boolean;
  readonly servingReadOnly: boolean;
  readonly role: PeerStatus["role"];
  /** Writes in flight on this member: waiting for their transaction to be applied. */
  readonly outstanding: number;
  readonly readOnlySessionCount: number;
  readonly readOnlySessionBuckets: ExpiryBuckets;
  readonly ensemble: { readonly members: readonly PeerAddress[]; readonly initLimit: number; readonly syncLimit: number; readonly version: bigint };
  readonly driver: { readonly peer: { status(): PeerStatus }; readonly stats: PeerStats };
}
