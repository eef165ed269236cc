import type { PeerId } from "./quorum.js";
import type { Zxid } from "./zxid.js";

/**
 * Where one learner's connection stands, as the leader sees it:
 * info (epoch not chosen yet) → epochSent (LEADERINFO) → ackedEpoch (ACKEPOCH in) →
 * synced (DIFF/TRUNC/SNAP, entries and NEWLEADER out) → ackedNewLeader → uptodate.
 */
type HandlerState = "info" | "epochSent" | "ackedEpoch" | "synced" | "ackedNewLeader" | "uptodate";

export class LearnerHandler {
  state: HandlerState = "info";
  /** Next sequence number expected from the learner (FOLLOWERINFO was 0). */
  seqIn = 1;
  seqOut = 0;
  lastZxid: Zxid;
  ackedZxid: Zxid = -1n;
  /** PINGs sent on this connection, and answers received: a learner answers each PING once, in order. */
  pingsSent = 0;
  pingsAnswered = 0;

  constructor(
    readonly id: PeerId,
    readonly observer: boolean,
    readonly session: number,
    lastZxid: Zxid,
    public lastHeard: number,
  ) {
    this.lastZxid = lastZxid;
  }

  /** Has been sent the sync stream, so it receives every proposal and commit from now on. */
  get receivesBroadcast(): boolean {
    return this.state === "synced" || this.state === "ackedNewLeader" || this.state === "uptodate";
  }

  /** Its ACKs count toward commits. */
  get acks(): boolean {
    return !this.observer && (this.state === "ackedNewLeader" || this.state === "uptodate");
  }
}

/**
 * For a quorum-confirmed sync: how many PINGs each voter's connection had been sent when the
 * request arrived. An answer to a later PING shows that voter still followed this leader
 * after the request arrived.
 */
export type PingMarks = ReadonlyMap<PeerId, { readonly session: number; readonly pingsSent: number }>;

/** A sync waiting for everything proposed before it to commit, and for its quorum confirmation if it asked for one. */
export interface PendingSync {
  readonly zxid: Zxid;
  readonly marks: PingMarks | null;
}

/** A learner's SYNC, answered on its connection with the id it carried. */
export interface RemoteSync extends PendingSync {
  readonly syncId: number;
  readonly learner: PeerId;
  readonly session: number;
  /** The voter whose confirmed SYNC this is: it counts toward the confirmation (see onSync). */
  readonly voucher: PeerId | null;
}

/**
 * Syncs of this leader's own clients that arrived with no PING and no proposal between them:
 * they wait for the same commits and the same confirmation, so they complete together.
 */
export interface LocalSyncs extends PendingSync {
  readonly syncIds: number[];
}

type LeaderPhase = "discovery" | "epochProposed" | "syncing" | "established";

export class LeaderState {
  phase: LeaderPhase = "discovery";
  /** The new epoch, once a quorum's FOLLOWERINFO fixed it. */
  epoch: number | null = null;
  readonly handlers = new Map<PeerId, LearnerHandler>();
  /**
   * Voters whose latest notification, while this leader waits for its quorum's FOLLOWERINFO,
   * votes for or follows another peer: the votes that elected this leader may have moved.
   */
  readonly votedElsewhere = new Set<PeerId>();
  /** Voters whose FOLLOWERINFO counted toward choosing the epoch (this peer included). */
  readonly infoFrom = new Set<PeerId>();
  maxAcceptedEpoch: number;
  readonly epochAcks = new Set<PeerId>();
  readonly newLeaderAcks = new Set<PeerId>();
  lastProposed: Zxid = -1n;
  /** Each voter's acknowledged zxid as tryCommit gathers them on every ACK: one map, refilled. */
  readonly ackedScratch = new Map<PeerId, Zxid>();
  lastPingTick: number;
  readonly remoteSyncs: RemoteSync[] = [];
  readonly localSyncs: LocalSyncs[] = [];
  /** Syncs counted in localSyncs, which hold them in batches. */
  localSyncCount = 0;
  /** A confirmed sync arrived since the last PING round: one round serves all of them. */
  confirmRoundWanted = false;
  /**
   * The PING marks taken since the last PING went out, shared by every confirmed sync arriving
   * meanwhile: no PING was sent in between, so each of them would have taken the same marks.
   */
  openMarks: PingMarks | null = null;

  constructor(
    readonly startTick: number,
    ownAcceptedEpoch: number,
    /** Tells this leadership's messages from those of an earlier one by the same peer. */
    readonly term: number,
  ) {
    this.maxAcceptedEpoch = ownAcceptedEpoch;
    this.lastPingTick = startTick;
  }
}
