import { VERSION_STRING } from "../config.js";
import { maxFileDescriptorCount, openFileDescriptorCount } from "../process-facts.js";
import type { EnsembleServer } from "./ensemble-server.js";
import { javaDouble, peerStateOf, serverModeOf } from "./member-reports.js";

/** One figure; averages are doubles in ZooKeeper and print as such ("0.0"). */
export type Figure = number | string | { double: number };

/**
 * The figures an ensemble member reports in `mntr` (with a `zk_` prefix) and the AdminServer's
 * `monitor` (without), under ZooKeeper 3.8's names. Only figures zkts actually keeps are
 * listed; quorum/README.md names the 3.8 keys left out and why.
 */
export function memberMonitorFigures(server: EnsembleServer): Map<string, Figure> {
  const status = server.driver.peer.status();
  const stats = server.driver.stats;
  const m = server.metrics;
  const tree = server.tree;
  const f = new Map<string, Figure>();
  f.set("version", VERSION_STRING);
  f.set("server_state", serverModeOf(server));
  // ZooKeeper's read-only server is no quorum server: it reports neither.
  if (!server.servingReadOnly) f.set("peer_state", peerStateOf(status));
  // Observers learn from the leader itself (zkts has no observer masters).
  if (status.role === "OBSERVING" && status.leader !== null) f.set("observer_master_id", status.leader);
  f.set("ephemerals_count", tree.ephemeralCount);
  f.set("num_alive_connections", server.connections.size);
  f.set("avg_latency", { double: m.latencyAvg });
  f.set("min_latency", m.latencyMin);
  f.set("max_latency", m.latencyMax);
  f.set("outstanding_requests", server.outstanding);
  // ZooKeeper counts the root twice (it is stored under "" and "/"), so its figure is one higher.
  f.set("znode_count", tree.nodeCount + 1);
  f.set("global_sessions", server.sessions.size);
  // Sessions made through the leader are global; only the read-only server's are local.
  f.set("local_sessions", server.readOnlySessionCount);
  f.set("packets_sent", m.packetsSent);
  f.set("packets_received", m.packetsReceived);
  f.set("watch_count", tree.dataWatches.size + tree.childWatches.size);
  f.set("approximate_data_size", tree.approximateDataSize);
  f.set("digest_mismatches_count", tree.digestMismatches);
  const openFds = openFileDescriptorCount();
  const maxFds = maxFileDescriptorCount();
  if (openFds !== null) f.set("open_file_descriptor_count", openFds);
  if (maxFds !== null) f.set("max_file_descriptor_count", maxFds);
  f.set("uptime", Date.now() - m.startedAtMs);
  if (!server.servingReadOnly) f.set("quorum_size", server.ensemble.members.filter((member) => member.role === "participant").length);
  f.set("proposal_count", stats.proposalCount);
  if (status.role === "LEADING") {
    f.set("learners", status.learners);
    f.set("synced_followers", status.syncedFollowers);
    f.set("synced_non_voting_followers", status.syncedNonVotingFollowers);
    f.set("synced_observers", status.syncedObservers);
    f.set("pending_syncs", status.pendingSyncs);
    f.set("leader_uptime", stats.leaderUptimeMs);
    f.set("last_proposal_size", stats.proposalSizes.last);
    f.set("min_proposal_size", stats.proposalSizes.min);
    f.set("max_proposal_size", stats.proposalSizes.max);
  }
  summary(f, "fsynctime", server.fsyncStats);
  const elections = stats.electionTimes;
  summary(f, "election_time", { count: elections.count, minMs: elections.minMs, avgMs: elections.avgMs, maxMs: elections.maxMs });
  return f;
}

/** A ZooKeeper Summary metric: avg/min/max/cnt/sum of `name`, in whole ms but the average. */
function summary(f: Map<string, Figure>, name: string, s: { count: number; minMs: number; avgMs: number; maxMs: number }): void {
  f.set(`avg_${name}`, { double: s.avgMs });
  f.set(`min_${name}`, Math.round(s.minMs));
  f.set(`max_${name}`, Math.round(s.maxMs));
  f.set(`cnt_${name}`, s.count);
  f.set(`sum_${name}`, Math.round(s.avgMs * s.count));
}

/** mntr's text: `zk_<name>\t<value>` per line. */
export function monitorText(figures: Map<string, Figure>): string {
  let out = "";
  for (const [name, value] of figures) out += `zk_${name}\t${typeof value === "object" ? javaDouble(value.double) : value}\n`;
  return out;
}

/** The AdminServer's monitor: the same figures as JSON values. */
export function monitorJson(figures: Map<string, Figure>): Record<string, number | string> {
  const out: Record<string, number | string> = {};
  for (const [name, value] of figures) out[name] = typeof value === "object" ? Number(value.double.toFixed(4)) : value;
  return out;
}
