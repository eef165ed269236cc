import { assert } from "./assert.js";
import type { Zxid } from "./zxid.js";

export type PeerId = number;

/**
 * Who votes and who only listens, and what counts as a quorum. ZooKeeper's
 * QuorumVerifier carries a version (the zxid of the reconfig that made it); during a
 * reconfiguration a decision needs a quorum of the old and of the new configuration,
 * which is why every quorum question below goes through a list of verifiers
 * (QuorumTracker) rather than one.
 */
export interface QuorumVerifier {
  readonly version: bigint;
  readonly voters: readonly PeerId[];
  readonly observers: readonly PeerId[];
  isVoter(id: PeerId): boolean;
  isMember(id: PeerId): boolean;
  containsQuorum(ids: Iterable<PeerId>): boolean;
  /**
   * The largest zxid that a quorum of voters has reached, given each voter's
   * acknowledged zxid (voters absent from the map have acknowledged nothing), or -1
   * when no quorum has acknowledged anything.
   */
  quorumZxid(acked: ReadonlyMap<PeerId, Zxid>): Zxid;
}

/** Majority of voters (QuorumMaj): more than half of the voters, observers never count. */
export class MajorityQuorumVerifier implements QuorumVerifier {
  readonly voters: readonly PeerId[];
  readonly observers: readonly PeerId[];
  private readonly voterSet: ReadonlySet<PeerId>;
  private readonly observerSet: ReadonlySet<PeerId>;
  /** Votes needed: floor(n/2) + 1. */
  readonly quorumSize: number;

  constructor(
    voters: readonly PeerId[],
    observers: readonly PeerId[] = [],
    readonly version: bigint = 0n,
  ) {
    assert(voters.length > 0, "a configuration needs at least one voter");
    this.voterSet = new Set(voters);
    this.observerSet = new Set(observers);
    assert(this.voterSet.size === voters.length, `duplicate voter ids: ${voters.join(",")}`);
    assert(this.observerSet.size === observers.length, `duplicate observer ids: ${observers.join(",")}`);
    for (const id of [...voters, ...observers]) assert(Number.isSafeInteger(id) && id >= 0, `bad server id: ${id}`);
    for (const id of observers) assert(!this.voterSet.has(id), `server ${id} is both voter and observer`);
    this.voters = [...voters].sort((a, b) => a - b);
    this.observers = [...observers].sort((a, b) => a - b);
    this.quorumSize = Math.floor(voters.length / 2) + 1;
    assert(2 * this.quorumSize > voters.length && this.quorumSize <= voters.length, "quorum size arithmetic");
  }

  isVoter(id: PeerId): boolean {
    return this.voterSet.has(id);
  }

  isMember(id: PeerId): boolean {
    return this.voterSet.has(id) || this.observerSet.has(id);
  }

  containsQuorum(ids: Iterable<PeerId>): boolean {
    const seen = new Set<PeerId>();
    for (const id of ids) if (this.voterSet.has(id)) seen.add(id);
    return seen.size >= this.quorumSize;
  }

  quorumZxid(acked: ReadonlyMap<PeerId, Zxid>): Zxid {
    // The highest acknowledgement that quorumSize voters or more have reached: the
    // quorumSize-th from the top (etcd's CommittedIndex idea). Asked on every ACK, so it is
    // found by counting rather than by sorting a fresh array: voters are few.
    let result = -1n;
    for (const id of this.voters) {
      const candidate = acked.get(id) ?? -1n;
      if (candidate <= result) continue;
      let reached = 0;
      for (const other of this.voters) if ((acked.get(other) ?? -1n) >= candidate) reached++;
      if (reached >= this.quorumSize) result = candidate;
    }
    return result;
  }
}

/**
 * A decision that needs a quorum of every configuration in play (one today; the old
 * and the new one while a reconfiguration is being committed).
 */
export class QuorumTracker {
  constructor(readonly verifiers: readonly QuorumVerifier[]) {
    assert(verifiers.length >= 1 && verifiers.length <= 2, "one or two configurations at a time");
  }

  isVoter(id: PeerId): boolean {
    return this.verifiers.some((v) => v.isVoter(id));
  }

  containsQuorum(ids: Iterable<PeerId>): boolean {
    const list = [...ids];
    return this.verifiers.every((v) => v.containsQuorum(list));
  }

  quorumZxid(acked: ReadonlyMap<PeerId, Zxid>): Zxid {
    let result: Zxid | null = null;
    for (const v of this.verifiers) {
      const z = v.quorumZxid(acked);
      result = result === null || z < result ? z : result;
    }
    assert(result !== null, "at least one verifier");
    return result;
  }
}
