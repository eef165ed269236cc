import { assert } from "./assert.js";
import type { Membership } from "./membership.js";
import type { Entry } from "./messages.js";
import type { PeerId, QuorumVerifier } from "./quorum.js";
import type { Rng } from "./rng.js";
import { COUNTER_MAX_DEFAULT, type Zxid } from "./zxid.js";

/** What the caller recovered from its disk before starting the peer. */
export interface PersistedState {
  readonly acceptedEpoch: number;
  readonly currentEpoch: number;
  /** The zxid of the snapshot the caller's state machine was loaded from (0 for empty). */
  readonly snapshotZxid: Zxid;
  /** Log entries after snapshotZxid, in zxid order. */
  readonly entries: readonly Entry[];
  /** The configuration last activated (a Ready's `membership`); absent: the one in PeerOptions.config. */
  readonly membership?: Membership | null;
}

export const EMPTY_STATE: PersistedState = { acceptedEpoch: 0, currentEpoch: 0, snapshotZxid: 0n, entries: [] };

export interface PeerOptions {
  readonly id: PeerId;
  /** The configuration the ensemble started with (zoo.cfg's server lines). */
  readonly config: QuorumVerifier;
  /**
   * Which transactions reconfigure the ensemble (ZooKeeper's reconfig txns), and to what:
   * the caller reads its own txn format; version must be the entry's zxid. Without it no
   * transaction is a reconfiguration. Must be pure: every peer calls it on the same bytes.
   */
  readonly membershipOf?: (entry: Entry) => Membership | null;
  /**
   * With reconfiguration enabled, ZooKeeper's leader gives a configuration still at version 0
   * the zxid its epoch starts at (0x100000000 for the first) when it takes office, so every
   * member shows that version. Returns `m` at `version`; absent, version 0 stays.
   */
  readonly restampMembership?: (m: Membership, version: Zxid) => Membership;
  readonly rng: Rng;
  readonly storage?: PersistedState;
  /** Ticks a leader may spend in discovery and sync, and a learner until UPTODATE (zoo.cfg initLimit). */
  readonly initLimit?: number;
  /** Ticks without hearing from the leader (or a quorum, for a leader) before giving up (zoo.cfg syncLimit). */
  readonly syncLimit?: number;
  /** Ticks between the leader's PINGs. */
  readonly pingIntervalTicks?: number;
  /** Ticks to wait for a better vote once a quorum agrees (FastLeaderElection's finalizeWait). */
  readonly finalizeWaitTicks?: number;
  /** Notification resend backoff bounds while LOOKING, in ticks. */
  readonly electionResendTicksMin?: number;
  readonly electionResendTicksMax?: number;
  /** Log entries kept in memory for DIFF; a learner further behind gets a SNAP. */
  readonly logRetainEntries?: number;
  /** The largest zxid counter a leader may use; reaching past it forces a new epoch. */
  readonly zxidCounterMax?: number;
  /** Proposals not yet committed before propose() refuses (ZooKeeper's globalOutstandingLimit). */
  readonly proposalsOutstandingMax?: number;
  /** Sync requests waiting on one peer before sync() refuses. */
  readonly syncsPendingMax?: number;
  /**
   * A deliberate bug for the lab to catch (zkts.unsafe=commit-without-quorum): as leader, commit
   * every proposal once this peer's own log holds it, without waiting for a quorum's ACKs.
   */
  readonly unsafeCommitWithoutQuorum?: boolean;
}

export interface Limits {
  readonly initLimit: number;
  readonly syncLimit: number;
  readonly pingIntervalTicks: number;
  readonly finalizeWaitTicks: number;
  readonly electionResendTicksMin: number;
  readonly electionResendTicksMax: number;
  readonly logRetainEntries: number;
  readonly zxidCounterMax: number;
  readonly proposalsOutstandingMax: number;
  readonly syncsPendingMax: number;
}

export function resolveLimits(o: PeerOptions): Limits {
  const limits: Limits = {
    initLimit: o.initLimit ?? 10,
    syncLimit: o.syncLimit ?? 5,
    pingIntervalTicks: o.pingIntervalTicks ?? 1,
    finalizeWaitTicks: o.finalizeWaitTicks ?? 1,
    electionResendTicksMin: o.electionResendTicksMin ?? 1,
    electionResendTicksMax: o.electionResendTicksMax ?? 8,
    logRetainEntries: o.logRetainEntries ?? 500,
    zxidCounterMax: o.zxidCounterMax ?? COUNTER_MAX_DEFAULT,
    proposalsOutstandingMax: o.proposalsOutstandingMax ?? 1000,
    syncsPendingMax: o.syncsPendingMax ?? 1000,
  };
  for (const [name, value] of Object.entries(limits)) {
    assert(Number.isSafeInteger(value) && value >= 0, `option ${name} must be a non-negative integer: ${value}`);
  }
  assert(limits.initLimit >= 1 && limits.syncLimit >= 1, "initLimit and syncLimit are at least one tick");
  assert(limits.pingIntervalTicks >= 1, "pingIntervalTicks is at least one");
  assert(limits.electionResendTicksMin >= 1, "electionResendTicksMin is at least one");
  assert(limits.electionResendTicksMax >= limits.electionResendTicksMin, "resend max >= min");
  assert(limits.logRetainEntries >= 1, "logRetainEntries is at least one");
  assert(limits.zxidCounterMax >= 1 && limits.zxidCounterMax <= COUNTER_MAX_DEFAULT, "zxidCounterMax in [1, 0xfffffffe]");
  assert(limits.proposalsOutstandingMax >= 1 && limits.syncsPendingMax >= 1, "queue bounds are at least one");
  return limits;
}
