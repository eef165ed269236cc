import type { DataTree } from "@zkts/datatree";
import { hex } from "./logger.js";
import type { ZkServer } from "./zk-server.js";
import { VERSION_STRING } from "./config.js";

export const FOUR_LETTER_WORDS: ReadonlySet<string> = new Set([
  "ruok",
  "srvr",
  "stat",
  "mntr",
  "conf",
  "cons",
  "envi",
  "wchs",
  "wchc",
  "wchp",
  "dump",
  "dirs",
  "isro",
  "crst",
  "srst",
  "gtmk",
  "stmk",
  "hash",
]);

/** The figures behind srvr/stat/mntr and the AdminServer's monitor command. */
export function monitorFigures(server: ZkServer): Record<string, string | number> {
  const m = server.metrics;
  const tree = server.tree;
  const fsync = server.store?.fsyncStats() ?? { count: 0, minMs: 0, avgMs: 0, maxMs: 0, lastMs: 0 };
  return {
    zk_version: VERSION_STRING,
    zk_server_state: server.writesRefused ? "read-only" : "standalone",
    zk_avg_latency: Number(m.latencyAvg.toFixed(4)),
    zk_max_latency: m.latencyMax,
    zk_min_latency: m.latencyMin,
    zk_packets_received: m.packetsReceived,
    zk_packets_sent: m.packetsSent,
    zk_num_alive_connections: server.connections.size,
    zk_outstanding_requests: server.requestsInFlight,
    // ZooKeeper counts the root twice (it is stored under "" and "/"), so its figures are one higher.
    zk_znode_count: tree.nodeCount + 1,
    zk_watch_count: tree.dataWatches.size + tree.childWatches.size,
    zk_ephemerals_count: tree.ephemeralCount,
    zk_approximate_data_size: tree.approximateDataSize,
    zk_open_file_descriptor_count: server.connections.size,
    zk_global_sessions: server.sessions.size,
    zk_last_proposal_size: 0,
    zk_fsync_count: fsync.count,
    zk_fsync_time_min_ms: Number(fsync.minMs.toFixed(3)),
    zk_fsync_time_avg_ms: Number(fsync.avgMs.toFixed(3)),
    zk_fsync_time_max_ms: Number(fsync.maxMs.toFixed(3)),
    zk_last_snapshot_zxid: server.store === null ? "none" : hex(server.store.lastSnapshotZxid),
    zk_connection_rejected: m.connectionsRejected,
    zk_digest_mismatches_count: tree.digestMismatches,
    zk_uptime: server.now() - m.startedAtMs,
  };
}

function serverSummary(server: ZkServer): string {
  const m = server.metrics;
  return (
    `Zookeeper version: ${VERSION_STRING}\n` +
    `Latency min/avg/max: ${m.latencyMin}/${m.latencyAvg.toFixed(4)}/${m.latencyMax}\n` +
    `Received: ${m.packetsReceived}\n` +
    `Sent: ${m.packetsSent}\n` +
    `Connections: ${server.connections.size}\n` +
    `Outstanding: ${server.pipeline.queued}\n` +
    `Zxid: ${hex(server.tree.lastProcessedZxid)}\n` +
    `Mode: ${server.writesRefused ? "read-only" : "standalone"}\n` +
    `Node count: ${server.tree.nodeCount + 1}\n`
  );
}

function connectionLines(server: ZkServer): string {
  let out = "";
  for (const c of server.connections) {
    out +=
      ` /${c.remoteAddress}:${c.remotePort}[${c.open ? 1 : 0}](queued=${c.outstanding},recved=${c.packetsReceived},` +
      `sent=${c.packetsSent},sid=${hex(c.sessionId)},lop=NA,est=${c.establishedAtMs},to=${c.sessionTimeoutMs},` +
      `lzxid=${hex(c.lastZxid)},lresp=0,llat=${c.lastLatencyMs},minlat=0,avglat=0,maxlat=0)\n`;
  }
  return out;
}

export function configLines(server: ZkServer): string {
  const c = server.config;
  return (
    `clientPort=${c.plainClientPort ? c.clientPort : -1}\n` +
    `secureClientPort=${c.clientTls?.secureClientPort ?? -1}\n` +
    `dataDir=${c.dataDir}\n` +
    `dataDirSize=0\n` +
    `dataLogDir=${c.dataLogDir}\n` +
    `dataLogSize=0\n` +
    `tickTime=${c.tickTime}\n` +
    `maxClientCnxns=${c.maxClientCnxns}\n` +
    `minSessionTimeout=${c.minSessionTimeout}\n` +
    `maxSessionTimeout=${c.maxSessionTimeout}\n` +
    `clientPortListenBacklog=-1\n` +
    `serverId=${c.serverId}\n`
  );
}

/** The process facts `envi` reports, in its order. */
export function environment(): [string, string][] {
  return [
    ["zookeeper.version", VERSION_STRING],
    ["host.name", process.env.HOSTNAME ?? "localhost"],
    ["node.version", process.version],
    ["os.name", process.platform],
    ["os.arch", process.arch],
    ["user.dir", process.cwd()],
    ["process.pid", String(process.pid)],
  ];
}

export function environmentReport(): string {
  return `Environment:\n${environment()
    .map(([k, v]) => `${k}=${v}\n`)
    .join("")}`;
}

/** What `wchs` counts: connections with a watch, watched paths, watches. */
export function watchSummary(tree: DataTree): { connections: number; paths: number; watches: number } {
  const paths = new Set<string>();
  for (const [p] of tree.dataWatches.entries()) paths.add(p);
  for (const [p] of tree.childWatches.entries()) paths.add(p);
  const watchers = new Set<unknown>();
  for (const [w] of tree.dataWatches.watchers()) watchers.add(w);
  for (const [w] of tree.childWatches.watchers()) watchers.add(w);
  return { connections: watchers.size, paths: paths.size, watches: tree.dataWatches.size + tree.childWatches.size };
}

export function watchSummaryReport(tree: DataTree): string {
  const s = watchSummary(tree);
  return `${s.connections} connections watching ${s.paths} paths\nTotal watches:${s.watches}\n`;
}

/** `wchc`: the paths each session watches. */
export function watchesBySession(tree: DataTree): Map<bigint, Set<string>> {
  const bySession = new Map<bigint, Set<string>>();
  for (const table of [tree.dataWatches, tree.childWatches]) {
    for (const [watcher, paths] of table.watchers()) {
      const set = bySession.get(watcher.sessionId) ?? new Set<string>();
      for (const p of paths) set.add(p);
      bySession.set(watcher.sessionId, set);
    }
  }
  return bySession;
}

/** `wchp`: the sessions watching each path. */
export function watchesByPath(tree: DataTree): Map<string, Set<bigint>> {
  const byPath = new Map<string, Set<bigint>>();
  for (const table of [tree.dataWatches, tree.childWatches]) {
    for (const [path, watchers] of table.entries()) {
      const set = byPath.get(path) ?? new Set<bigint>();
      for (const w of watchers.keys()) set.add(w.sessionId);
      byPath.set(path, set);
    }
  }
  return byPath;
}

/** A key on its own line, then each of its values on a tab-indented line (wchc and wchp). */
export function linesByKey<K, V>(groups: Map<K, Set<V>>, key: (k: K) => string, value: (v: V) => string): string {
  let out = "";
  for (const [k, values] of groups) {
    out += `${key(k)}\n`;
    for (const v of values) out += `\t${value(v)}\n`;
  }
  return out;
}

/** Runs one four-letter word and returns its text answer. */
export function runFourLetterWord(server: ZkServer, word: string): string {
  const tree = server.tree;
  switch (word) {
    case "ruok":
      return "imok";
    case "srvr":
      return serverSummary(server);
    case "stat":
      return `${serverSummary(server).replace(/\nLatency/, "\nClients:\n" + connectionLines(server) + "\nLatency")}`;
    case "mntr":
      return Object.entries(monitorFigures(server))
        .map(([k, v]) => `${k}\t${v}\n`)
        .join("");
    case "conf":
      return configLines(server);
    case "cons":
      return `${connectionLines(server)}\n`;
    case "envi":
      return environmentReport();
    case "wchs":
      return watchSummaryReport(tree);
    case "wchc":
      return linesByKey(watchesBySession(tree), hex, (p) => p);
    case "wchp":
      return linesByKey(watchesByPath(tree), (p) => p, hex);
    case "dump": {
      let out = `SessionTracker dump:\nSession Sets (${server.sessions.size}):\n`;
      for (const s of server.sessions.all()) out += `${hex(s.id)}\t${s.timeoutMs}ms\n`;
      out += "ephemeral nodes dump:\n";
      out += `Sessions with Ephemerals (${tree.ephemerals.size}):\n`;
      for (const [id, paths] of tree.ephemerals) {
        out += `${hex(id)}:\n`;
        for (const p of paths) out += `\t${p}\n`;
      }
      return out;
    }
    case "dirs":
      return "datadir_size: 0\nlogdir_size: 0\n";
    case "isro":
      return server.writesRefused ? "ro" : "rw";
    case "crst":
      for (const c of server.connections) {
        c.lastLatencyMs = 0;
        c.packetsReceived = 0;
        c.packetsSent = 0;
      }
      return "Connection stats reset.\n";
    case "srst":
      server.metrics.reset();
      return "Server stats reset.\n";
    case "gtmk":
      return "0";
    case "stmk":
      return "0";
    case "hash":
      return `${hex(tree.lastProcessedZxid)}: 0\n`;
    default:
      return `Unknown command: ${word}\n`;
  }
}
