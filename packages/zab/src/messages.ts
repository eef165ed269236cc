import type { Membership } from "./membership.js";
import type { PeerId } from "./quorum.js";
import type { Zxid } from "./zxid.js";

/** A transaction as the core sees it: opaque bytes under a zxid. */
export interface Entry {
  readonly zxid: Zxid;
  readonly data: Uint8Array;
}

/** FastLeaderElection's peer states, with ZooKeeper's wire numbers. */
export const PeerState = { LOOKING: 0, FOLLOWING: 1, LEADING: 2, OBSERVING: 3 } as const;
export type PeerStateName = keyof typeof PeerState;

/**
 * ZooKeeper's quorum packet types (Leader.java). The names are the `type` of each
 * quorum message below; the numbers are what the server writes in QuorumPacket.type.
 * REQUEST is no message of the core: a learner's server writes its clients' requests (and
 * its SYNCs, as requests of type sync) to the leader on the quorum connection itself, as
 * ZooKeeper's Learner.request does, and the leader's server prepares and proposes them.
 */
export const QuorumPacketType = {
  REQUEST: 1,
  PROPOSAL: 2,
  ACK: 3,
  COMMIT: 4,
  PING: 5,
  SYNC: 7,
  INFORM: 8,
  COMMITANDACTIVATE: 9,
  NEWLEADER: 10,
  FOLLOWERINFO: 11,
  UPTODATE: 12,
  DIFF: 13,
  TRUNC: 14,
  SNAP: 15,
  OBSERVERINFO: 16,
  LEADERINFO: 17,
  ACKEPOCH: 18,
  INFORMANDACTIVATE: 19,
} as const;

/** An election notification (FastLeaderElection.Notification), sent on the election channel. */
export interface Notification {
  readonly type: "NOTIFICATION";
  readonly from: PeerId;
  readonly to: PeerId;
  readonly state: PeerStateName;
  readonly leader: PeerId;
  readonly zxid: Zxid;
  readonly electionEpoch: number;
  readonly peerEpoch: number;
  readonly configVersion: bigint;
  /**
   * The sender's active configuration (ZooKeeper's notifications carry its text). Active
   * means committed, so a peer that sees a newer one adopts it: that is how a server that
   * was away during a reconfig, and restarted with the older one, catches up.
   */
  readonly membership?: Membership;
  /**
   * A configuration a reconfig in the sender's log proposes, not committed yet. A server
   * that is a voter there, and does not hold that reconfig itself, votes and follows as a
   * voter meanwhile, so that configuration can reach a quorum (see PeerCore.heardPending).
   */
  readonly pending?: Membership;
}

/**
 * Every quorum-channel message belongs to one connection: the learner's session id
 * (fresh for each time it starts following) and the leader's term id (fresh each time
 * a peer starts leading; 0 on FOLLOWERINFO/OBSERVERINFO, before the learner knows it),
 * and carries a per-connection sequence number. ZAB needs FIFO channels: over TCP all
 * three are implicit in the socket, while in a simulation that loses, duplicates or
 * reorders messages the receiver uses them to drop duplicates, to ignore messages of an
 * older connection, and to treat a gap as a broken connection.
 */
interface QuorumHeader {
  readonly from: PeerId;
  readonly to: PeerId;
  readonly session: number;
  readonly term: number;
  readonly seq: number;
}

export type QuorumBody =
  | { readonly type: "FOLLOWERINFO"; readonly acceptedEpoch: number; readonly lastZxid: Zxid }
  | { readonly type: "OBSERVERINFO"; readonly acceptedEpoch: number; readonly lastZxid: Zxid }
  | { readonly type: "LEADERINFO"; readonly epoch: number }
  | { readonly type: "ACKEPOCH"; readonly currentEpoch: number; readonly lastZxid: Zxid }
  | { readonly type: "DIFF"; readonly zxid: Zxid }
  | { readonly type: "TRUNC"; readonly zxid: Zxid }
  /** `snapshot` is null when the core emits it: the caller fills in its state at `zxid`. */
  | { readonly type: "SNAP"; readonly zxid: Zxid; readonly snapshot: Uint8Array | null }
  | { readonly type: "PROPOSAL"; readonly zxid: Zxid; readonly data: Uint8Array }
  | { readonly type: "COMMIT"; readonly zxid: Zxid }
  | { readonly type: "INFORM"; readonly zxid: Zxid; readonly data: Uint8Array }
  /**
   * COMMIT and INFORM of a reconfig transaction: the receiver activates the membership it sets
   * and, if `designatedLeader` is not the peer it follows, follows that one instead (or leads,
   * if it is itself) without an election, as ZooKeeper's learners do.
   */
  | { readonly type: "COMMITANDACTIVATE"; readonly zxid: Zxid; readonly designatedLeader: PeerId }
  | { readonly type: "INFORMANDACTIVATE"; readonly zxid: Zxid; readonly data: Uint8Array; readonly designatedLeader: PeerId }
  /** `membership`: the leader's active configuration, which a learner adopts if newer than its own. */
  | { readonly type: "NEWLEADER"; readonly zxid: Zxid; readonly membership: Membership }
  /** Cumulative: the learner has persisted its log through `zxid`. */
  | { readonly type: "ACK"; readonly zxid: Zxid }
  | { readonly type: "UPTODATE"; readonly zxid: Zxid }
  | { readonly type: "PING"; readonly zxid: Zxid }
  /**
   * Learner → leader: a sync request; with `confirmQuorum`, the leader first confirms with a
   * quorum that it still leads (a linearizable read). Leader → learner: the answer.
   */
  | { readonly type: "SYNC"; readonly syncId: number; readonly confirmQuorum?: boolean };

export type QuorumMessage = QuorumHeader & QuorumBody;

/**
 * A body and its connection header as one message. Object.assign rather than a spread: the
 * body is one of many shapes, and V8 copies a spread of such a value through its slow
 * generic path (about 15 times slower here), on every message of every write.
 */
export function quorumMessage(body: QuorumBody, from: PeerId, to: PeerId, session: number, term: number, seq: number): QuorumMessage {
  return Object.assign({ from, to, session, term, seq }, body);
}
export type QuorumMessageType = QuorumBody["type"];

export type Message = Notification | QuorumMessage;

export function isNotification(m: Message): m is Notification {
  return m.type === "NOTIFICATION";
}
