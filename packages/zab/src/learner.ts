import { assert, fail, unreachable } from "./assert.js";
import type { PeerCore, RoleHandlers } from "./core.js";
import { stepSettled, updateElectionVote } from "./election.js";
import type { LearnerState } from "./learner-state.js";
import type { Membership } from "./membership.js";
import { type QuorumBody, type QuorumMessage, quorumMessage } from "./messages.js";
import type { PeerId } from "./quorum.js";
import type { Zxid } from "./zxid.js";

function learnerOf(core: PeerCore): LearnerState {
  assert(core.learning !== null, "learner state present while FOLLOWING or OBSERVING");
  return core.learning;
}

function sendToLeader(core: PeerCore, s: LearnerState, body: QuorumBody): void {
  core.send(quorumMessage(body, core.id, s.leaderId, s.session, s.term, s.seqOut));
  s.seqOut += 1;
}

/**
 * Opens the session. Until LEADERINFO arrives the same first message is repeated every
 * tick, because the leader ignores it while it is still finishing its own election
 * (ZooKeeper's learner retries its connection the same way); the leader drops repeats
 * of a session it already knows.
 */
export function learnerConnect(core: PeerCore): void {
  const s = learnerOf(core);
  const type = core.role === "FOLLOWING" ? "FOLLOWERINFO" : "OBSERVERINFO";
  const body = { type, acceptedEpoch: core.acceptedEpoch, lastZxid: core.log.lastZxid() } as const;
  core.send({ ...body, from: core.id, to: s.leaderId, session: s.session, term: 0, seq: 0 });
  s.seqOut = 1;
}

/**
 * A plain sync goes out as its own SYNC. Confirmed syncs share SYNCs: one in flight at a
 * time, answering every confirmed sync that arrived before it was sent.
 */
export function learnerSync(core: PeerCore, syncId: number, confirmQuorum: boolean): boolean {
  const s = learnerOf(core);
  if (s.phase !== "serving") return false;
  if (!confirmQuorum) {
    if (s.syncsSent.length >= core.limits.syncsPendingMax) return false;
    s.syncsSent.push({ wireId: syncId, syncIds: [syncId], confirmQuorum: false });
    sendToLeader(core, s, { type: "SYNC", syncId });
    return true;
  }
  if (s.confirmedWaiting.length >= core.limits.syncsPendingMax) return false;
  s.confirmedWaiting.push(syncId);
  return true;
}

/**
 * Called when a Ready is taken: one confirmed SYNC for every confirmed sync waiting, unless
 * one is in flight. Its first id names it on the wire.
 */
export function sendConfirmedSync(core: PeerCore, s: LearnerState): void {
  if (!s.confirmedSyncDue) return;
  const syncIds = s.confirmedWaiting;
  const wireId = syncIds[0] as number;
  s.confirmedWaiting = [];
  s.confirmedInFlight = true;
  s.syncsSent.push({ wireId, syncIds, confirmQuorum: true });
  sendToLeader(core, s, { type: "SYNC", syncId: wireId, confirmQuorum: true });
}

/** FOLLOWING and OBSERVING: messages from the leader of this session, in order. */
export function stepLearning(core: PeerCore, m: QuorumMessage): void {
  const s = learnerOf(core);
  if (m.from !== s.leaderId || m.session !== s.session || m.seq < s.seqIn) return;
  // A leader that stepped down and leads again may answer a stale copy of our first
  // message: that is another connection, and only the first LEADERINFO opens ours.
  if (s.phase === "connecting" ? m.type !== "LEADERINFO" : m.term !== s.term) return;
  if (m.seq > s.seqIn) {
    // A lost message breaks the FIFO channel ZAB relies on: start over.
    core.becomeLooking();
    return;
  }
  s.seqIn += 1;
  s.lastHeard = core.now;
  switch (m.type) {
    case "LEADERINFO":
      onLeaderInfo(core, s, m.epoch, m.term);
      return;
    case "DIFF":
      return;
    case "TRUNC":
      if (s.phase === "synchronizing") core.truncateLog(m.zxid);
      return;
    case "SNAP":
      assert(m.snapshot !== null, "a SNAP on the wire carries the leader's snapshot");
      if (s.phase === "synchronizing") core.installSnapshot(m.zxid, m.snapshot);
      return;
    case "PROPOSAL":
      onProposal(core, s, m.zxid, m.data);
      return;
    case "COMMIT":
      // A reconfig committed so (during sync) is in this learner's log: committing it activates it.
      advanceCommit(core, m.zxid);
      return;
    case "COMMITANDACTIVATE":
      advanceCommit(core, m.zxid, m.designatedLeader);
      return;
    case "INFORM":
      if (m.zxid > core.log.lastZxid()) core.appendEntry({ zxid: m.zxid, data: m.data });
      advanceCommit(core, m.zxid);
      return;
    case "INFORMANDACTIVATE":
      if (m.zxid > core.log.lastZxid()) core.appendEntry({ zxid: m.zxid, data: m.data });
      advanceCommit(core, m.zxid, m.designatedLeader);
      return;
    case "NEWLEADER":
      onNewLeader(core, s, m.zxid, m.membership);
      return;
    case "UPTODATE":
      if (s.phase !== "ackedNewLeader") return;
      advanceCommit(core, m.zxid);
      s.phase = "serving";
      updateElectionVote(core, s.newEpoch as number);
      return;
    case "PING":
      sendToLeader(core, s, { type: "PING", zxid: core.log.lastZxid() });
      return;
    case "SYNC":
      onSyncAnswer(core, s, m.syncId);
      return;
    case "FOLLOWERINFO":
    case "OBSERVERINFO":
    case "ACKEPOCH":
    case "ACK":
      return; // Only learners send these.
    default:
      unreachable(m);
  }
}

function onLeaderInfo(core: PeerCore, s: LearnerState, epoch: number, term: number): void {
  if (s.phase !== "connecting") return;
  s.term = term;
  const floor = core.isVoter ? core.acceptedEpoch : core.currentEpoch;
  if (epoch < floor) {
    // A voter promised a later epoch; an observer already took a later history.
    core.becomeLooking();
    return;
  }
  // Durable before the ACKEPOCH goes out: the Ready persists before it sends. An
  // observer's promise counts for nothing (it never acks), so it simply takes the
  // leader's epoch, even a lower one from a leader whose epoch it saw abandoned.
  if (epoch !== core.acceptedEpoch) core.setAcceptedEpoch(epoch, !core.isVoter);
  s.newEpoch = epoch;
  sendToLeader(core, s, { type: "ACKEPOCH", currentEpoch: core.currentEpoch, lastZxid: core.log.lastZxid() });
  s.phase = "synchronizing";
}

function onProposal(core: PeerCore, s: LearnerState, zxid: Zxid, data: Uint8Array): void {
  if (s.phase === "connecting") return;
  core.appendEntry({ zxid, data });
  // During synchronization the NEWLEADER ACK covers every entry; afterwards each is acked. A
  // follower without a vote acks too: ZooKeeper's leader drops a follower whose ACKs lag
  // beyond syncLimit, and counts only voters' toward commits, as this one does.
  if (core.role !== "FOLLOWING" || s.phase === "synchronizing") return;
  sendToLeader(core, s, { type: "ACK", zxid });
}

function onNewLeader(core: PeerCore, s: LearnerState, newLeaderZxid: Zxid, membership: Membership): void {
  if (s.phase !== "synchronizing") return;
  assert(s.newEpoch !== null, "NEWLEADER after LEADERINFO");
  core.forgetHeardPending();
  if (membership.version > core.active.version) {
    // A reconfiguration this learner missed (it was away, or got a SNAP past it).
    core.activate(membership);
    core.afterReconfig();
    if (core.learning !== s) return;
  }
  // The history and then the epoch are durable before the ACK goes out.
  core.setCurrentEpoch(s.newEpoch);
  // The ACK names the NEWLEADER it answers, as ZooKeeper's learners do (its leader ignores any
  // other); a zkts leader's NEWLEADER names the end of the history just sent.
  sendToLeader(core, s, { type: "ACK", zxid: newLeaderZxid });
  s.phase = "ackedNewLeader";
}

function advanceCommit(core: PeerCore, zxid: Zxid, designatedLeader?: PeerId): void {
  if (zxid > core.log.lastZxid()) fail(`commit of ${zxid} beyond the log end ${core.log.lastZxid()}`);
  core.commitThrough(zxid, designatedLeader);
}

function onSyncAnswer(core: PeerCore, s: LearnerState, syncId: number): void {
  // Answers come back in request order (ZooKeeper's SYNC packet carries no id at all:
  // an adapter may pass -1), so the oldest pending request is the one answered.
  const head = s.syncsSent.shift();
  if (head === undefined) return;
  if (syncId >= 0 && head.wireId !== syncId) fail(`sync answers come in order: got ${syncId}, expected ${head.wireId}`);
  // Every commit the leader had when it answered arrived before this answer.
  core.addSyncWait(head.syncIds, core.commitZxid);
  if (head.confirmQuorum) s.confirmedInFlight = false;
}

export function tickLearning(core: PeerCore): void {
  const s = learnerOf(core);
  const silentTicks = core.now - s.lastHeard;
  if (s.phase !== "serving" && core.now - s.startTick > core.limits.initLimit) core.becomeLooking();
  else if (s.phase === "serving" && silentTicks > core.limits.syncLimit) core.becomeLooking();
  else if (s.phase === "connecting") learnerConnect(core);
}

/** FOLLOWING and OBSERVING: the leader's messages, its silence on ticks, batched confirmed syncs. */
export const learning: RoleHandlers = {
  enter: learnerConnect,
  step(core, message) {
    if (message.type === "NOTIFICATION") stepSettled(core, message);
    else stepLearning(core, message);
  },
  tick: tickLearning,
  disconnected(core, peer) {
    if (peer === core.leaderId) core.becomeLooking();
  },
  beforeReady(core) {
    if (core.learning !== null) sendConfirmedSync(core, core.learning);
  },
  advanced() {},
};
