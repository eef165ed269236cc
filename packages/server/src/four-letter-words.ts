import type { DataTree } from "@zkts/datatree";
import { hex } from "./logger.js";
import type { StandaloneView } from "./report-view.js";
import { VERSION_STRING } from "./config.js";
import { type MetricFigure, info, monitorEntries, monitorJson, monitorText } from "./metrics/figures.js";
import { servingFigures } from "./metrics/server-figures.js";

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

/** What a standalone server reports in mntr, the AdminServer's monitor and the Prometheus endpoint. */
export function standaloneFigures(server: StandaloneView): MetricFigure[] {
  return [
    info("version", VERSION_STRING),
    info("server_state", server.writesRefused ? "read-only" : "standalone"),
    ...servingFigures({
      metrics: server.metrics,
      tree: server.tree,
      aliveConnections: server.connections.size,
      outstandingRequests: server.requestsInFlight,
      globalSessions: server.sessions.size,
      // A standalone server has no local sessions (ZooKeeper's reports 0 too).
      localSessions: 0,
      nowMs: server.now(),
    }),
  ];
}

/** The mntr figures as the standalone AdminServer's JSON shows them (with mntr's zk_ prefix). */
export function monitorFigures(server: StandaloneView): Record<string, string | number> {
  return monitorJson(monitorEntries(standaloneFigures(server)), "zk_");
}

function serverSummary(server: StandaloneView): string {
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

function connectionLines(server: StandaloneView): string {
  let out = "";
  for (const c of server.connections) {
    out +=
      ` /${c.remoteAddress}:${c.remotePort}[${c.open ? 1 : 0}](queued=${c.outstanding},recved=${c.packetsReceived},` +
      `sent=${c.packetsSent},sid=${hex(c.sessionId)},lop=NA,est=${c.establishedAtMs},to=${c.sessionTimeoutMs},` +
      `lzxid=${hex(c.lastZxid)},lresp=0,llat=${c.lastLatencyMs},minlat=0,avglat=0,maxlat=0)\n`;
  }
  return out;
}

export function configLines(server: StandaloneView): string {
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
export function runFourLetterWord(server: StandaloneView, word: string): string {
  const tree = server.tree;
  switch (word) {
    case "ruok":
      return "imok";
    case "srvr":
      return serverSummary(server);
    case "stat":
      return `${serverSummary(server).replace(/\nLatency/, "\nClients:\n" + connectionLines(server) + "\nLatency")}`;
    case "mntr":
      return monitorText(monitorEntries(standaloneFigures(server)));
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
