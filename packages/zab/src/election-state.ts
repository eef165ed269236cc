import type { PeerStateName, QuorumMessage } from "./messages.js";
import type { PeerId } from "./quorum.js";
import type { Zxid } from "./zxid.js";

/** A vote as FastLeaderElection carries it. */
export interface Vote {
  readonly leader: PeerId;
  readonly zxid: Zxid;
  readonly electionEpoch: number;
  readonly peerEpoch: number;
}

export interface VoteRecord extends Vote {
  readonly state: PeerStateName;
}

/** One round of LOOKING; `logicalclock` lives on the peer because it outlasts rounds. */
export class ElectionState {
  proposal: Vote = { leader: -1, zxid: -1n, electionEpoch: 0, peerEpoch: -1 };
  /** Votes of this election epoch, by sender (this peer's own included when it votes). */
  readonly recvset = new Map<PeerId, VoteRecord>();
  /**
   * The newest FOLLOWERINFO/OBSERVERINFO from each peer that decided before this one: taken
   * up if this peer comes to lead, so its first learners need not wait for their next repeat.
   */
  readonly earlyLearnerInfos = new Map<PeerId, QuorumMessage>();
  /** FOLLOWING/LEADING notifications of any epoch: how a late peer finds an existing leader. */
  readonly outofelection = new Map<PeerId, VoteRecord>();
  /** Set once a quorum agrees: the tick at which to decide unless a better vote arrives. */
  finalizeAt: number | null = null;
  resendAt = 0;
  resendIntervalTicks = 1;
  /**
   * The last answer sent to each peer whose vote this peer does not count, and what it
   * answered: the same notification is not answered twice with the same vote. Two peers
   * whose configurations differ (a reconfig in one's log only) could otherwise answer each
   * other forever; the asker's resend timer still gets it a fresh answer.
   */
  readonly answered = new Map<PeerId, string>();
}
