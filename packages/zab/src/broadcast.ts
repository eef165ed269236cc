import { assert } from "./assert.js";
import type { PeerCore } from "./core.js";
import { type Membership, verifierOf } from "./membership.js";
import type { LeaderState, LearnerHandler, PendingSync, PingMarks } from "./leader-state.js";
import { type QuorumBody, quorumMessage } from "./messages.js";
import type { PeerId } from "./quorum.js";
import { type Zxid, counterOf, makeZxid } from "./zxid.js";

// The established leader's side of broadcast: proposals, commits in zxid order once a
// quorum has acknowledged, and the answers to sync requests that wait on commits.

export type LocalProposal = { kind: "proposed"; zxid: Zxid } | { kind: "dropped"; reason: string };

/**
 * Makes the transaction for the zxid the leader gives it, for a caller whose transactions
 * name their own zxid (ZooKeeper's TxnHeader does). Called at most once, and only when the
 * proposal will be taken as far as the leader can tell before reading it (a reconfig may still
 * be refused once read).
 */
export type TxnBuilder = (zxid: Zxid) => Uint8Array;

/**
 * The leader's flow control, its one bound on proposals in flight: true while
 * proposalsOutstandingMax proposals of this epoch await their commit. propose() refuses then;
 * a caller that must not lose a request holds it back until commits make room.
 */
export function proposalsFull(core: PeerCore, l: LeaderState): boolean {
  if (l.phase !== "established") return false;
  const epochStart = makeZxid(l.epoch as number, 0);
  const committedInEpoch = core.commitZxid > epochStart ? core.commitZxid : epochStart;
  return l.lastProposed - committedInEpoch >= BigInt(core.limits.proposalsOutstandingMax);
}

/** Gives the transaction the next zxid of the epoch and broadcasts it to the followers. */
export function leaderPropose(core: PeerCore, txn: Uint8Array | TxnBuilder): LocalProposal {
  const l = leaderOf(core);
  if (l.phase !== "established") return { kind: "dropped", reason: "leader not established" };
  if (proposalsFull(core, l)) return { kind: "dropped", reason: "too many outstanding proposals" };
  const epoch = l.epoch as number;
  const counter = counterOf(l.lastProposed) + 1;
  if (counter > core.limits.zxidCounterMax) {
    // ZooKeeper's answer to counter rollover: a new election, hence a new epoch.
    core.becomeLooking();
    return { kind: "dropped", reason: "zxid counter exhausted: new epoch forced" };
  }
  const zxid = makeZxid(epoch, counter);
  const data = typeof txn === "function" ? txn(zxid) : txn;
  // The builder may not re-enter the core: the leadership and its last zxid are as they were.
  assert(core.leading === l && l.lastProposed < zxid, "a TxnBuilder does not call into the peer");
  const reconfig = core.membershipIn({ zxid, data });
  if (reconfig !== null) {
    const refusal = reconfigRefusal(core, l, reconfig);
    if (refusal !== null) return { kind: "dropped", reason: refusal };
  }
  core.appendEntry({ zxid, data });
  l.lastProposed = zxid;
  for (const h of l.handlers.values()) {
    if (h.receivesBroadcast && !h.observer) sendTo(core, h, { type: "PROPOSAL", zxid, data });
  }
  return { kind: "proposed", zxid };
}

/**
 * Why the leader cannot propose a reconfiguration to `m` now, or null when it can. One at a
 * time (ZooKeeper's RECONFIGINPROGRESS), and only when the new configuration already has a
 * quorum of voters synced with this leader as followers, itself included
 * (NEWCONFIGNOQUORUM): otherwise it could never commit, and every later proposal, which
 * needs both quorums meanwhile, would wait forever.
 */
export function reconfigRefusal(core: PeerCore, l: LeaderState, m: Membership): string | null {
  if (core.pending !== null) return "a reconfiguration is in progress";
  const synced = [core.id];
  for (const h of l.handlers.values()) if (h.state === "uptodate" && !h.observer) synced.push(h.id);
  if (!verifierOf(m).containsQuorum(synced)) return "the new configuration has no quorum of synced followers";
  return null;
}

/**
 * A local sync completes once everything proposed so far is committed and applied; with
 * `confirmQuorum`, also once a quorum has shown that this peer still leads.
 */
export function leaderSync(core: PeerCore, syncId: number, confirmQuorum: boolean): boolean {
  const l = leaderOf(core);
  if (l.phase !== "established") return false;
  if (l.localSyncCount >= core.limits.syncsPendingMax) return false;
  const zxid = syncPoint(core, l);
  const marks = confirmQuorum ? markPings(core, l) : null;
  // Syncs arriving between the same two PINGs and proposals wait for the same thing.
  const last = l.localSyncs[l.localSyncs.length - 1];
  if (last !== undefined && last.zxid === zxid && last.marks === marks) last.syncIds.push(syncId);
  else l.localSyncs.push({ zxid, marks, syncIds: [syncId] });
  l.localSyncCount += 1;
  answerSyncs(core, l);
  return true;
}

/**
 * What a sync arriving now must wait for: everything proposed so far (ZooKeeper's
 * processSync). Before the first proposal of the epoch that is the initial history, which
 * establishment committed.
 */
export function syncPoint(core: PeerCore, l: LeaderState): Zxid {
  return counterOf(l.lastProposed) === 0 ? core.commitZxid : l.lastProposed;
}

/**
 * Notes where each voter's PING count stands and asks for a PING round (sent with the next
 * Ready, so that every confirmed sync arriving before it shares the round, and its marks).
 */
export function markPings(core: PeerCore, l: LeaderState): PingMarks {
  l.confirmRoundWanted = true;
  if (l.openMarks !== null) return l.openMarks;
  const marks = new Map<PeerId, { session: number; pingsSent: number }>();
  for (const h of l.handlers.values()) if (h.acks) marks.set(h.id, { session: h.session, pingsSent: h.pingsSent });
  l.openMarks = marks;
  return marks;
}

/** The PING round that confirmed syncs wait for. */
export function sendConfirmRound(core: PeerCore, l: LeaderState): void {
  l.confirmRoundWanted = false;
  for (const h of l.handlers.values()) if (h.acks) sendTo(core, h, { type: "PING", zxid: core.commitZxid });
}

/**
 * This peer, the voter that vouches for a learner's SYNC, and the voters that answered a PING
 * sent after the marks were taken form a quorum.
 */
function confirmed(core: PeerCore, l: LeaderState, marks: PingMarks | null, voucher: PeerId | null): boolean {
  if (marks === null) return true;
  const heard: PeerId[] = voucher === null ? [core.id] : [core.id, voucher];
  for (const [id, mark] of marks) {
    const h = l.handlers.get(id);
    if (h !== undefined && h.session === mark.session && h.pingsAnswered > mark.pingsSent) heard.push(id);
  }
  return core.tracker.containsQuorum(heard);
}

function ready(core: PeerCore, l: LeaderState, s: PendingSync, voucher: PeerId | null): boolean {
  return s.zxid <= core.commitZxid && confirmed(core, l, s.marks, voucher);
}

export function tryCommit(core: PeerCore, l: LeaderState): void {
  const acked = l.ackedScratch;
  acked.clear();
  acked.set(core.id, core.persistedZxid);
  for (const h of l.handlers.values()) if (h.acks) acked.set(h.id, h.ackedZxid);
  // The unsafe mode counts the leader's own log as a quorum: a minority leader then commits alone.
  let target = core.commitsWithoutQuorum ? core.persistedZxid : core.tracker.quorumZxid(acked);
  if (target > l.lastProposed) target = l.lastProposed;
  if (target <= core.commitZxid) return;
  const designatedLeader = announceCommits(core, l, target);
  core.commitThrough(target, designatedLeader);
  // A leader that the committed reconfig left without a vote has stepped down.
  if (core.leading !== l) return;
  dropMismatchedLearners(core, l);
  answerSyncs(core, l);
}

/**
 * Answers waiting syncs in arrival order: a learner matches answers to its requests by their
 * order, so one that waits (for commits or a confirmation) holds back those behind it.
 */
/**
 * Tells every learner that takes the broadcast about the entries after the commit point up to
 * `target`: strictly in zxid order, one COMMIT (or INFORM for observers) per entry; a
 * reconfig's says ...ANDACTIVATE and names the leader of the new configuration, as ZooKeeper's
 * does. ZooKeeper's learners keep a proposal pending until its own COMMIT arrives, so none may
 * be skipped. Returns the leader the last reconfig on the way designated, if there was one.
 */
export function announceCommits(core: PeerCore, l: LeaderState, target: Zxid): PeerId | undefined {
  let designated: PeerId | undefined;
  for (const e of core.log.slice(core.commitZxid, target)) {
    const membership = core.membershipIn(e);
    const designatedLeader = membership === null ? undefined : designatedSuccessor(core, l, e.zxid, membership);
    if (designatedLeader !== undefined) designated = designatedLeader;
    for (const h of l.handlers.values()) {
      if (!h.receivesBroadcast) continue;
      if (designatedLeader === undefined) sendTo(core, h, h.observer ? { type: "INFORM", zxid: e.zxid, data: e.data } : { type: "COMMIT", zxid: e.zxid });
      else if (h.observer) sendTo(core, h, { type: "INFORMANDACTIVATE", zxid: e.zxid, data: e.data, designatedLeader });
      else sendTo(core, h, { type: "COMMITANDACTIVATE", zxid: e.zxid, designatedLeader });
    }
  }
  return designated;
}

/**
 * Who leads once the reconfig at `zxid` to `m` is active: this leader while it stays a voter;
 * otherwise the new configuration's voter that acknowledged the most proposals from the
 * reconfig on (so the fewest of them are lost; the highest id among equals). Learners told so
 * go straight to that peer and it leads without an election, as in ZooKeeper, so removing the
 * leader costs one epoch change instead of an election.
 */
function designatedSuccessor(core: PeerCore, l: LeaderState, zxid: Zxid, m: Membership): PeerId {
  const next = verifierOf(m);
  if (next.isVoter(core.id)) return core.id;
  let best: LearnerHandler | undefined;
  for (const h of l.handlers.values()) {
    if (!h.acks || !next.isVoter(h.id) || h.ackedZxid < zxid) continue;
    if (best === undefined || h.ackedZxid > best.ackedZxid || (h.ackedZxid === best.ackedZxid && h.id > best.id)) best = h;
  }
  // A quorum of the new voters acknowledged the reconfig for it to commit; without one (the
  // unsafe mode that commits alone) nobody is designated and this leader steps down to elect.
  return best?.id ?? core.id;
}

export function answerSyncs(core: PeerCore, l: LeaderState): void {
  while (l.remoteSyncs.length > 0 && ready(core, l, l.remoteSyncs[0]!, l.remoteSyncs[0]!.voucher)) {
    const s = l.remoteSyncs.shift()!;
    const h = l.handlers.get(s.learner);
    if (h !== undefined && h.session === s.session) sendTo(core, h, { type: "SYNC", syncId: s.syncId });
  }
  while (l.localSyncs.length > 0 && ready(core, l, l.localSyncs[0]!, null)) {
    const s = l.localSyncs.shift()!;
    l.localSyncCount -= s.syncIds.length;
    core.addSyncWait(s.syncIds, s.zxid);
  }
}

/**
 * After a reconfig: learners connected in a role the configuration no longer gives them
 * reconnect in their new role (they drop their side too); servers outside the
 * configuration may stay, as learners without a vote.
 */
function dropMismatchedLearners(core: PeerCore, l: LeaderState): void {
  const v = core.tracker.verifiers[0];
  if (v === undefined) return;
  for (const h of [...l.handlers.values()]) {
    if (v.isMember(h.id) && h.observer === v.isVoter(h.id)) l.handlers.delete(h.id);
  }
}

export function leaderOf(core: PeerCore): LeaderState {
  assert(core.leading !== null, "leader state present while LEADING");
  return core.leading;
}

export function sendTo(core: PeerCore, h: LearnerHandler, body: QuorumBody): void {
  const l = leaderOf(core);
  const term = l.term;
  if (body.type === "PING") {
    h.pingsSent += 1;
    // Marks taken before this PING would let its answer confirm a later sync: take new ones.
    l.openMarks = null;
  }
  core.send(quorumMessage(body, core.id, h.id, h.session, term, h.seqOut));
  h.seqOut += 1;
}
