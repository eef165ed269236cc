import type { Membership } from "./membership.js";
import type { Entry, Message } from "./messages.js";
import type { PeerId } from "./quorum.js";
import type { Zxid } from "./zxid.js";

export type Role = "LOOKING" | "FOLLOWING" | "LEADING" | "OBSERVING";

/** Who this peer is and whether it serves: reported in a Ready whenever it changes. */
export interface SoftState {
  readonly role: Role;
  /** The leader this peer follows or is; null while LOOKING. */
  readonly leader: PeerId | null;
  /** The epoch being led or followed (the new epoch once discovery chose it), else currentEpoch. */
  readonly epoch: number;
  /** Leader: a quorum acknowledged NEWLEADER. Learner: UPTODATE received. */
  readonly serving: boolean;
}

export interface HardState {
  readonly acceptedEpoch: number;
  readonly currentEpoch: number;
}

/**
 * Everything the core asks of its caller at once. Handle in this order (etcd's
 * doc.go): persist (snapshot, then truncation, then entries, then hardState; fsync),
 * then send `messages`, then apply `committed` and answer `syncsDone`, then call
 * `advance()`.
 */
export interface Ready {
  /** Install this snapshot: it replaces the log and the state machine. */
  readonly snapshot: { readonly zxid: Zxid; readonly data: Uint8Array } | null;
  /** Drop every log entry after this zxid (TRUNC). */
  readonly truncateTo: Zxid | null;
  /** Append to the log, in order. */
  readonly entries: readonly Entry[];
  /** Epochs to persist after the entries; null when unchanged. */
  readonly hardState: HardState | null;
  /**
   * A configuration that became active (its reconfig committed, or the leader's NEWLEADER
   * carried a newer one): persist it with the epochs (ZooKeeper's dynamic config file) and
   * pass it back as PersistedState.membership on restart.
   */
  readonly membership: Membership | null;
  /** Send after persisting. A SNAP message must get its snapshot filled in first. */
  readonly messages: readonly Message[];
  /**
   * The messages may also be sent before (or while) persisting: this is an established
   * leader's broadcast (PROPOSAL, COMMIT, INFORM, PING, SYNC answers) with no epoch or
   * configuration change, so nothing in them vouches for this Ready's writes. Sending
   * proposals while the leader's own log write runs takes its fsync off the commit path,
   * since the leader counts its own acknowledgement only after advance() (etcd's leader does
   * the same). Persisting first is always correct too.
   */
  readonly sendBeforePersist: boolean;
  /** Apply to the state machine in this order; strictly increasing zxids. */
  readonly committed: readonly Entry[];
  /** Sync requests (ids given to sync()) that may be answered once `committed` is applied. */
  readonly syncsDone: readonly number[];
  /** Sync requests that will never complete (the peer lost its leader): answer with an error. */
  readonly syncsFailed: readonly number[];
  /** Present when role, leader, epoch or serving changed. */
  readonly softState: SoftState | null;
}

/**
 * True when the Ready's committed entries may be applied before its writes are durable: it
 * changes nothing the state machine stands on (no snapshot, truncation, epoch or
 * configuration) and sends no SNAP, which must capture the state as it is before them.
 * Committed entries are durable on a quorum already, whatever this peer's own disk holds.
 */
export function appliesBeforePersist(r: Pick<Ready, "snapshot" | "truncateTo" | "membership" | "messages"> & { readonly hardState: unknown }): boolean {
  return r.snapshot === null && r.truncateTo === null && r.hardState === null && r.membership === null && !r.messages.some((m) => m.type === "SNAP");
}

/**
 * What may be handled while a Ready is being persisted (ZabPeer.express): an established
 * leader's broadcast, and the commits that arrived meanwhile, so that neither waits for an
 * fsync that protects other entries. ZooKeeper's leader sends proposals and commits as it
 * makes them, and its followers apply commits without waiting for their own log flush. A
 * follower's ACKs still go out only with the Ready that persists what they acknowledge.
 * Handle in this order: send `messages`, apply `committed`, answer `syncsDone`.
 */
export interface Express {
  readonly messages: readonly Message[];
  readonly committed: readonly Entry[];
  readonly syncsDone: readonly number[];
}
