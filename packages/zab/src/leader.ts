import { assert, unreachable } from "./assert.js";
import { announceCommits, answerSyncs, leaderOf, markPings, sendConfirmRound, sendTo, syncPoint, tryCommit } from "./broadcast.js";
import type { PeerCore, RoleHandlers } from "./core.js";
import { stepSettled, updateElectionVote } from "./election.js";
import { type LeaderState, LearnerHandler } from "./leader-state.js";
import type { PeerId } from "./quorum.js";
import type { QuorumMessage } from "./messages.js";
import { EPOCH_MAX, type Zxid, counterOf, epochOf, makeZxid } from "./zxid.js";

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
    core.restampInitialMembership(l.epoch as number);
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
  // A quorum holds the whole initial history and has accepted the epoch: all of it is
  // committed, and learners already synced are told entry by entry.
  const designatedLeader = announceCommits(core, l, last);
  core.commitThrough(last, designatedLeader);
  if (core.leading !== l) return;
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
 * learner is behind the entries kept in memory, or when the truncation would cross an epoch
 * boundary. Then every entry after that point, then NEWLEADER.
 */
function syncLearner(core: PeerCore, h: LearnerHandler): void {
  const peerLast = h.lastZxid;
  const floor = core.log.floor(peerLast);
  let from: Zxid;
  if (floor === null || truncationCrossesEpoch(core, peerLast, floor)) {
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
  // As ZooKeeper's LearnerHandler: each committed entry as a PROPOSAL and its COMMIT; the
  // rest as proposals to a follower, whose COMMITs follow as they commit, and nothing to an
  // observer, which gets them as INFORMs then.
  for (const e of core.log.slice(from)) {
    if (e.zxid <= core.commitZxid) {
      sendTo(core, h, { type: "PROPOSAL", zxid: e.zxid, data: e.data });
      // Plain COMMIT for a reconfig too, as ZooKeeper's LearnerHandler sends: NEWLEADER
      // carries the configuration in force, which the learner adopts.
      sendTo(core, h, { type: "COMMIT", zxid: e.zxid });
    } else if (!h.observer) {
      sendTo(core, h, { type: "PROPOSAL", zxid: e.zxid, data: e.data });
    }
  }
  sendTo(core, h, { type: "NEWLEADER", zxid: core.log.lastZxid(), membership: core.active });
  h.state = "synced";
}

/**
 * A learner whose last entry the leader never had is truncated to the leader's nearest zxid
 * below it, unless the leader's history goes on from there in a later epoch than that entry's:
 * ZooKeeper's leader sends a snapshot then ("we cannot send TRUNC that cross epoch boundary"),
 * and a ZooKeeper learner in a mixed ensemble gets what its own leader would send. A last zxid
 * that opens an epoch (counter 0) is no entry to truncate.
 *
 * ZooKeeper's leader has applied every entry it logged; this one applies only what is
 * committed, so right after an election its state may be older than the learner's log. The
 * snapshot must be past the learner's last entry: a learner keeps its log files, and on a
 * restart replays every entry after its newest snapshot, so an entry the leader never had
 * must be older than the snapshot that replaced it. Until the leader's state is past it, the
 * learner is truncated, as before the new epoch went on.
 */
function truncationCrossesEpoch(core: PeerCore, peerLast: Zxid, floor: Zxid): boolean {
  if (floor === peerLast || counterOf(peerLast) === 0 || core.appliedZxid <= peerLast) return false;
  const next = core.log.firstAfter(floor);
  return next !== null && epochOf(next) !== epochOf(peerLast);
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
      h.pingsAnswered += 1;
      if (l.phase === "established") answerSyncs(core, l);
      return;
    case "SYNC":
      onSync(core, l, h, m.syncId, m.confirmQuorum === true);
      return;
    case "LEADERINFO":
    case "DIFF":
    case "TRUNC":
    case "SNAP":
    case "PROPOSAL":
    case "COMMIT":
    case "INFORM":
    case "COMMITANDACTIVATE":
    case "INFORMANDACTIVATE":
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
  // A learner is taken in the role it asks for, even outside the configuration (a server
  // about to be added) or against it (one that missed a reconfig: NEWLEADER's membership
  // tells it, and it reconnects in its role). Only voters' acknowledgements ever count.
  const observer = m.type === "OBSERVERINFO";
  // Only a voter's promise counts: anyone can open a quorum connection and say FOLLOWERINFO.
  const voter = !observer && core.tracker.isVoter(m.from);
  if (l.epoch !== null && voter && m.acceptedEpoch > l.epoch) {
    // This voter promised a later epoch and would refuse ours forever (ZooKeeper leaves
    // it cycling through elections). A new election picks an epoch above its promise.
    core.becomeLooking();
    return;
  }
  const h = new LearnerHandler(m.from, observer, m.session, m.lastZxid, core.now);
  l.handlers.set(m.from, h);
  l.votedElsewhere.delete(m.from);
  if (l.epoch !== null) {
    sendTo(core, h, { type: "LEADERINFO", epoch: l.epoch });
    h.state = "epochSent";
    return;
  }
  if (voter) {
    l.infoFrom.add(m.from);
    if (m.acceptedEpoch > l.maxAcceptedEpoch) l.maxAcceptedEpoch = m.acceptedEpoch;
  }
  leaderCheckProgress(core);
}

function onAckEpoch(core: PeerCore, l: LeaderState, h: LearnerHandler, currentEpoch: number, lastZxid: Zxid): void {
  if (h.state !== "epochSent") return;
  const ahead = currentEpoch > core.currentEpoch || (currentEpoch === core.currentEpoch && lastZxid > core.log.lastZxid());
  if (ahead && l.phase === "epochProposed" && !h.observer && core.tracker.isVoter(h.id)) {
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

function onSync(core: PeerCore, l: LeaderState, h: LearnerHandler, syncId: number, confirmQuorum: boolean): void {
  if (h.state !== "uptodate" || l.phase !== "established") return;
  if (l.remoteSyncs.length >= core.limits.syncsPendingMax) {
    // Answers are matched by order: a request left unanswered would shift every later
    // answer onto the wrong request, so the connection is dropped instead.
    l.handlers.delete(h.id);
    return;
  }
  // Answered in order on the same channel, after the commits of everything proposed so far
  // (and, when asked, once a quorum has confirmed this leadership). A learner sends a
  // confirmed SYNC only for reads it already holds, so a voter's SYNC shows that it still
  // followed this leader after those reads arrived, as an answer to a later PING would: it
  // counts toward the quorum, and with this leader it may be one already (three voters).
  const voucher = confirmQuorum && h.acks ? h.id : null;
  const confirmedAlready = !confirmQuorum || core.tracker.containsQuorum(voucher === null ? [core.id] : [core.id, voucher]);
  const marks = confirmedAlready ? null : markPings(core, l);
  l.remoteSyncs.push({ zxid: syncPoint(core, l), learner: h.id, session: h.session, syncId, marks, voucher });
  answerSyncs(core, l);
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

/** The LEADING role: learners' messages, PINGs on ticks, confirm rounds with each Ready. */
export const leading: RoleHandlers = {
  enter: leaderCheckProgress,
  step(core, message) {
    if (message.type === "NOTIFICATION") stepSettled(core, message);
    else stepLeading(core, message);
  },
  tick: tickLeading,
  disconnected(core, peer) {
    core.leading?.handlers.delete(peer);
  },
  beforeReady(core) {
    if (core.leading?.confirmRoundWanted === true) sendConfirmRound(core, core.leading);
  },
  advanced(core) {
    if (core.leading !== null) leaderCheckProgress(core);
  },
};
