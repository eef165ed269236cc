import type { PeerStatus } from "@zkts/zab";
import type { ExpiryBuckets, ServerView } from "../report-view.js";
import type { Session } from "../session-tracker.js";
import type { QuorumMember } from "@zkts/config";
import type { PeerStats } from "./peer-stats.js";

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
  readonly ensemble: { readonly members: readonly QuorumMember[]; readonly initLimit: number; readonly syncLimit: number; readonly version: bigint };
  readonly driver: { readonly peer: { status(): PeerStatus }; readonly stats: PeerStats };
}
