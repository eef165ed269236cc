import { assert, fail, unreachable } from "./assert.js";
import { PeerCore, type Roles } from "./core.js";
import { adoptNewerMembership, looking, voterUnreachable } from "./election.js";
import { type TxnBuilder, leaderPropose, leaderSync, proposalsFull, reconfigRefusal } from "./broadcast.js";
import { leading } from "./leader.js";
import { learnerSync, learning } from "./learner.js";
import type { Membership } from "./membership.js";
import type { Message } from "./messages.js";
import type { PeerOptions } from "./options.js";
import type { PeerId } from "./quorum.js";
import type { Express, Ready, Role } from "./ready.js";
import type { Zxid } from "./zxid.js";

/** Each role's handlers, which PeerCore switches between as the peer changes role. */
const ROLES: Roles = { looking, leading, learning };

export type ProposeResult = { readonly kind: "proposed"; readonly zxid: Zxid } | { readonly kind: "dropped"; readonly reason: string };

export interface PeerStatus {
  readonly id: PeerId;
  readonly role: Role;
  readonly leader: PeerId | null;
  readonly serving: boolean;
  readonly epoch: number;
  readonly acceptedEpoch: number;
  readonly currentEpoch: number;
  readonly lastZxid: Zxid;
  readonly commitZxid: Zxid;
  readonly appliedZxid: Zxid;
  readonly logicalclock: number;
  /** Leader only: learners connected, and how many of them are synced (ZooKeeper's mntr figures). */
  readonly learners: number;
  readonly syncedLearners: number;
  /** Leader only: synced learners split as ZooKeeper's mntr reports them. */
  readonly syncedFollowers: number;
  /** Synced followers that are not voters of the configuration (only while a reconfiguration is in play). */
  readonly syncedNonVotingFollowers: number;
  readonly syncedObservers: number;
  /** Leader only: zxids that learners' sync requests are waiting on (ZooKeeper's pendingSyncs). */
  readonly pendingSyncs: number;
  /** The configuration in force, and one a reconfig in the log proposes until it commits. */
  readonly membership: Membership;
  readonly pendingMembership: Membership | null;
  /** Leader only: learners synced as followers (a reconfig needs a quorum of the new configuration among them and the leader). */
  readonly syncedFollowerIds: readonly PeerId[];
  /** ZooKeeper's ZabState: where this peer is in election, discovery, synchronization, broadcast. */
  readonly zabState: ZabState;
}

export type ZabState = "election" | "discovery" | "synchronization" | "broadcast";

/**
 * One ZAB peer, shaped like etcd's RawNode: input through step(), tick(), propose()
 * and sync(); output through ready(), one value at a time, acknowledged by advance().
 * It never does I/O, never reads a clock and never calls Math.random: the caller owns
 * disks, sockets and time.
 */
export class ZabPeer {
  private readonly core: PeerCore;

  constructor(options: PeerOptions) {
    this.core = new PeerCore(options, ROLES);
  }

  get id(): PeerId {
    return this.core.id;
  }

  /** Feed one message received from another peer. */
  step(message: Message): void {
    const core = this.core;
    if (message.to !== core.id) fail(`message for ${message.to} stepped into peer ${core.id}`);
    if (message.from === core.id) return;
    // Servers outside the configuration are answered in elections (so one about to be
    // added finds the leader) and taken as learners by a leader; their votes never count.
    if (message.type !== "NOTIFICATION" && core.role !== "LEADING" && !core.isMember(message.from)) return;
    if (message.type === "NOTIFICATION" && adoptNewerMembership(core, message)) return;
    core.handlers.step(core, message);
  }

  /**
   * The transport lost its connection to `peer` (a closed socket). Optional: without it
   * the same happens after initLimit/syncLimit ticks of silence, but a server that sees
   * the socket close can react at once, as ZooKeeper does.
   */
  disconnected(peer: PeerId): void {
    this.core.handlers.disconnected(this.core, peer);
  }

  /**
   * The transport's election link to `peer` came up or went down. Optional: without it every
   * election waits out the finalize wait once a quorum agrees, as ZooKeeper's does; with it,
   * an election whose every unheard voter is out of reach decides at once.
   */
  reachable(peer: PeerId, up: boolean): void {
    if (up) {
      this.core.unreachable.delete(peer);
      return;
    }
    this.core.unreachable.add(peer);
    if (this.core.role === "LOOKING") voterUnreachable(this.core);
  }

  /** Advance time by one tick (zoo.cfg tickTime in a real server). */
  tick(): void {
    const core = this.core;
    core.now += 1;
    core.handlers.tick(core);
  }

  /**
   * Propose a transaction: the leader gives it the next zxid. Pass the bytes, or a TxnBuilder
   * that makes them for that zxid (the caller never predicts it). Only the leader proposes: a
   * learner's server forwards its clients' requests to the leader's server, which turns each
   * into a transaction and proposes it here (ZooKeeper's Learner.request and
   * PrepRequestProcessor), so no learner ever has a transaction to propose.
   */
  propose(txn: Uint8Array | TxnBuilder): ProposeResult {
    const core = this.core;
    switch (core.role) {
      case "LEADING":
        return leaderPropose(core, txn);
      case "FOLLOWING":
      case "OBSERVING":
        return { kind: "dropped", reason: "not the leader" };
      case "LOOKING":
        return { kind: "dropped", reason: "no leader" };
      default:
        return unreachable(core.role);
    }
  }

  /**
   * An established leader's flow control: true while proposalsOutstandingMax proposals await
   * their commit, when propose() refuses for load. A caller that must not lose a request
   * holds it back until commits (in a later Ready) make room. False in every other role.
   */
  proposalsFull(): boolean {
    const core = this.core;
    return core.role === "LEADING" && core.leading !== null && proposalsFull(core, core.leading);
  }

  /**
   * ZooKeeper's sync: `syncId` shows up in a later Ready's syncsDone once this peer has
   * applied everything the leader had committed (or proposed, for the leader itself)
   * when the request reached it; in syncsFailed if the peer loses its leader first.
   * With `confirmQuorum`, the leader also waits until a quorum of voters has answered a
   * PING sent after the request reached it, which proves no other leader could have
   * committed anything by then: a read after such a sync is linearizable. Confirmed syncs
   * share that work: a learner keeps one confirmed SYNC in flight, sent with a Ready, for
   * every confirmed sync that arrived before that Ready; the leader's own share the next
   * PING round.
   * Returns false when the request cannot be taken now (no leader, or too many pending).
   */
  sync(syncId: number, options: { confirmQuorum?: boolean } = {}): boolean {
    const core = this.core;
    const confirmQuorum = options.confirmQuorum === true;
    switch (core.role) {
      case "LEADING":
        return leaderSync(core, syncId, confirmQuorum);
      case "FOLLOWING":
      case "OBSERVING":
        return learnerSync(core, syncId, confirmQuorum);
      case "LOOKING":
        return false;
      default:
        return unreachable(core.role);
    }
  }

  /**
   * Leader: why a reconfiguration to `m` would be refused now ("a reconfiguration is in
   * progress", "the new configuration has no quorum of synced followers"), or null. The
   * server asks before preparing a reconfig, to answer RECONFIGINPROGRESS or
   * NEWCONFIGNOQUORUM; propose() refuses the same cases.
   */
  reconfigRefusal(m: Membership): string | null {
    const core = this.core;
    if (core.role !== "LEADING" || core.leading === null || core.leading.phase !== "established") return "not an established leader";
    return reconfigRefusal(core, core.leading, m);
  }

  /** The configuration in force and the one a reconfig in the log proposes (cheaper than status()). */
  get membership(): { readonly active: Membership; readonly pending: Membership | null } {
    return { active: this.core.active, pending: this.core.pending };
  }

  hasReady(): boolean {
    return this.core.hasReady();
  }

  /** Everything to persist, send and apply since the last Ready. Call advance() when done. */
  ready(): Ready {
    return this.core.ready();
  }

  /**
   * While the last Ready is being persisted: broadcast and commits that need not wait for it
   * (see Express), or null. Call after each input while a Ready is in flight.
   */
  express(): Express | null {
    return this.core.express();
  }

  /** The last Ready is persisted, its messages sent, its committed entries applied. */
  advance(): void {
    this.core.advance();
  }

  status(): PeerStatus {
    const core = this.core;
    const soft = core.softState();
    const handlers = core.leading === null ? [] : [...core.leading.handlers.values()];
    const synced = handlers.filter((h) => h.state === "uptodate");
    return {
      id: core.id,
      role: core.role,
      leader: core.leaderId,
      serving: soft.serving,
      epoch: soft.epoch,
      acceptedEpoch: core.acceptedEpoch,
      currentEpoch: core.currentEpoch,
      lastZxid: core.log.lastZxid(),
      commitZxid: core.commitZxid,
      appliedZxid: core.appliedZxid,
      logicalclock: core.logicalclock,
      learners: handlers.length,
      syncedLearners: synced.length,
      syncedFollowers: synced.filter((h) => !h.observer).length,
      syncedNonVotingFollowers: synced.filter((h) => !h.observer && !core.tracker.isVoter(h.id)).length,
      syncedObservers: synced.filter((h) => h.observer).length,
      pendingSyncs: new Set(core.leading?.remoteSyncs.map((s) => s.zxid) ?? []).size,
      membership: core.active,
      pendingMembership: core.pending,
      syncedFollowerIds: synced.filter((h) => !h.observer).map((h) => h.id),
      zabState: zabStateOf(core),
    };
  }
}

function zabStateOf(core: PeerCore): ZabState {
  if (core.leading !== null) {
    const phase = core.leading.phase;
    if (phase === "established") return "broadcast";
    return phase === "syncing" ? "synchronization" : "discovery";
  }
  if (core.learning !== null) {
    const phase = core.learning.phase;
    if (phase === "serving") return "broadcast";
    return phase === "connecting" ? "discovery" : "synchronization";
  }
  return "election";
}
