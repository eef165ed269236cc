import type { PeerCore } from "./core.js";
import { type LeaderState, type RemoteSync, leaderOf, sendTo } from "./leader-state.js";
import type { PeerId } from "./quorum.js";
import { type Zxid, counterOf, makeZxid } from "./zxid.js";

// The established leader's side of broadcast: proposals, commits in zxid order once a
// quorum has acknowledged, and the answers to sync requests that wait on commits.

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

export function tryCommit(core: PeerCore, l: LeaderState): void {
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
