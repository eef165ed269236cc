import { assert } from "./assert.js";
import { ElectionState, type Vote } from "./election-state.js";
import { LeaderState } from "./leader-state.js";
import { LearnerState } from "./learner-state.js";
import { MemLog } from "./log.js";
import { type Membership, membershipOfVerifier, verifierOf } from "./membership.js";
import type { Entry, Message } from "./messages.js";
import { EMPTY_STATE, type Limits, type PeerOptions, resolveLimits } from "./options.js";
import { type PeerId, QuorumTracker } from "./quorum.js";
import { type Express, type Ready, type Role, type SoftState, appliesBeforePersist } from "./ready.js";
import { type Rng, randomId } from "./rng.js";
import { type Zxid, formatZxid, makeZxid } from "./zxid.js";

/** Outputs gathered since the last ready(). */
class Outbox {
  snapshot: { zxid: Zxid; data: Uint8Array } | null = null;
  truncateTo: Zxid | null = null;
  entries: Entry[] = [];
  hardStateDirty = false;
  membership: Membership | null = null;
  messages: Message[] = [];
  syncsFailed: number[] = [];

  /** Non-null when epochs must be persisted: the shape appliesBeforePersist reads. */
  get hardState(): true | null {
    return this.hardStateDirty ? true : null;
  }

  isEmpty(): boolean {
    return (
      this.snapshot === null &&
      this.truncateTo === null &&
      this.entries.length === 0 &&
      !this.hardStateDirty &&
      this.membership === null &&
      this.messages.length === 0 &&
      this.syncsFailed.length === 0
    );
  }
}

/** Syncs answered by the leader together: they complete once everything through `threshold` is applied. */
interface SyncWait {
  readonly syncIds: readonly number[];
  readonly threshold: Zxid;
}

/**
 * What a peer does with its inputs in one role. PeerCore holds the handlers of the role it is
 * in, set on entering the role as etcd's raft sets its `step` function, so nothing dispatches
 * on the role name and this file needs none of the role modules (election.ts, leader.ts,
 * learner.ts), which are written against PeerCore; ZabPeer hands their handlers in.
 */
export interface RoleHandlers {
  /** The role's state is in place: open the role (vote, check progress, connect). */
  enter(core: PeerCore): void;
  step(core: PeerCore, message: Message): void;
  tick(core: PeerCore): void;
  /** The connection to `peer` was lost. */
  disconnected(core: PeerCore, peer: PeerId): void;
  /** A Ready is about to be cut: what the role batches for it goes out now. */
  beforeReady(core: PeerCore): void;
  /** advance(): the log is durable through a new point. */
  advanced(core: PeerCore): void;
}

export interface Roles {
  readonly looking: RoleHandlers;
  readonly leading: RoleHandlers;
  /** FOLLOWING and OBSERVING. */
  readonly learning: RoleHandlers;
}

/**
 * The state one peer keeps, shared by the role modules (election, leader, learner).
 * Only ZabPeer is public; this class is the place where role transitions happen, so
 * that every transition cleans up the role being left.
 */
export class PeerCore {
  readonly id: PeerId;
  /** The active configuration, plus the one a reconfig in the log proposes until it commits. */
  tracker: QuorumTracker;
  /** The configuration in force (its reconfig committed). */
  active: Membership;
  /** The newest configuration proposed in the log beyond the commit point, if any. */
  pending: Membership | null = null;
  /**
   * A configuration another server's log proposes, which makes this server a voter, heard in
   * an election while this server's own log does not hold it. Until this server syncs with a
   * leader it votes and follows as a voter, so a reconfig that stayed in the log of the only
   * servers that could lead can still gather a quorum of its new configuration. It adds
   * votes and acknowledgements only, never a quorum this server itself counts on.
   */
  heardPending: Membership | null = null;
  readonly rng: Rng;
  readonly limits: Limits;
  /** PeerOptions.unsafeCommitWithoutQuorum: a deliberate bug, off unless asked for. */
  readonly commitsWithoutQuorum: boolean;
  isVoter: boolean;
  private readonly membershipOf: (entry: Entry) => Membership | null;
  private readonly restampMembership: ((m: Membership, version: Zxid) => Membership) | null;

  acceptedEpoch: number;
  currentEpoch: number;
  readonly log: MemLog;
  /** The log is durable through this zxid (as of the last advance()). */
  persistedZxid: Zxid;
  persistedCurrentEpoch: number;
  commitZxid: Zxid;
  appliedZxid: Zxid;
  now = 0;
  /**
   * Voters the transport has no election link to (Peer.reachable): a vote from one cannot
   * arrive, so an election need not wait for it. Empty unless a transport reports links.
   */
  readonly unreachable = new Set<PeerId>();

  role: Role = "LOOKING";
  /** The handlers of `role`, changed only with it. */
  handlers: RoleHandlers;
  leaderId: PeerId | null = null;
  logicalclock = 0;
  vote: Vote;
  election: ElectionState | null = null;
  leading: LeaderState | null = null;
  learning: LearnerState | null = null;
  syncWaits: SyncWait[] = [];

  out = new Outbox();
  /**
   * The Ready handed out and not yet advanced: what it makes durable, whether its commits were
   * applied ahead of its writes (appliesBeforePersist) and whether its messages went out ahead
   * of them (sendBeforePersist); express() relies on both.
   */
  private inflight: { lastZxid: Zxid; currentEpoch: number; appliesFirst: boolean; sentFirst: boolean } | null = null;
  private reportedSoft: SoftState | null = null;

  constructor(
    options: PeerOptions,
    private readonly roles: Roles,
  ) {
    this.handlers = roles.looking;
    const storage = options.storage ?? EMPTY_STATE;
    this.id = options.id;
    this.membershipOf = options.membershipOf ?? (() => null);
    this.restampMembership = options.restampMembership ?? null;
    this.active = storage.membership ?? membershipOfVerifier(options.config);
    this.tracker = new QuorumTracker([verifierOf(this.active)]);
    this.isVoter = this.tracker.isVoter(this.id);
    this.rng = options.rng;
    this.limits = resolveLimits(options);
    this.commitsWithoutQuorum = options.unsafeCommitWithoutQuorum === true;
    assert(storage.currentEpoch <= storage.acceptedEpoch, "currentEpoch <= acceptedEpoch on disk");
    this.acceptedEpoch = storage.acceptedEpoch;
    this.currentEpoch = storage.currentEpoch;
    this.persistedCurrentEpoch = storage.currentEpoch;
    this.log = new MemLog(storage.snapshotZxid, storage.entries);
    this.persistedZxid = this.log.lastZxid();
    this.commitZxid = storage.snapshotZxid;
    this.appliedZxid = storage.snapshotZxid;
    this.refreshTracker();
    this.vote = { leader: this.id, zxid: this.log.lastZxid(), electionEpoch: 0, peerEpoch: this.currentEpoch };
    this.becomeLooking();
  }

  /** Members of every configuration in play. */
  get members(): readonly PeerId[] {
    const ids = new Set<PeerId>();
    for (const v of this.tracker.verifiers) for (const id of [...v.voters, ...v.observers]) ids.add(id);
    return [...ids];
  }

  /** Voters of every configuration in play: the peers an election talks to. */
  get voters(): readonly PeerId[] {
    const ids = new Set<PeerId>();
    for (const v of this.tracker.verifiers) for (const id of v.voters) ids.add(id);
    return [...ids];
  }

  isMember(id: PeerId): boolean {
    return this.tracker.verifiers.some((v) => v.isMember(id));
  }

  // --- configurations ----------------------------------------------------------------

  /** What a log entry reconfigures the ensemble to, if it is a reconfig. */
  membershipIn(entry: Entry): Membership | null {
    const m = this.membershipOf(entry);
    if (m === null) return null;
    assert(m.version === entry.zxid, `a reconfig's version is its zxid: ${formatZxid(m.version)} at ${formatZxid(entry.zxid)}`);
    return m;
  }

  /**
   * Decisions need a quorum of the active configuration and, while a reconfig waits in the
   * log for its commit, of the proposed one too (ZooKeeper's last seen verifier).
   */
  refreshTracker(): void {
    let pending: Membership | null = null;
    for (const e of this.log.slice(this.commitZxid < this.log.base ? this.log.base : this.commitZxid)) {
      const m = this.membershipIn(e);
      if (m !== null && m.version > this.active.version) pending = m;
    }
    this.pending = pending;
    const verifiers = [verifierOf(this.active)];
    if (pending !== null) verifiers.push(verifierOf(pending));
    this.tracker = new QuorumTracker(verifiers);
    // A voter of the proposed configuration votes and follows (acknowledges) already:
    // without its vote and its ACKs that configuration could lack a quorum.
    if (this.heardPending !== null && this.heardPending.version <= (this.pending ?? this.active).version) this.heardPending = null;
    this.isVoter = this.tracker.isVoter(this.id) || (this.heardPending !== null && verifierOf(this.heardPending).isVoter(this.id));
  }

  /** See heardPending; a LOOKING server that becomes a voter this way starts a new round as one. */
  hearPending(m: Membership): void {
    if (m.version <= (this.pending ?? this.active).version || m.version <= (this.heardPending?.version ?? -1n)) return;
    if (!verifierOf(m).isVoter(this.id)) return;
    const wasVoter = this.isVoter;
    this.heardPending = m;
    this.refreshTracker();
    if (!wasVoter && this.isVoter && this.role === "LOOKING") this.becomeLooking();
  }

  /** Synced with a leader: its history, not what was heard in elections, says what is proposed. */
  forgetHeardPending(): void {
    if (this.heardPending === null) return;
    this.heardPending = null;
    this.refreshTracker();
  }

  /** A leader taking office in `epoch` gives a configuration still at version 0 the epoch's first zxid (PeerOptions.restampMembership). */
  restampInitialMembership(epoch: number): void {
    if (this.restampMembership === null || this.active.version !== 0n) return;
    this.activate(this.restampMembership(this.active, makeZxid(epoch, 0)));
  }

  /** Makes `m` the configuration in force; the Ready carries it to disk. */
  activate(m: Membership): void {
    if (m.version <= this.active.version) return;
    this.active = m;
    this.out.membership = m;
    this.refreshTracker();
  }

  /**
   * Moves the commit point, activating every reconfig committed on the way. The peer the
   * leader designated for the new configuration (`designatedLeader`) leads it: a leader that
   * designated another, and learners of a leader other than it, go straight to it, without an
   * election (ZooKeeper's designated leader). Otherwise a leader that is no longer a voter
   * steps down, and a learner whose role (voter or observer) changed reconnects in its new
   * role. A server outside the configuration stays a learner that does not vote (one about to
   * join, or one that was removed).
   */
  commitThrough(zxid: Zxid, designatedLeader?: PeerId): void {
    if (zxid <= this.commitZxid) return;
    const from = this.commitZxid < this.log.base ? this.log.base : this.commitZxid;
    const reconfigs = this.log
      .slice(from, zxid)
      .map((e) => this.membershipIn(e))
      .filter((m) => m !== null);
    this.commitZxid = zxid;
    if (reconfigs.length === 0) return;
    for (const m of reconfigs) this.activate(m);
    this.afterReconfig(designatedLeader);
  }

  afterReconfig(designatedLeader?: PeerId): void {
    const v = verifierOf(this.active);
    const currentLeader = this.role === "LEADING" ? this.id : this.leaderId;
    if (designatedLeader !== undefined && currentLeader !== null && designatedLeader !== currentLeader) {
      this.turnTo({ ...this.vote, leader: designatedLeader, zxid: this.log.lastZxid() });
      return;
    }
    if (this.role === "LEADING" && !v.isVoter(this.id)) this.becomeLooking();
    else if ((this.role === "FOLLOWING" || this.role === "OBSERVING") && v.isMember(this.id)) {
      if ((this.role === "FOLLOWING") !== v.isVoter(this.id)) this.becomeLooking();
    }
  }

  send(message: Message): void {
    assert(message.from === this.id && message.to !== this.id, "messages go from this peer to another");
    this.out.messages.push(message);
  }

  // --- role transitions -------------------------------------------------------------

  becomeLooking(): void {
    this.leaveRole();
    this.role = "LOOKING";
    this.handlers = this.roles.looking;
    this.leaderId = null;
    this.election = new ElectionState();
    this.handlers.enter(this);
  }

  becomeLeader(vote: Vote): void {
    const early = [...(this.election?.earlyLearnerInfos.values() ?? [])];
    this.leaveRole();
    this.vote = vote;
    this.role = "LEADING";
    this.handlers = this.roles.leading;
    this.leaderId = this.id;
    const leading = new LeaderState(this.now, this.acceptedEpoch, randomId(this.rng));
    this.leading = leading;
    this.handlers.enter(this);
    // Learners that decided first sent their opening while this peer was still electing.
    for (const m of early) if (this.leading === leading) this.roles.leading.step(this, m);
  }

  /** Leads or follows as `vote` says: the end of an election, or a designated leader without one. */
  turnTo(vote: Vote): void {
    if (vote.leader === this.id) this.becomeLeader(vote);
    else this.becomeLearner(vote);
  }

  becomeLearner(vote: Vote): void {
    this.leaveRole();
    this.vote = vote;
    // Only a server the configuration lists as an observer observes. One outside it (about to
    // join, or removed) follows without a vote, as ZooKeeper's "non-voting follower" does.
    this.role = this.isVoter || !verifierOf(this.active).isMember(this.id) ? "FOLLOWING" : "OBSERVING";
    this.handlers = this.roles.learning;
    this.leaderId = vote.leader;
    this.learning = new LearnerState(vote.leader, this.now, this.rng);
    this.handlers.enter(this);
  }

  private leaveRole(): void {
    if (this.learning !== null) {
      // The leader will never answer these on another connection.
      for (const sent of this.learning.syncsSent) this.out.syncsFailed.push(...sent.syncIds);
      this.out.syncsFailed.push(...this.learning.confirmedWaiting);
    }
    if (this.leading !== null) {
      for (const batch of this.leading.localSyncs) this.out.syncsFailed.push(...batch.syncIds);
    }
    this.election = null;
    this.leading = null;
    this.learning = null;
  }

  // --- log changes that the Ready must carry ----------------------------------------

  appendEntry(entry: Entry): void {
    this.log.append(entry);
    this.out.entries.push(entry);
    if (this.membershipIn(entry) !== null) this.refreshTracker();
  }

  truncateLog(zxid: Zxid): void {
    assert(zxid >= this.commitZxid, `server ${this.id} (${this.role}): TRUNC to ${formatZxid(zxid)} below its commit point ${formatZxid(this.commitZxid)}`);
    assert(zxid >= this.log.base, `TRUNC to ${zxid} below the log base ${this.log.base}`);
    this.log.truncate(zxid);
    const pendingFirst = this.out.entries[0];
    if (pendingFirst !== undefined && pendingFirst.zxid <= zxid) {
      // Only entries not yet handed to the caller are cut: the durable log is untouched.
      this.out.entries = this.out.entries.filter((e) => e.zxid <= zxid);
    } else {
      this.out.entries = [];
      this.out.truncateTo = this.out.truncateTo === null || zxid < this.out.truncateTo ? zxid : this.out.truncateTo;
    }
    this.rewind(zxid);
    this.refreshTracker();
  }

  installSnapshot(zxid: Zxid, data: Uint8Array): void {
    assert(zxid >= this.appliedZxid, `snapshot at ${zxid} is older than the applied state ${this.appliedZxid}`);
    this.log.reset(zxid);
    this.out.snapshot = { zxid, data };
    this.out.truncateTo = null;
    this.out.entries = [];
    this.appliedZxid = zxid;
    this.commitZxid = zxid;
    this.syncWaits = this.syncWaits.map((w) => (w.threshold < zxid ? { syncIds: w.syncIds, threshold: zxid } : w));
    this.rewind(zxid);
    this.refreshTracker();
  }

  private rewind(zxid: Zxid): void {
    if (this.persistedZxid > zxid) this.persistedZxid = zxid;
    if (this.inflight !== null && this.inflight.lastZxid > zxid) this.inflight.lastZxid = zxid;
  }

  setAcceptedEpoch(epoch: number, mayGoBack = false): void {
    assert(epoch >= this.acceptedEpoch || mayGoBack, `acceptedEpoch goes forward: ${epoch} < ${this.acceptedEpoch}`);
    assert(epoch >= this.currentEpoch, `acceptedEpoch ${epoch} below currentEpoch ${this.currentEpoch}`);
    this.acceptedEpoch = epoch;
    this.out.hardStateDirty = true;
  }

  setCurrentEpoch(epoch: number): void {
    assert(epoch >= this.currentEpoch && epoch <= this.acceptedEpoch, `currentEpoch ${epoch} out of order`);
    this.currentEpoch = epoch;
    this.out.hardStateDirty = true;
  }

  addSyncWait(syncIds: readonly number[], threshold: Zxid): void {
    assert(this.syncWaits.length < this.limits.syncsPendingMax * 2, "sync waits are bounded");
    this.syncWaits.push({ syncIds, threshold });
  }

  // --- the Ready cycle --------------------------------------------------------------

  softState(): SoftState {
    const serving = (this.leading !== null && this.leading.phase === "established") || (this.learning !== null && this.learning.phase === "serving");
    const epoch = this.leading?.epoch ?? this.learning?.newEpoch ?? this.currentEpoch;
    return { role: this.role, leader: this.leaderId, epoch, serving };
  }

  private committedThrough(): Zxid {
    const last = this.log.lastZxid();
    return this.commitZxid < last ? this.commitZxid : last;
  }

  hasReady(): boolean {
    if (this.inflight !== null) return false;
    if (this.leading?.confirmRoundWanted === true) return true;
    if (this.learning?.confirmedSyncDue === true) return true;
    if (!this.out.isEmpty()) return true;
    if (this.committedThrough() > this.appliedZxid) return true;
    if (this.syncWaits.some((w) => w.threshold <= this.appliedZxid)) return true;
    return !sameSoft(this.softState(), this.reportedSoft);
  }

  ready(): Ready {
    assert(this.inflight === null, "advance() the previous Ready before asking for another");
    // Confirmed syncs that arrived since the last Ready share one PING round, or one SYNC.
    this.handlers.beforeReady(this);
    const committed = this.takeCommitted();
    const syncsDone = this.takeSyncsDone();
    const soft = this.softState();
    const softChanged = !sameSoft(soft, this.reportedSoft);
    this.reportedSoft = soft;
    const out = this.out;
    this.out = new Outbox();
    // Entries the state machine has applied are no longer needed in memory beyond the
    // DIFF window; learners further behind get a SNAP.
    this.log.compact(this.limits.logRetainEntries, this.appliedZxid);
    const ready: Ready = {
      snapshot: out.snapshot,
      truncateTo: out.truncateTo,
      entries: out.entries,
      hardState: out.hardStateDirty ? { acceptedEpoch: this.acceptedEpoch, currentEpoch: this.currentEpoch } : null,
      membership: out.membership,
      sendBeforePersist: this.broadcastsFreely(out),
      messages: out.messages,
      committed,
      syncsDone,
      syncsFailed: out.syncsFailed,
      softState: softChanged ? soft : null,
    };
    this.inflight = {
      lastZxid: this.log.lastZxid(),
      currentEpoch: this.currentEpoch,
      appliesFirst: appliesBeforePersist(ready),
      sentFirst: ready.sendBeforePersist,
    };
    return ready;
  }

  /**
   * An established leader whose outbox changes no epoch, log base or configuration and holds
   * only its broadcast: those messages vouch for nothing it has yet to persist.
   */
  private broadcastsFreely(out: Outbox): boolean {
    return (
      this.role === "LEADING" &&
      this.leading?.phase === "established" &&
      out.snapshot === null &&
      out.truncateTo === null &&
      !out.hardStateDirty &&
      out.membership === null &&
      out.messages.every((m) => m.type !== "SNAP" && m.type !== "NEWLEADER" && m.type !== "LEADERINFO" && m.type !== "DIFF" && m.type !== "TRUNC")
    );
  }

  /**
   * While a Ready is being persisted: the leader's broadcast and the commits made since it was
   * taken, or null when there is none or they must wait for the next Ready. They wait when
   * the Ready in flight applies or sends only after its writes (what follows must not overtake
   * it), when role, leader or serving changed (a Ready reports that first), or when the
   * outbox changes what the state machine stands on or holds a SNAP. A follower's messages
   * (its ACKs) always wait: they vouch for entries the next Ready persists.
   */
  express(): Express | null {
    const flight = this.inflight;
    if (flight === null || !flight.appliesFirst) return null;
    if (!sameSoft(this.softState(), this.reportedSoft)) return null;
    const out = this.out;
    // A SNAP in the outbox captures the state as it is now: no commit may be applied before it goes.
    if (!appliesBeforePersist(out)) return null;
    let messages: Message[] = [];
    if (flight.sentFirst && out.messages.length > 0 && this.broadcastsFreely(out)) {
      messages = out.messages;
      out.messages = [];
    }
    const committed = this.takeCommitted();
    const syncsDone = this.takeSyncsDone();
    if (messages.length === 0 && committed.length === 0 && syncsDone.length === 0) return null;
    return { messages, committed, syncsDone };
  }

  /** The committed entries not yet handed out for applying, in zxid order; they count as applied from here. */
  private takeCommitted(): Entry[] {
    const through = this.committedThrough();
    if (through <= this.appliedZxid) return [];
    // In zxid order: the log refuses an entry that does not follow its last one.
    const committed = this.log.slice(this.appliedZxid, through);
    this.appliedZxid = through;
    return committed;
  }

  /** Every sync whose threshold is applied, in the order they were answered; the rest keep waiting. */
  private takeSyncsDone(): number[] {
    const done: number[] = [];
    let kept = 0;
    for (const w of this.syncWaits) {
      if (w.threshold <= this.appliedZxid) for (const id of w.syncIds) done.push(id);
      else this.syncWaits[kept++] = w;
    }
    this.syncWaits.length = kept;
    return done;
  }

  advance(): void {
    assert(this.inflight !== null, "advance() without a Ready");
    this.persistedZxid = this.inflight.lastZxid;
    this.persistedCurrentEpoch = this.inflight.currentEpoch;
    this.inflight = null;
    this.handlers.advanced(this);
  }
}

function sameSoft(a: SoftState, b: SoftState | null): boolean {
  return b !== null && a.role === b.role && a.leader === b.leader && a.epoch === b.epoch && a.serving === b.serving;
}
