import { join } from "node:path";
import type { PeerStatus } from "@zkts/zab";
import { VERSION_STRING } from "../config.js";
import type { ClientConnection } from "../connection.js";
import { hex } from "../logger.js";
import { directorySizeBytes } from "../process-facts.js";
import { javaDouble } from "../metrics/figures.js";
import type { MemberView } from "./member-view.js";
import type { QuorumMember } from "@zkts/config";

/**
 * The text an ensemble member's operator reports are made of, in ZooKeeper 3.8's words and
 * layout (QuorumZooKeeperServer, ServerStats, SessionTracker dumps): shared by the four-letter
 * words and the AdminServer.
 */

export const NOT_SERVING = "This ZooKeeper instance is not currently serving requests\n";

/** ZooKeeper's name for a member's role in srvr/stat ("Mode:") and mntr (zk_server_state). */
export function modeOf(role: PeerStatus["role"]): string {
  switch (role) {
    case "LEADING":
      return "leader";
    case "FOLLOWING":
      return "follower";
    case "OBSERVING":
      return "observer";
    case "LOOKING":
      return "looking";
  }
}

/** The Mode of srvr/stat and mntr's zk_server_state: the role, or "read-only" while the read-only server runs. */
export function serverModeOf(server: MemberView): string {
  return server.servingReadOnly ? "read-only" : modeOf(server.role);
}

/** QuorumPeer.getDetailedPeerState: "following - broadcast", or just "looking" during an election. */
export function peerStateOf(status: PeerStatus): string {
  const role = status.role.toLowerCase();
  return status.zabState === "election" ? role : `${role} - ${status.zabState}`;
}

export { javaDouble } from "../metrics/figures.js";

/** Where ZooKeeper's conf, dirs and srvr say snapshots and logs live: the version-2 directories. */
export function snapshotDirOf(server: MemberView): string {
  return join(server.config.dataDir, "version-2");
}

export function logDirOf(server: MemberView): string {
  return join(server.config.dataLogDir, "version-2");
}

/** ServerStats.toString, the body of srvr and stat, with the leader's proposal sizes after it. */
export function serverSummary(server: MemberView, clients: string | null): string {
  const m = server.metrics;
  const leader = server.role === "LEADING";
  return (
    `Zookeeper version: ${VERSION_STRING}\n` +
    (server.servingReadOnly ? "READ-ONLY mode; serving only read-only clients\n" : "") +
    (clients === null ? "" : `Clients:\n${clients}\n`) +
    `Latency min/avg/max: ${m.latencyMin}/${javaDouble(m.latencyAvg)}/${m.latencyMax}\n` +
    `Received: ${m.packetsReceived}\n` +
    `Sent: ${m.packetsSent}\n` +
    `Connections: ${server.connections.size}\n` +
    `Outstanding: ${server.outstanding}\n` +
    `Zxid: ${hex(server.tree.lastProcessedZxid)}\n` +
    `Mode: ${serverModeOf(server)}\n` +
    `Node count: ${server.tree.nodeCount + 1}\n` +
    (leader ? `Proposal sizes last/min/max: ${server.driver.stats.proposalSizes}\n` : "")
  );
}

/**
 * One client connection as ServerCnxn.dumpConnectionInfo prints it; `brief` (stat) stops after
 * the packet counts. zkts does not keep the last operation or per-connection latency extremes,
 * so `lop` is ZooKeeper's "NA" and lresp/minlat/avglat/maxlat are left out.
 */
export function connectionLine(c: ClientConnection, brief: boolean): string {
  let line = ` /${c.remoteAddress}:${c.remotePort}[${c.open ? 1 : 0}](queued=${c.outstanding},recved=${c.packetsReceived},sent=${c.packetsSent}`;
  if (!brief && c.sessionId !== 0n) {
    line += `,sid=${hex(c.sessionId)},lop=NA,est=${c.establishedAtMs},to=${c.sessionTimeoutMs},lzxid=${hex(c.lastZxid)},llat=${c.lastLatencyMs}`;
  }
  return `${line})\n`;
}

export function connectionLines(server: MemberView, brief: boolean): string {
  let out = "";
  for (const c of server.connections) out += connectionLine(c, brief);
  return out;
}

/** A server.N line's value as QuorumServer.toString writes it in conf's membership. */
export function memberLine(m: QuorumMember): string {
  const client = m.clientPort === undefined || m.clientPort === null ? "" : `;${m.clientHost ?? "0.0.0.0"}:${m.clientPort}`;
  return `${m.host}:${m.quorumPort}:${m.electionPort}:${m.role}${client}`;
}

/** QuorumZooKeeperServer.dumpConf: the standalone keys, then the quorum's. */
export function confReport(server: MemberView): string {
  const c = server.config;
  const { members, initLimit, syncLimit } = server.ensemble;
  const self = members.find((m) => m.id === c.serverId);
  const membership = [...members].sort((a, b) => a.id - b.id).map((m) => `server.${m.id}=${memberLine(m)}\n`);
  return (
    `clientPort=${c.plainClientPort ? c.clientPort : -1}\n` +
    `secureClientPort=${c.clientTls?.secureClientPort ?? -1}\n` +
    `dataDir=${snapshotDirOf(server)}\n` +
    `dataDirSize=${directorySizeBytes(snapshotDirOf(server))}\n` +
    `dataLogDir=${logDirOf(server)}\n` +
    `dataLogSize=${directorySizeBytes(logDirOf(server))}\n` +
    `tickTime=${c.tickTime}\n` +
    `maxClientCnxns=${c.maxClientCnxns}\n` +
    `minSessionTimeout=${c.minSessionTimeout}\n` +
    `maxSessionTimeout=${c.maxSessionTimeout}\n` +
    `clientPortListenBacklog=-1\n` +
    `serverId=${c.serverId}\n` +
    `initLimit=${initLimit}\n` +
    `syncLimit=${syncLimit}\n` +
    // FastLeaderElection is the only algorithm, as in ZooKeeper 3.8.
    `electionAlg=3\n` +
    `electionPort=${self?.electionPort ?? ""}\n` +
    `quorumPort=${self?.quorumPort ?? ""}\n` +
    // LearnerType's ordinal: PARTICIPANT 0, OBSERVER 1.
    `peerType=${self?.role === "observer" ? 1 : 0}\n` +
    // ZooKeeper's read-only server stops after peerType.
    (server.servingReadOnly ? "" : `membership: \n` + membership.join("") + `version=${server.ensemble.version.toString(16)}`)
  );
}

/**
 * `dump`: the leader lists its session expiry buckets (SessionTrackerImpl), a learner the
 * global sessions it knows with their timeouts (LearnerSessionTracker); then every session's
 * ephemerals. ZooKeeper's NIO connection expiry section is left out: zkts has no such queue.
 */
export function dumpReport(server: MemberView): string {
  let out = "SessionTracker dump:\n";
  if (server.role === "LEADING") {
    out += sessionSets("Session Sets", server.sessions.expiryBuckets());
  } else {
    // The read-only server's own sessions come first, as ZooKeeper's local sessions do.
    if (server.servingReadOnly) out += sessionSets("Local Session Sets", server.readOnlySessionBuckets);
    const sessions = [...server.sessions.all()].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    out += `Global Sessions(${sessions.length}):\n`;
    for (const s of sessions) out += `${hex(s.id)}\t${s.timeoutMs}ms\n`;
  }
  out += "ephemeral nodes dump:\n";
  out += `Sessions with Ephemerals (${server.tree.ephemerals.size}):\n`;
  for (const [id, paths] of server.tree.ephemerals) {
    out += `${hex(id)}:\n`;
    for (const p of paths) out += `\t${p}\n`;
  }
  return out;
}

/** SessionTrackerImpl.dumpSessions: expiry buckets, earliest first, with their sessions. */
function sessionSets(title: string, buckets: { expiresAtMs: number; sessions: { id: bigint }[] }[]): string {
  const tracked = buckets.reduce((n, b) => n + b.sessions.length, 0);
  let out = `${title} (${buckets.length})/(${tracked}):\n`;
  for (const bucket of buckets) {
    out += `${bucket.sessions.length} expire at ${javaDate(bucket.expiresAtMs)}:\n`;
    for (const s of bucket.sessions) out += `\t${hex(s.id)}\n`;
  }
  return out;
}

const DAYS = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];
const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

/** java.util.Date.toString in UTC: "Wed Nov 25 15:08:50 UTC 2026". */
export function javaDate(ms: number): string {
  const d = new Date(ms);
  const two = (n: number) => String(n).padStart(2, "0");
  const time = `${two(d.getUTCHours())}:${two(d.getUTCMinutes())}:${two(d.getUTCSeconds())}`;
  return `${DAYS[d.getUTCDay()]} ${MONTHS[d.getUTCMonth()]} ${two(d.getUTCDate())} ${time} UTC ${d.getUTCFullYear()}`;
}
