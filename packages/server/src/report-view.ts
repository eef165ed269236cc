import type { DataTree } from "@zkts/datatree";
import type { ServerConfig } from "./config.js";
import type { ClientConnection } from "./connection.js";
import type { ServerMetrics } from "./metrics.js";
import type { Session } from "./session-tracker.js";

/**
 * What the operator reports (four-letter words, mntr, the AdminServer, the Prometheus
 * endpoint) read of a server; a member's view is MemberView, in quorum/member-view.ts. The
 * reports depend on these views, not on the server classes, so a server can import its
 * reports without the reports importing the server back. The views are read-only but for
 * the two reset commands: `crst` zeroes each connection's counters and `srst` resets
 * `metrics` (and a member's peer statistics).
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
