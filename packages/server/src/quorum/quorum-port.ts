import type { PeerStatus, ProposeResult, TxnBuilder } from "@zkts/zab";
import type { ForwardedRequest } from "./quorum-codec.js";

/**
 * What a replica needs of its quorum peer. A server implements it over sockets (PeerDriver);
 * the lab's simulation implements it over a simulated network, so both run the same request
 * pipeline.
 */
export interface QuorumPort {
  status(): PeerStatus;
  /** The leader gives the transaction the next zxid and `build` makes it for that zxid; a learner is refused. */
  propose(build: TxnBuilder): ProposeResult;
  /** The leader's proposals in flight are at the core's bound (ZabPeer.proposalsFull): hold writes back. */
  proposalsFull(): boolean;
  /**
   * ZooKeeper's sync: the id comes back through ReplicatedState.onSyncs. With confirmQuorum
   * the leader first confirms its leadership with a quorum (a linearizable read follows).
   */
  sync(syncId: number, options?: { confirmQuorum?: boolean }): boolean;
  /** A learner sends a client request, or a report of the sessions its clients used, to its leader. */
  forward(request: ForwardedRequest): boolean;
  /**
   * A learner: a client reconnected here with `sessionId`. A ZooKeeper leader then takes this
   * learner for the session's owner (without it a write forwarded from here is SESSIONMOVED),
   * and `answer` gets its word on the session's validity; false when there is no leader to
   * ask. Absent (the lab's simulation), the learner's own session table is the answer.
   */
  revalidate?(sessionId: bigint, timeoutMs: number, answer: (valid: boolean) => void): boolean;
}
