import { type Entry, type Message, type Ready, formatZxid } from "../../src/index.js";

const decoder = new TextDecoder();

export function text(data: Uint8Array): string {
  return decoder.decode(data);
}

function entry(e: Entry): string {
  return `${formatZxid(e.zxid)} ${text(e.data)}`;
}

/** One line per message; sessions and sequence numbers are left out (they are random). */
export function formatMessage(m: Message): string {
  const head = `${m.from}->${m.to} ${m.type}`;
  switch (m.type) {
    case "NOTIFICATION":
      return `${head} ${m.state} leader=${m.leader} zxid=${formatZxid(m.zxid)} round=${m.electionEpoch} peerEpoch=${m.peerEpoch}`;
    case "FOLLOWERINFO":
    case "OBSERVERINFO":
      return `${head} acceptedEpoch=${m.acceptedEpoch} last=${formatZxid(m.lastZxid)}`;
    case "LEADERINFO":
      return `${head} epoch=${m.epoch}`;
    case "ACKEPOCH":
      return `${head} currentEpoch=${m.currentEpoch} last=${formatZxid(m.lastZxid)}`;
    case "PROPOSAL":
    case "INFORM":
    case "INFORMANDACTIVATE":
      return `${head} ${formatZxid(m.zxid)} ${text(m.data)}`;
    case "NEWLEADER":
      return `${head} ${formatZxid(m.zxid)} config=${formatZxid(m.membership.version)}`;
    case "SYNC":
      return `${head} id=${m.syncId}`;
    case "DIFF":
    case "TRUNC":
    case "SNAP":
    case "COMMIT":
    case "COMMITANDACTIVATE":
    case "ACK":
    case "UPTODATE":
    case "PING":
      return `${head} ${formatZxid(m.zxid)}`;
  }
}

/** A Ready in the order the caller handles it. */
export function formatReady(id: number, r: Ready): string[] {
  const lines: string[] = [];
  if (r.softState !== null) {
    const s = r.softState;
    lines.push(`  state ${s.role} leader=${s.leader ?? "-"} epoch=${s.epoch}${s.serving ? " serving" : ""}`);
  }
  if (r.snapshot !== null) lines.push(`  install snapshot ${formatZxid(r.snapshot.zxid)}`);
  if (r.truncateTo !== null) lines.push(`  truncate after ${formatZxid(r.truncateTo)}`);
  for (const e of r.entries) lines.push(`  append ${entry(e)}`);
  if (r.hardState !== null) {
    lines.push(`  persist acceptedEpoch=${r.hardState.acceptedEpoch} currentEpoch=${r.hardState.currentEpoch}`);
  }
  if (r.membership !== null) {
    const m = r.membership;
    lines.push(`  activate config ${formatZxid(m.version)} voters=${m.voters.join(",")} observers=${m.observers.join(",")}`);
  }
  for (const m of r.messages) lines.push(`  send ${formatMessage(m)}`);
  for (const e of r.committed) lines.push(`  apply ${entry(e)}`);
  for (const s of r.syncsDone) lines.push(`  sync-done ${s}`);
  for (const s of r.syncsFailed) lines.push(`  sync-failed ${s}`);
  return lines.length === 0 ? [] : [`> ${id} ready`, ...lines];
}
