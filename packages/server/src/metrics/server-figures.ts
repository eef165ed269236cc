import type { DataTree } from "@zkts/datatree";
import type { ServerMetrics } from "../metrics.js";
import { maxFileDescriptorCount, openFileDescriptorCount } from "../process-facts.js";
import { type MetricFigure, countOf, counter, doubleGauge, gauge, summary } from "./figures.js";

/** What a serving zkts server (standalone or member) knows that ZooKeeperServer reports. */
export interface ServingFacts {
  metrics: ServerMetrics;
  tree: DataTree;
  aliveConnections: number;
  outstandingRequests: number;
  globalSessions: number;
  localSessions: number;
  nowMs: number;
}

/**
 * The figures every ZooKeeper server registers (ZooKeeperServer's gauges and the
 * ServerMetrics zkts measures), in ZooKeeper 3.8's names. The figures zkts does not measure
 * are left out rather than reported as zero (apps/server/README.md lists them).
 */
export function servingFigures(s: ServingFacts): MetricFigure[] {
  const m = s.metrics;
  const tree = s.tree;
  const figures: MetricFigure[] = [
    doubleGauge("avg_latency", m.latencyAvg),
    gauge("max_latency", m.latencyMax),
    gauge("min_latency", m.latencyMin),
    gauge("packets_received", m.packetsReceived),
    gauge("packets_sent", m.packetsSent),
    gauge("num_alive_connections", s.aliveConnections),
    gauge("outstanding_requests", s.outstandingRequests),
    gauge("uptime", s.nowMs - m.startedAtMs),
    // ZooKeeper counts the root twice (it is stored under "" and "/"), so its figure is one higher.
    gauge("znode_count", tree.nodeCount + 1),
    gauge("watch_count", tree.dataWatches.size + tree.childWatches.size),
    gauge("ephemerals_count", tree.ephemeralCount),
    gauge("approximate_data_size", tree.approximateDataSize),
    gauge("global_sessions", s.globalSessions),
    gauge("local_sessions", s.localSessions),
  ];
  // Linux's /proc says; elsewhere the figures are left out, as ZooKeeper leaves them out off Unix.
  const openFds = openFileDescriptorCount();
  const maxFds = maxFileDescriptorCount();
  if (openFds !== null) figures.push(gauge("open_file_descriptor_count", openFds));
  if (maxFds !== null) figures.push(gauge("max_file_descriptor_count", maxFds));
  figures.push(
    counter(m.connectionRequests),
    counter(m.connectionsRejected),
    counter(m.bytesReceived),
    countOf("digest_mismatches_count", tree.digestMismatches),
    summary(m.readLatency),
    summary(m.updateLatency),
    summary(m.fsyncTime),
    summary(m.snapshotTime),
    summary(m.dbInitTime),
  );
  return figures;
}
