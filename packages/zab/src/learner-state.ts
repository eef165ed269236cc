import type { PeerId } from "./quorum.js";
import { type Rng, randomId } from "./rng.js";

/**
 * connecting (FOLLOWERINFO/OBSERVERINFO sent) → synchronizing (ACKEPOCH sent) →
 * ackedNewLeader (history and currentEpoch durable, ACK sent) → serving (UPTODATE in).
 */
type LearnerPhase = "connecting" | "synchronizing" | "ackedNewLeader" | "serving";

/** A SYNC sent to the leader (with `wireId`), and the syncs its answer completes. */
interface SentSync {
  readonly wireId: number;
  readonly syncIds: readonly number[];
  readonly confirmQuorum: boolean;
}

export class LearnerState {
  readonly session: number;
  /** The leader's term id, learned from LEADERINFO; 0 until then. */
  term = 0;
  phase: LearnerPhase = "connecting";
  seqOut = 0;
  seqIn = 0;
  lastHeard: number;
  newEpoch: number | null = null;
  /** SYNCs sent to the leader, answered in order. */
  readonly syncsSent: SentSync[] = [];
  /** A confirmed SYNC is out: confirmed syncs arriving meanwhile wait in confirmedWaiting. */
  confirmedInFlight = false;
  /**
   * Confirmed syncs not sent yet. They go out together in one SYNC with the next Ready when
   * none is in flight, else once the one in flight is answered: its answer may not complete
   * them, since they arrived after it was sent (etcd's ReadIndex batching).
   */
  confirmedWaiting: number[] = [];

  /** A confirmed SYNC should go out with the next Ready. */
  get confirmedSyncDue(): boolean {
    return !this.confirmedInFlight && this.confirmedWaiting.length > 0 && this.phase === "serving";
  }

  constructor(
    readonly leaderId: PeerId,
    readonly startTick: number,
    rng: Rng,
  ) {
    this.session = randomId(rng);
    this.lastHeard = startTick;
  }
}
