import type { PeerCore, RoleHandlers } from "./core.js";
import type { ElectionState, Vote, VoteRecord } from "./election-state.js";
import type { Notification, PeerStateName } from "./messages.js";
import type { PeerId, QuorumTracker } from "./quorum.js";
import { verifierOf } from "./membership.js";
import { randomBelow } from "./rng.js";
import type { Zxid } from "./zxid.js";

/** Sends `reply` to `n`'s sender unless exactly this exchange was answered already. */
function answerOnce(core: PeerCore, e: ElectionState, n: Notification, reply: Vote): void {
  const key = `${n.state}/${n.leader}/${n.zxid}/${n.electionEpoch}/${n.peerEpoch}>${reply.leader}/${reply.zxid}/${reply.electionEpoch}/${reply.peerEpoch}`;
  if (e.answered.get(n.from) === key) return;
  e.answered.set(n.from, key);
  core.send(notification(core, n.from, "LOOKING", reply));
}

/**
 * The total order of votes: higher peerEpoch, then higher zxid, then higher server id.
 * A server that does not vote (an observer) can never be elected.
 */
export function voteIsBetter(
  tracker: Pick<QuorumTracker, "isVoter">,
  candidate: { leader: PeerId; zxid: Zxid; peerEpoch: number },
  current: { leader: PeerId; zxid: Zxid; peerEpoch: number },
): boolean {
  if (!tracker.isVoter(candidate.leader)) return false;
  if (candidate.peerEpoch !== current.peerEpoch) return candidate.peerEpoch > current.peerEpoch;
  if (candidate.zxid !== current.zxid) return candidate.zxid > current.zxid;
  return candidate.leader > current.leader;
}

/**
 * Votes of peers that are settled (following or leading) agree when they name the
 * same leader and epoch: their zxid and round differ with when and how each joined,
 * and one epoch has one leader (ZooKeeper's Vote.equals, ZOOKEEPER-1805).
 */
function sameVote(a: VoteRecord, b: VoteRecord): boolean {
  if (a.state === "LOOKING" || b.state === "LOOKING") {
    return a.leader === b.leader && a.zxid === b.zxid && a.electionEpoch === b.electionEpoch && a.peerEpoch === b.peerEpoch;
  }
  return a.leader === b.leader && a.peerEpoch === b.peerEpoch;
}

/**
 * Who may be elected: voters of the configuration in force, as in ZooKeeper (whose vote
 * order asks the committed verifier). A server that only a reconfiguration in flight makes
 * a voter votes, but is no candidate: servers that do not hold that reconfiguration could
 * never vote for it, and servers that do would wait for it forever while the others
 * settle on someone else. Whoever is elected must still gather a quorum of every
 * configuration in play.
 */
function candidates(core: PeerCore): Pick<QuorumTracker, "isVoter"> {
  return verifierOf(core.active);
}

function initialVote(core: PeerCore): Vote {
  // An observer proposes nobody: every voter's vote beats this one.
  if (!core.isVoter) return { leader: -1, zxid: -1n, electionEpoch: core.logicalclock, peerEpoch: -1 };
  return { leader: core.id, zxid: core.log.lastZxid(), electionEpoch: core.logicalclock, peerEpoch: core.currentEpoch };
}

export function startElection(core: PeerCore): void {
  const e = core.election as ElectionState;
  core.logicalclock += 1;
  setProposal(core, e, initialVote(core));
  sendNotifications(core, e);
  e.resendIntervalTicks = core.limits.electionResendTicksMin;
  e.resendAt = core.now + e.resendIntervalTicks;
}

function setProposal(core: PeerCore, e: ElectionState, vote: Vote): void {
  e.proposal = { ...vote, electionEpoch: core.logicalclock };
  e.finalizeAt = null;
  if (core.isVoter) e.recvset.set(core.id, { ...e.proposal, state: "LOOKING" });
}

function notification(core: PeerCore, to: PeerId, state: PeerStateName, vote: Vote): Notification {
  return {
    type: "NOTIFICATION",
    from: core.id,
    to,
    state,
    leader: vote.leader,
    zxid: vote.zxid,
    electionEpoch: vote.electionEpoch,
    peerEpoch: vote.peerEpoch,
    configVersion: core.active.version,
    membership: core.active,
    ...(core.pending === null ? {} : { pending: core.pending }),
  };
}

function sendNotifications(core: PeerCore, e: ElectionState): void {
  for (const voter of core.voters) {
    if (voter !== core.id) core.send(notification(core, voter, "LOOKING", e.proposal));
  }
}

/**
 * A voter tells everyone when its vote changes. An observer's vote counts for nothing,
 * and each of its notifications makes every voter answer, so it only asks when it
 * starts looking and on its resend timer.
 */
function announceChange(core: PeerCore, e: ElectionState): void {
  if (core.isVoter) sendNotifications(core, e);
}

/** The vote this peer reports to others while not LOOKING. */
function settledReply(core: PeerCore, to: PeerId): Notification {
  return notification(core, to, core.role, core.vote);
}

function hasQuorumFor(core: PeerCore, votes: Map<PeerId, VoteRecord>, vote: VoteRecord): boolean {
  const agreeing: PeerId[] = [];
  for (const [sid, v] of votes) if (sameVote(v, vote)) agreeing.push(sid);
  return core.tracker.containsQuorum(agreeing);
}

/**
 * Whether a quorum of the active configuration follows one leader. Joining a leader that
 * is already established needs only this: that leader was elected with every
 * configuration in play, and its sync replaces whatever this peer holds beyond the commit
 * point, a reconfig it was never going to commit included.
 */
function activeQuorumFollows(core: PeerCore, votes: Map<PeerId, VoteRecord>, vote: VoteRecord): boolean {
  // To lead itself, a peer needs every configuration in play: it is the one that must
  // establish the epoch with all of them.
  if (vote.leader === core.id) return hasQuorumFor(core, votes, vote);
  const agreeing: PeerId[] = [];
  for (const [sid, v] of votes) if (sameVote(v, vote)) agreeing.push(sid);
  return verifierOf(core.active).containsQuorum(agreeing);
}

/** A quorum for someone else is not enough: that someone must itself say LEADING. */
function checkLeader(core: PeerCore, votes: Map<PeerId, VoteRecord>, leader: PeerId, electionEpoch: number): boolean {
  if (leader !== core.id) return votes.get(leader)?.state === "LEADING";
  return core.logicalclock === electionEpoch;
}

/** Once a new epoch is under way the settled vote carries it, so late joiners can match it. */
export function updateElectionVote(core: PeerCore, epoch: number): void {
  core.vote = { ...core.vote, peerEpoch: epoch };
}

function decide(core: PeerCore, vote: Vote): void {
  core.turnTo(vote);
}

/**
 * A notification carrying a newer active configuration than this peer's: it was committed
 * somewhere, so adopt it. True when this peer then started a new election round.
 */
export function adoptNewerMembership(core: PeerCore, n: Notification): boolean {
  // As ZooKeeper's FastLeaderElection: configurations are taken only from a voter of a
  // configuration this peer knows, and a newer active one only while electing (a settled
  // peer learns reconfigurations from its leader). Otherwise whoever reaches an election
  // port could hand the ensemble a membership it made up.
  if (!core.tracker.isVoter(n.from)) return false;
  if (n.pending !== undefined) core.hearPending(n.pending);
  if (n.membership === undefined || n.membership.version <= core.active.version) return false;
  if (core.role !== "LOOKING") return false;
  const role = core.role;
  core.activate(n.membership);
  if (role === "LOOKING") {
    core.becomeLooking();
    return true;
  }
  core.afterReconfig();
  return core.role !== role;
}

/** LOOKING: the notification exchange of FastLeaderElection.lookForLeader. */
export function stepLooking(core: PeerCore, n: Notification): void {
  const e = core.election as ElectionState;
  if (!core.tracker.isVoter(n.from)) {
    // Observers ask; voters answer with their current proposal and move on. Answering
    // an observer that is not looking would start an endless exchange with it, and so
    // would two non-voters answering each other (their configurations may differ while a
    // reconfig is in flight).
    if (n.state === "LOOKING" && core.isVoter) answerOnce(core, e, n, e.proposal);
    return;
  }
  if (!core.tracker.isVoter(n.leader)) return;
  const vote: Vote = { leader: n.leader, zxid: n.zxid, electionEpoch: n.electionEpoch, peerEpoch: n.peerEpoch };
  switch (n.state) {
    case "LOOKING":
      stepLookingNotification(core, e, n, vote);
      return;
    case "OBSERVING":
      return;
    case "FOLLOWING":
    case "LEADING":
      stepSettledNotification(core, e, n, vote);
      return;
  }
}

function stepLookingNotification(core: PeerCore, e: ElectionState, n: Notification, vote: Vote): void {
  if (n.electionEpoch > core.logicalclock) {
    core.logicalclock = n.electionEpoch;
    e.recvset.clear();
    const mine = initialVote(core);
    setProposal(core, e, voteIsBetter(candidates(core), vote, mine) ? vote : mine);
    announceChange(core, e);
  } else if (n.electionEpoch < core.logicalclock) {
    // A peer in an older round: tell it where we are, but its vote does not count.
    // Observers keep quiet: nobody waits for their vote, and a voter answers them. Rounds
    // only grow while a server runs, so a peer back in an older round restarted: the vote
    // it gave in this round before that is not its vote any more.
    e.recvset.delete(n.from);
    if (core.isVoter) answerOnce(core, e, n, e.proposal);
    return;
  } else if (voteIsBetter(candidates(core), vote, e.proposal)) {
    setProposal(core, e, vote);
    announceChange(core, e);
  }
  e.recvset.set(n.from, { ...vote, state: "LOOKING" });
  if (e.finalizeAt === null && hasQuorumFor(core, e.recvset, { ...e.proposal, state: "LOOKING" })) {
    e.finalizeAt = core.now + core.limits.finalizeWaitTicks;
    if (core.limits.finalizeWaitTicks === 0 || noVoteToWaitFor(core, e)) decide(core, e.proposal);
  }
}

/**
 * The finalize wait is for a better vote still on its way. None can be when every voter of the
 * configurations in play has been heard in this round, or the unheard ones are out of reach
 * (no election link: after a leader's crash, the leader): then the agreed proposal is final.
 * Deciding early never costs safety (a leader with less history than a follower is refused at
 * ACKEPOCH and the election runs again), only, rarely, that second election.
 */
function noVoteToWaitFor(core: PeerCore, e: ElectionState): boolean {
  for (const v of core.tracker.verifiers) {
    for (const id of v.voters) if (id !== core.id && !e.recvset.has(id) && !core.unreachable.has(id)) return false;
  }
  return true;
}

/**
 * Once the finalize wait is over, or nothing is left to wait for, decides on the proposal if a
 * quorum still agrees on it (true), or stops waiting for an agreement that fell apart.
 */
function finalizeIfSettled(core: PeerCore, e: ElectionState): boolean {
  if (e.finalizeAt === null || (core.now < e.finalizeAt && !noVoteToWaitFor(core, e))) return false;
  if (hasQuorumFor(core, e.recvset, { ...e.proposal, state: "LOOKING" })) {
    decide(core, e.proposal);
    return true;
  }
  e.finalizeAt = null;
  return false;
}

function stepSettledNotification(core: PeerCore, e: ElectionState, n: Notification, vote: Vote): void {
  const record: VoteRecord = { ...vote, state: n.state };
  if (n.electionEpoch === core.logicalclock) {
    e.recvset.set(n.from, record);
    if (activeQuorumFollows(core, e.recvset, record) && checkLeader(core, e.recvset, n.leader, n.electionEpoch)) {
      decide(core, vote);
      return;
    }
  } else {
    // A peer that settled in another round no longer stands by a vote it gave in this one.
    e.recvset.delete(n.from);
  }
  // Joining an established ensemble needs a quorum following the same leader.
  e.outofelection.set(n.from, record);
  if (activeQuorumFollows(core, e.outofelection, record) && checkLeader(core, e.outofelection, n.leader, n.electionEpoch)) {
    core.logicalclock = n.electionEpoch;
    decide(core, vote);
  }
}

/** A voter went out of reach: an agreement waiting only for its vote is final now. */
export function voterUnreachable(core: PeerCore): void {
  finalizeIfSettled(core, core.election as ElectionState);
}

export function tickLooking(core: PeerCore): void {
  const e = core.election as ElectionState;
  if (finalizeIfSettled(core, e)) return;
  if (core.now >= e.resendAt) {
    e.answered.clear();
    sendNotifications(core, e);
    e.resendIntervalTicks = Math.min(e.resendIntervalTicks * 2, core.limits.electionResendTicksMax);
    // A little jitter keeps peers that started together from resending in lockstep.
    e.resendAt = core.now + e.resendIntervalTicks + randomBelow(core.rng, 2);
  }
}

/**
 * Not LOOKING: answer peers that are looking with the leader this peer is with, unless the
 * notification shows that this peer's decision stood on a vote that has moved since; then
 * it looks again at once, and the notification counts in its new round.
 */
export function stepSettled(core: PeerCore, n: Notification): void {
  if (decisionOverturned(core, n)) {
    core.becomeLooking();
    stepLooking(core, n);
    return;
  }
  if (n.state === "LOOKING") core.send(settledReply(core, n.from));
}

/**
 * A decision is taken on the votes heard when the finalize wait ends, and a vote counted
 * then may have moved on before that: a peer switches to a better vote that reached it
 * late, or starts a new round. ZooKeeper notices such a decision through the transport (a
 * learner cannot connect to a peer that does not lead, and gives up after a few quick
 * retries; a leader waits initLimit for its followers). Here the moved vote itself says so:
 *
 * - a learner still waiting for LEADERINFO hears its leader vote for another peer, follow or
 *   lead another, or look in a later round (where the vote this learner answers with, from
 *   the round it decided in, can no longer elect it);
 * - a leader still waiting for a quorum's FOLLOWERINFO hears from enough voters voting for
 *   or following others that no quorum is left to follow it.
 *
 * Notifications from rounds before the decision say nothing about it. Looking again is
 * always safe; it only costs a round.
 */
function decisionOverturned(core: PeerCore, n: Notification): boolean {
  if (!core.tracker.isVoter(n.from) || n.electionEpoch < core.vote.electionEpoch) return false;
  const learning = core.learning;
  if (learning !== null) {
    if (learning.phase !== "connecting" || n.from !== learning.leaderId) return false;
    if (n.state === "LEADING") return false;
    if (n.state === "LOOKING" && n.electionEpoch === core.vote.electionEpoch) {
      // Still its own candidate in the round this learner decided in: it will count our answer.
      return n.leader !== n.from;
    }
    return true;
  }
  const leading = core.leading;
  if (leading === null || leading.phase !== "discovery") return false;
  if (n.leader === core.id && n.state !== "OBSERVING") leading.votedElsewhere.delete(n.from);
  else leading.votedElsewhere.add(n.from);
  return !core.tracker.containsQuorum(core.voters.filter((v) => !leading.votedElsewhere.has(v)));
}

/** LOOKING: notifications; a learner's opening is kept in case this peer comes to lead. */
export const looking: RoleHandlers = {
  enter: startElection,
  step(core, message) {
    if (message.type === "NOTIFICATION") stepLooking(core, message);
    // No quorum connection while electing.
    else if (message.type === "FOLLOWERINFO" || message.type === "OBSERVERINFO") core.election?.earlyLearnerInfos.set(message.from, message);
  },
  tick: tickLooking,
  disconnected() {},
  beforeReady() {},
  advanced() {},
};
