import { VERSION_STRING } from "../config.js";
import { hex } from "../logger.js";
import type { EnsembleServer } from "./ensemble-server.js";

const NOT_SERVING = "This ZooKeeper instance is not currently serving requests\n";

/** ZooKeeper's names for a member's role in srvr/stat ("Mode:") and mntr (zk_server_state). */
function modeOf(server: EnsembleServer): string {
  switch (server.role) {
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

function summary(server: EnsembleServer, clients: string): string {
  const m = server.metrics;
  const status = server.driver.peer.status();
  return (
    `Zookeeper version: ${VERSION_STRING}\n` +
    clients +
    `Latency min/avg/max: ${m.latencyMin}/${m.latencyAvg.toFixed(4)}/${m.latencyMax}\n` +
    `Received: ${m.packetsReceived}\n` +
    `Sent: ${m.packetsSent}\n` +
    `Connections: ${server.connections.size}\n` +
    `Outstanding: ${server.outstanding}\n` +
    `Zxid: ${hex(server.tree.lastProcessedZxid)}\n` +
    `Mode: ${modeOf(server)}\n` +
    `Node count: ${server.tree.nodeCount + 1}\n` +
    (server.role === "LEADING" ? `Proposal sizes last/min/max: -1/-1/-1\n` : "") +
    `Epoch: ${status.epoch}\n`
  );
}

function connectionLines(server: EnsembleServer): string {
  let out = "";
  for (const c of server.connections) {
    out += ` /${c.remoteAddress}:${c.remotePort}[${c.open ? 1 : 0}](queued=${c.outstanding},recved=${c.packetsReceived},sent=${c.packetsSent},sid=${hex(c.sessionId)})\n`;
  }
  return out;
}

function monitor(server: EnsembleServer): string {
  const status = server.driver.peer.status();
  const fsync = server.fsyncStats;
  const figures: Record<string, string | number> = {
    zk_version: VERSION_STRING,
    zk_server_state: modeOf(server),
    zk_avg_latency: Number(server.metrics.latencyAvg.toFixed(4)),
    zk_max_latency: server.metrics.latencyMax,
    zk_min_latency: server.metrics.latencyMin,
    zk_packets_received: server.metrics.packetsReceived,
    zk_packets_sent: server.metrics.packetsSent,
    zk_num_alive_connections: server.connections.size,
    zk_outstanding_requests: server.outstanding,
    zk_znode_count: server.tree.nodeCount + 1,
    zk_watch_count: server.tree.dataWatches.size + server.tree.childWatches.size,
    zk_ephemerals_count: server.tree.ephemeralCount,
    zk_approximate_data_size: server.tree.approximateDataSize,
    zk_global_sessions: server.sessions.size,
    zk_fsync_count: fsync.count,
    zk_last_zxid: hex(server.tree.lastProcessedZxid),
    zk_peer_state: `${status.role.toLowerCase()} - ${status.serving ? "broadcast" : "synchronization"}`,
    zk_current_epoch: status.currentEpoch,
    zk_accepted_epoch: status.acceptedEpoch,
  };
  if (server.role === "LEADING") {
    figures.zk_learners = status.learners;
    figures.zk_synced_followers = status.syncedLearners;
    figures.zk_pending_syncs = 0;
  }
  return Object.entries(figures)
    .map(([k, v]) => `${k}\t${v}\n`)
    .join("");
}

/** The four-letter words of an ensemble member; the rest answer that they are standalone-only for now. */
export function runEnsembleFourLetterWord(server: EnsembleServer, word: string): string {
  switch (word) {
    case "ruok":
      return "imok";
    case "srvr":
      return server.serving ? summary(server, "") : NOT_SERVING;
    case "stat":
      return server.serving ? summary(server, `Clients:\n${connectionLines(server)}\n`) : NOT_SERVING;
    case "mntr":
      return monitor(server);
    case "cons":
      return `${connectionLines(server)}\n`;
    case "isro":
      return "null";
    default:
      return `${word} is not available on an ensemble member in this version\n`;
  }
}
