import { assert, unreachable } from "./assert.js";
import type { PeerCore } from "./core.js";
import { updateElectionVote } from "./election.js";
import type { QuorumBody, QuorumMessage } from "./messages.js";
import type { PeerId } from "./quorum.js";
import { EPOCH_MAX, type Zxid, counterOf, epochOf, makeZxid } from "./zxid.js";

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

  constructor(
    readonly id: PeerId,
    readonly observer: boolean,
    readonly session: number,
    readonly acceptedEpoch: number,
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

interface RemoteSync {
  readonly zxid: Zxid;
  readonly learner: PeerId;
  readonly session: number;
  readonly syncId: number;
}

type LeaderPhase = "discovery" | "epochProposed" | "syncing" | "established";

export class LeaderState {
  phase: LeaderPhase = "discovery";
  /** The new epoch, once a quorum's FOLLOWERINFO fixed it. */
  epoch: number | null = null;
  readonly handlers = new Map<PeerId, LearnerHandler>();
  /** Voters whose FOLLOWERINFO counted toward choosing the epoch (this peer included). */
  readonly infoFrom = new Set<PeerId>();
  maxAcceptedEpoch: number;
  readonly epochAcks = new Set<PeerId>();
  readonly newLeaderAcks = new Set<PeerId>();
  lastProposed: Zxid = -1n;
  lastPingTick: number;
  readonly remoteSyncs: RemoteSync[] = [];
  readonly localSyncs: { syncId: number; zxid: Zxid }[] = [];

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

function leaderOf(core: PeerCore): LeaderState {
  assert(core.leading !== null, "leader state present while LEADING");
  return core.leading;
}

function sendTo(core: PeerCore, h: LearnerHandler, body: QuorumBody): void {
  const term = leaderOf(core).term;
  core.send({ ...body, from: core.id, to: h.id, session: h.session, term, seq: h.seqOut } as QuorumMessage);
  h.seqOut += 1;
}

/** Moves discovery and synchronization forward as far as the collected answers allow. */
export function leaderCheckProgress(core: PeerCore): void {
  const l = leaderOf(core);
  if (l.phase === "discovery") {
    l.infoFrom.add(core.id);
    if (!core.tracker.containsQuorum(l.infoFrom)) return;
    const epoch = l.maxAcceptedEpoch + 1;
    assert(epoch <= EPOCH_MAX, "epoch space exhausted");
    l.epoch = epoch;
    core.setAcceptedEpoch(epoch);
    l.phase = "epochProposed";
    for (const h of l.handlers.values()) {
      if (h.state === "info") {
        sendTo(core, h, { type: "LEADERINFO", epoch });
        h.state = "epochSent";
      }
    }
  }
  if (l.phase === "epochProposed") {
    l.epochAcks.add(core.id);
    if (!core.tracker.containsQuorum(l.epochAcks)) return;
    core.setCurrentEpoch(l.epoch as number);
    updateElectionVote(core, l.epoch as number);
    l.phase = "syncing";
    for (const h of l.handlers.values()) if (h.state === "ackedEpoch") syncLearner(core, h);
  }
  if (l.phase === "syncing") {
    // The leader counts itself once its own currentEpoch is durable.
    if (core.persistedCurrentEpoch === l.epoch) l.newLeaderAcks.add(core.id);
    if (!core.tracker.containsQuorum(l.newLeaderAcks)) return;
    establish(core, l);
  }
  if (l.phase === "established") tryCommit(core, l);
}

function establish(core: PeerCore, l: LeaderState): void {
  const epoch = l.epoch as number;
  const last = core.log.lastZxid();
  assert(epochOf(last) < epoch, "nothing proposed in an epoch before it is established");
  // A quorum holds the whole initial history and has accepted the epoch: all of it is committed.
  if (last > core.commitZxid) core.commitZxid = last;
  l.lastProposed = makeZxid(epoch, 0);
  l.phase = "established";
  for (const h of l.handlers.values()) {
    if (h.state === "ackedNewLeader") {
      sendTo(core, h, { type: "UPTODATE", zxid: core.commitZxid });
      h.state = "uptodate";
    }
  }
}

/**
 * DIFF when the learner's last zxid is in the leader's history, TRUNC to the leader's
 * nearest zxid below it when the learner has entries the leader does not, SNAP when the
 * learner is behind the entries kept in memory. Then every entry after that point, then
 * NEWLEADER.
 */
function syncLearner(core: PeerCore, h: LearnerHandler): void {
  const peerLast = h.lastZxid;
  const floor = core.log.floor(peerLast);
  let from: Zxid;
  if (floor === null) {
    // The caller fills in a snapshot of its state, which is at appliedZxid when it sends.
    from = core.appliedZxid;
    sendTo(core, h, { type: "SNAP", zxid: from, snapshot: null });
  } else if (floor === peerLast) {
    from = peerLast;
    sendTo(core, h, { type: "DIFF", zxid: core.log.lastZxid() });
  } else {
    from = floor;
    sendTo(core, h, { type: "TRUNC", zxid: floor });
  }
  for (const e of core.log.slice(from)) sendTo(core, h, { type: "PROPOSAL", zxid: e.zxid, data: e.data });
  sendTo(core, h, { type: "NEWLEADER", zxid: core.log.lastZxid() });
  h.state = "synced";
}

export type LocalProposal = { kind: "proposed"; zxid: Zxid } | { kind: "dropped"; reason: string };

export function leaderPropose(core: PeerCore, data: Uint8Array): LocalProposal {
  const l = leaderOf(core);
  if (l.phase !== "established") return { kind: "dropped", reason: "leader not established" };
  const epochStart = makeZxid(l.epoch as number, 0);
  const committedInEpoch = core.commitZxid > epochStart ? core.commitZxid : epochStart;
  if (l.lastProposed - committedInEpoch >= BigInt(core.limits.proposalsOutstandingMax)) {
    return { kind: "dropped", reason: "too many outstanding proposals" };
  }
  const epoch = l.epoch as number;
  const counter = counterOf(l.lastProposed) + 1;
  if (counter > core.limits.zxidCounterMax) {
    // ZooKeeper's answer to counter rollover: a new election, hence a new epoch.
    core.becomeLooking();
    return { kind: "dropped", reason: "zxid counter exhausted: new epoch forced" };
  }
  const zxid = makeZxid(epoch, counter);
  core.appendEntry({ zxid, data });
  l.lastProposed = zxid;
  for (const h of l.handlers.values()) {
    if (h.receivesBroadcast && !h.observer) sendTo(core, h, { type: "PROPOSAL", zxid, data });
  }
  return { kind: "proposed", zxid };
}

/** A local sync completes once everything proposed so far is committed and applied. */
export function leaderSync(core: PeerCore, syncId: number): boolean {
  const l = leaderOf(core);
  if (l.phase !== "established") return false;
  if (l.localSyncs.length >= core.limits.syncsPendingMax) return false;
  if (l.lastProposed <= core.commitZxid) core.addSyncWait(syncId, core.commitZxid);
  else l.localSyncs.push({ syncId, zxid: l.lastProposed });
  return true;
}

function tryCommit(core: PeerCore, l: LeaderState): void {
  const acked = new Map<PeerId, Zxid>([[core.id, core.persistedZxid]]);
  for (const h of l.handlers.values()) if (h.acks) acked.set(h.id, h.ackedZxid);
  let target = core.tracker.quorumZxid(acked);
  if (target > l.lastProposed) target = l.lastProposed;
  if (target <= core.commitZxid) return;
  // Commit strictly in zxid order, one COMMIT (or INFORM for observers) per entry.
  for (const e of core.log.slice(core.commitZxid, target)) {
    for (const h of l.handlers.values()) {
      if (!h.receivesBroadcast) continue;
      if (h.observer) sendTo(core, h, { type: "INFORM", zxid: e.zxid, data: e.data });
      else sendTo(core, h, { type: "COMMIT", zxid: e.zxid });
    }
  }
  core.commitZxid = target;
  answerSyncs(core, l);
}

function answerSyncs(core: PeerCore, l: LeaderState): void {
  while (l.remoteSyncs.length > 0 && (l.remoteSyncs[0] as RemoteSync).zxid <= core.commitZxid) {
    const s = l.remoteSyncs.shift() as RemoteSync;
    const h = l.handlers.get(s.learner);
    if (h !== undefined && h.session === s.session) sendTo(core, h, { type: "SYNC", syncId: s.syncId });
  }
  while (l.localSyncs.length > 0 && (l.localSyncs[0] as { zxid: Zxid }).zxid <= core.commitZxid) {
    const s = l.localSyncs.shift() as { syncId: number; zxid: Zxid };
    core.addSyncWait(s.syncId, s.zxid);
  }
}

/** LEADING: one learner's message. FOLLOWERINFO/OBSERVERINFO open a session; the rest need one. */
export function stepLeading(core: PeerCore, m: QuorumMessage): void {
  const l = leaderOf(core);
  if (m.type === "FOLLOWERINFO" || m.type === "OBSERVERINFO") {
    openSession(core, l, m);
    return;
  }
  const h = l.handlers.get(m.from);
  if (h === undefined || h.session !== m.session || m.term !== l.term || m.seq < h.seqIn) return;
  if (m.seq > h.seqIn) {
    // A lost message: the connection is broken. The learner notices through silence.
    l.handlers.delete(m.from);
    return;
  }
  h.seqIn += 1;
  h.lastHeard = core.now;
  switch (m.type) {
    case "ACKEPOCH":
      onAckEpoch(core, l, h, m.currentEpoch, m.lastZxid);
      return;
    case "ACK":
      onAck(core, l, h, m.zxid);
      return;
    case "PING":
      return;
    case "REQUEST":
      if (h.state === "uptodate") leaderPropose(core, m.data);
      return;
    case "SYNC":
      onSync(core, l, h, m.syncId);
      return;
    case "LEADERINFO":
    case "DIFF":
    case "TRUNC":
    case "SNAP":
    case "PROPOSAL":
    case "COMMIT":
    case "INFORM":
    case "NEWLEADER":
    case "UPTODATE":
      return; // Only a leader sends these; a confused or stale peer is ignored.
    default:
      unreachable(m);
  }
}

function openSession(core: PeerCore, l: LeaderState, m: QuorumMessage & { type: "FOLLOWERINFO" | "OBSERVERINFO" }): void {
  const existing = l.handlers.get(m.from);
  if (m.seq !== 0 || (existing !== undefined && existing.session === m.session)) return;
  const observer = m.type === "OBSERVERINFO";
  if (observer === core.tracker.isVoter(m.from)) return; // The configuration says otherwise.
  if (l.epoch !== null && !observer && m.acceptedEpoch > l.epoch) {
    // This voter promised a later epoch and would refuse ours forever (ZooKeeper leaves
    // it cycling through elections). A new election picks an epoch above its promise.
    core.becomeLooking();
    return;
  }
  const h = new LearnerHandler(m.from, observer, m.session, m.acceptedEpoch, m.lastZxid, core.now);
  l.handlers.set(m.from, h);
  if (l.epoch !== null) {
    sendTo(core, h, { type: "LEADERINFO", epoch: l.epoch });
    h.state = "epochSent";
    return;
  }
  if (!observer) {
    l.infoFrom.add(m.from);
    if (m.acceptedEpoch > l.maxAcceptedEpoch) l.maxAcceptedEpoch = m.acceptedEpoch;
  }
  leaderCheckProgress(core);
}

function onAckEpoch(core: PeerCore, l: LeaderState, h: LearnerHandler, currentEpoch: number, lastZxid: Zxid): void {
  if (h.state !== "epochSent") return;
  const ahead =
    currentEpoch > core.currentEpoch || (currentEpoch === core.currentEpoch && lastZxid > core.log.lastZxid());
  if (ahead && l.phase === "epochProposed") {
    // A learner has a more recent history than the elected leader: elect again.
    core.becomeLooking();
    return;
  }
  h.lastZxid = lastZxid;
  h.state = "ackedEpoch";
  if (!h.observer) l.epochAcks.add(h.id);
  if (l.phase === "syncing" || l.phase === "established") syncLearner(core, h);
  else leaderCheckProgress(core);
}

function onAck(core: PeerCore, l: LeaderState, h: LearnerHandler, zxid: Zxid): void {
  if (h.state === "synced") {
    h.state = "ackedNewLeader";
    h.ackedZxid = zxid;
    if (!h.observer) l.newLeaderAcks.add(h.id);
    if (l.phase === "established") {
      sendTo(core, h, { type: "UPTODATE", zxid: core.commitZxid });
      h.state = "uptodate";
    }
    leaderCheckProgress(core);
    return;
  }
  if (h.state === "ackedNewLeader" || h.state === "uptodate") {
    if (zxid > h.ackedZxid) h.ackedZxid = zxid;
    if (l.phase === "established") tryCommit(core, l);
  }
}

function onSync(core: PeerCore, l: LeaderState, h: LearnerHandler, syncId: number): void {
  if (h.state !== "uptodate") return;
  // Answered in order on the same channel, after the commits of everything proposed so far.
  if (l.lastProposed <= core.commitZxid) sendTo(core, h, { type: "SYNC", syncId });
  else if (l.remoteSyncs.length < core.limits.syncsPendingMax) {
    l.remoteSyncs.push({ zxid: l.lastProposed, learner: h.id, session: h.session, syncId });
  }
}

export function tickLeading(core: PeerCore): void {
  const l = leaderOf(core);
  if (l.phase !== "established" && core.now - l.startTick > core.limits.initLimit) {
    core.becomeLooking();
    return;
  }
  for (const h of [...l.handlers.values()]) {
    const limit = h.state === "uptodate" ? core.limits.syncLimit : core.limits.initLimit;
    if (core.now - h.lastHeard > limit) l.handlers.delete(h.id);
  }
  if (l.phase === "established") {
    const heard: PeerId[] = [core.id];
    for (const h of l.handlers.values()) if (h.acks) heard.push(h.id);
    if (!core.tracker.containsQuorum(heard)) {
      core.becomeLooking();
      return;
    }
  }
  if (core.now - l.lastPingTick >= core.limits.pingIntervalTicks) {
    l.lastPingTick = core.now;
    for (const h of l.handlers.values()) {
      if (h.receivesBroadcast) sendTo(core, h, { type: "PING", zxid: core.commitZxid });
    }
  }
}
