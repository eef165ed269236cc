import { type ZkClient, connect } from "@zkts/client";
import {
  type EnsembleMember,
  type RunningEnsemble,
  type RunningServer,
  fourLetterWord,
  freePort,
  startReferenceZooKeeper,
  startZkts,
  startZktsEnsemble,
} from "@zkts/testkit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Family, sampleValue, scrape, zooKeeperFamilies } from "./metrics/exposition.js";
import { type MetricKind, zooKeeperMetricKinds } from "./metrics/zookeeper-metric-kinds.js";

/**
 * ZooKeeper 3.8's Prometheus provider as zkts serves it (metricsProvider.className=
 * ...PrometheusMetricsProvider, httpHost, httpPort): a standalone server and a 3-member
 * ensemble are scraped over HTTP.
 *
 * What the names and types are checked against, and what could not be:
 * - The reference cannot run the same provider here: Debian's zookeeper package ships neither
 *   the zookeeper-prometheus-metrics jar nor the Prometheus Java client (simpleclient) it
 *   needs, and neither is in apt (no libsimpleclient-java). So no /metrics of a real 3.8 is
 *   compared, and the text-level details of the Java client (numbers printed as "1.0", the
 *   JVM's jvm_* families) are not compared either.
 * - Instead every family zkts exports is checked against the kind 3.8 registers it with, read
 *   from the installed 3.8 jar's bytecode (getCounter / registerGauge / getSummary with its
 *   detail level: the provider turns these into counter, gauge and summary families with the
 *   quantiles 0.5, or 0.5/0.9/0.99), and against the keys of a running 3.8's mntr (which its
 *   default provider derives from the same registrations).
 * - Leader-only figures are checked against the jar only: the running reference here is
 *   standalone, since a reference ensemble costs three JVMs on a 2-core machine
 *   (ensemble-ops.test.ts compares members' mntr keys with a real 3.8 ensemble).
 */

const QUANTILES: Record<string, string[]> = { "summary-basic": ["0.5"], "summary-advanced": ["0.5", "0.9", "0.99"] };

/** The families an operator's dashboard reads from every server, and their Prometheus types. */
const EVERY_SERVER: Record<string, string> = {
  znode_count: "gauge",
  watch_count: "gauge",
  ephemerals_count: "gauge",
  approximate_data_size: "gauge",
  outstanding_requests: "gauge",
  num_alive_connections: "gauge",
  global_sessions: "gauge",
  packets_received: "gauge",
  packets_sent: "gauge",
  avg_latency: "gauge",
  uptime: "gauge",
  open_file_descriptor_count: "gauge",
  connection_request_count: "counter",
  bytes_received_count: "counter",
  readlatency: "summary",
  updatelatency: "summary",
  fsynctime: "summary",
  snapshottime: "summary",
};

const LEADER_ONLY = ["learners", "synced_followers", "synced_non_voting_followers", "synced_observers", "pending_syncs", "leader_uptime", "last_proposal_size"];

let kinds: Map<string, MetricKind>;

beforeAll(() => {
  kinds = zooKeeperMetricKinds();
}, 60_000);

/** Each family has the kind ZooKeeper 3.8 gives the metric of that name, with the same quantiles. */
function expectZooKeeperKinds(families: ReadonlyMap<string, Family>): void {
  for (const [name, family] of zooKeeperFamilies(families)) {
    const kind = kinds.get(name);
    expect(kind, `${name} is not a ZooKeeper 3.8 metric`).toBeDefined();
    expect(family.type, name).toBe(kind!.startsWith("summary") ? "summary" : kind);
    if (family.type !== "summary") continue;
    const quantiles = family.samples.filter((s) => s.name === name).map((s) => String(Number(s.labels.quantile)));
    expect(quantiles, name).toEqual(QUANTILES[kind!]);
    expect(family.samples.map((s) => s.name)).toEqual(expect.arrayContaining([`${name}_count`, `${name}_sum`]));
  }
}

/** The mntr keys a ZooKeeper default provider prints for a family (what the running reference is compared on). */
function mntrKeysOf(name: string, family: Family): string[] {
  if (family.type !== "summary") return [`zk_${name}`];
  const keys = ["avg", "min", "max", "cnt", "sum"].map((p) => `zk_${p}_${name}`);
  return kinds.get(name) === "summary-advanced" ? [...keys, ...["p50", "p95", "p99", "p999"].map((p) => `zk_${p}_${name}`)] : keys;
}

function parseMntr(text: string): Map<string, string> {
  return new Map(
    text
      .trim()
      .split("\n")
      .map((line) => line.split("\t") as [string, string]),
  );
}

async function mntr(server: Pick<RunningServer, "host" | "port">): Promise<Map<string, string>> {
  return parseMntr(await fourLetterWord(server.host, server.port, "mntr"));
}

/**
 * The figures of one server as mntr, the AdminServer's monitor (when given) and /metrics
 * show them, read while nothing changes them: each must be the same number everywhere.
 */
function expectSameFigures(
  names: readonly string[],
  fromMntr: ReadonlyMap<string, string>,
  fromMetrics: ReadonlyMap<string, Family>,
  fromMonitor: Record<string, unknown> | null,
): void {
  for (const name of names) {
    const family = fromMetrics.get(name);
    expect(family, name).toBeDefined();
    const pairs: [string, number][] =
      family!.type === "summary"
        ? [
            [`cnt_${name}`, sampleValue(fromMetrics, name, `${name}_count`)],
            [`sum_${name}`, Math.round(sampleValue(fromMetrics, name, `${name}_sum`))],
          ]
        : [[name, sampleValue(fromMetrics, name)]];
    for (const [key, value] of pairs) {
      expect(Number(fromMntr.get(`zk_${key}`)), `mntr zk_${key}`).toBe(value);
      if (fromMonitor !== null) expect(fromMonitor[`zk_${key}`] ?? fromMonitor[key], `monitor ${key}`).toBe(value);
    }
  }
}

describe("standalone server with the Prometheus provider", () => {
  let server: RunningServer;
  let metricsPort: number;
  let adminPort: number;

  beforeAll(async () => {
    metricsPort = await freePort();
    adminPort = await freePort();
    server = await startZkts({
      config: {
        "metricsProvider.className": "org.apache.zookeeper.metrics.prometheus.PrometheusMetricsProvider",
        "metricsProvider.httpHost": "127.0.0.1",
        "metricsProvider.httpPort": String(metricsPort),
        "metricsProvider.exportJvmInfo": "true",
        "admin.enableServer": "true",
        "admin.serverAddress": "127.0.0.1",
        "admin.serverPort": String(adminPort),
        "4lw.commands.whitelist": "*",
      },
    });
  }, 60_000);

  afterAll(async () => {
    await server?.cleanup();
  });

  it("serves /metrics with ZooKeeper 3.8's names and types, plus the Node process's metrics", async () => {
    const families = await scrape(metricsPort);
    expectZooKeeperKinds(families);
    for (const [name, type] of Object.entries(EVERY_SERVER)) expect(families.get(name)?.type, name).toBe(type);
    for (const name of LEADER_ONLY) expect(families.has(name), name).toBe(false);
    // prom-client's default metrics: the process_* names are the ones Prometheus's Java client exports too.
    for (const name of [
      "process_cpu_seconds_total",
      "process_resident_memory_bytes",
      "process_open_fds",
      "process_start_time_seconds",
      "nodejs_heap_size_used_bytes",
    ]) {
      expect(families.has(name), name).toBe(true);
    }
    // The descriptor count is this process's, as Linux's /proc says, not the connection count
    // (the two reads differ by the descriptor each listing of /proc/self/fd holds open).
    const fds = sampleValue(families, "open_file_descriptor_count");
    expect(Math.abs(fds - sampleValue(families, "process_open_fds"))).toBeLessThanOrEqual(2);
    expect(fds).toBeGreaterThan(sampleValue(families, "num_alive_connections") + 5);
    const notFound = await fetch(`http://127.0.0.1:${metricsPort}/other`);
    expect(notFound.status).toBe(404);
  });

  it("uses only names a running ZooKeeper 3.8 reports, in /metrics and in mntr", async () => {
    const reference = await startReferenceZooKeeper({ config: { "4lw.commands.whitelist": "*" } });
    let referenceKeys: Set<string>;
    try {
      referenceKeys = new Set((await mntr(reference)).keys());
    } finally {
      await reference.cleanup();
    }
    for (const [name, family] of zooKeeperFamilies(await scrape(metricsPort))) {
      for (const key of mntrKeysOf(name, family)) expect(referenceKeys.has(key), `${key} (for ${name})`).toBe(true);
    }
    const invented = [...(await mntr(server)).keys()].filter((k) => !referenceKeys.has(k));
    expect(invented).toEqual([]);
  }, 120_000);

  it("moves its counters and summaries with requests, and mntr, monitor and /metrics agree", async () => {
    const WRITES = 25;
    const READS = 40;
    const before = await scrape(metricsPort);
    const client: ZkClient = await connect(server.connectString, { sessionTimeoutMs: 30_000 });
    try {
      for (let i = 0; i < WRITES; i++) await client.create(`/metrics-${i}`, `value-${i}`);
      for (let i = 0; i < READS; i++) await client.getData(`/metrics-${i % WRITES}`);
      const during = await scrape(metricsPort);
      const grew = (name: string, sample = name) => sampleValue(during, name, sample) - sampleValue(before, name, sample);
      expect(grew("znode_count")).toBe(WRITES);
      expect(sampleValue(during, "global_sessions")).toBeGreaterThanOrEqual(1);
      // The creates are quorum requests; the reads (and any ping) are not. (zkts answers the
      // handshake outside the request queue, so createSession is not among them: README.)
      expect(grew("updatelatency", "updatelatency_count")).toBeGreaterThanOrEqual(WRITES);
      expect(grew("readlatency", "readlatency_count")).toBeGreaterThanOrEqual(READS);
      expect(grew("fsynctime", "fsynctime_count")).toBeGreaterThanOrEqual(1);
      expect(grew("connection_request_count")).toBe(1);
      expect(grew("bytes_received_count")).toBeGreaterThan(WRITES * 20);
      expect(grew("packets_received")).toBeGreaterThanOrEqual(WRITES + READS);
      expect(sampleValue(during, "approximate_data_size")).toBeGreaterThan(sampleValue(before, "approximate_data_size"));
    } finally {
      await client.close();
    }
    // Nothing changes these between the three reads (a four-letter word and HTTP requests are no requests).
    const stable = [
      "znode_count",
      "ephemerals_count",
      "watch_count",
      "approximate_data_size",
      "global_sessions",
      "outstanding_requests",
      "connection_request_count",
      "connection_rejected",
      "digest_mismatches_count",
      "readlatency",
      "updatelatency",
      "fsynctime",
      "snapshottime",
      "dbinittime",
    ];
    const fromMntr = await mntr(server);
    const fromMetrics = await scrape(metricsPort);
    const fromMonitor = (await (await fetch(`http://127.0.0.1:${adminPort}/commands/monitor`)).json()) as Record<string, unknown>;
    expectSameFigures(stable, fromMntr, fromMetrics, fromMonitor);
  });

  it("keeps Prometheus counters monotonic across srst, which restarts only mntr's figures", async () => {
    const before = await scrape(metricsPort);
    expect(await fourLetterWord(server.host, server.port, "srst")).toBe("Server stats reset.\n");
    const afterReset = await mntr(server);
    expect(afterReset.get("zk_cnt_updatelatency")).toBe("0");
    const after = await scrape(metricsPort);
    expect(sampleValue(after, "updatelatency", "updatelatency_count")).toBe(sampleValue(before, "updatelatency", "updatelatency_count"));
    expect(sampleValue(after, "connection_request_count")).toBe(sampleValue(before, "connection_request_count"));
  });
});

describe("3-member ensemble with the Prometheus provider", () => {
  let ensemble: RunningEnsemble;
  const metricsPorts = new Map<number, number>();
  let leader: EnsembleMember;

  beforeAll(async () => {
    for (const id of [1, 2, 3]) metricsPorts.set(id, await freePort());
    ensemble = await startZktsEnsemble({
      voters: 3,
      config: {
        "metricsProvider.className": "org.apache.zookeeper.metrics.prometheus.PrometheusMetricsProvider",
        "metricsProvider.httpHost": "127.0.0.1",
        // The Node process's metrics are checked on the standalone server; members leave them out.
        "metricsProvider.exportJvmInfo": "false",
        "4lw.commands.whitelist": "*",
      },
      memberConfig: (id) => ({ "metricsProvider.httpPort": String(metricsPorts.get(id)) }),
    });
    leader = await ensemble.waitForLeader();
  }, 120_000);

  afterAll(async () => {
    await ensemble?.cleanup();
  });

  const metricsOf = (member: EnsembleMember) => scrape(metricsPorts.get(member.id)!);

  it("every member serves ZooKeeper 3.8's names and types; the quorum figures are the leader's", async () => {
    for (const member of ensemble.members) {
      const families = await metricsOf(member);
      expectZooKeeperKinds(families);
      expect([...families.keys()].filter((n) => n.startsWith("process_") || n.startsWith("nodejs_"))).toEqual([]);
      for (const [name, type] of Object.entries(EVERY_SERVER)) expect(families.get(name)?.type, `${name} on ${member.id}`).toBe(type);
      expect(sampleValue(families, "quorum_size")).toBe(3);
      expect(sampleValue(families, "election_time", "election_time_count")).toBeGreaterThanOrEqual(1);
      const isLeader = member.id === leader.id;
      for (const name of LEADER_ONLY) expect(families.has(name), `${name} on ${member.id}`).toBe(isLeader);
      if (isLeader) {
        expect(sampleValue(families, "learners")).toBe(2);
        expect(sampleValue(families, "synced_followers")).toBe(2);
        expect(sampleValue(families, "pending_syncs")).toBe(0);
        expect(sampleValue(families, "diff_count") + sampleValue(families, "snap_count")).toBeGreaterThanOrEqual(2);
      }
    }
  });

  it("counts proposals on the leader and what followers receive, and mntr agrees with /metrics", async () => {
    const WRITES = 20;
    const followers = ensemble.members.filter((m) => m.id !== leader.id);
    const before = new Map<number, Map<string, Family>>();
    for (const m of ensemble.members) before.set(m.id, await metricsOf(m));
    // Written through a follower: it forwards to the leader, which proposes.
    const client = await connect(`${followers[0]!.server.host}:${followers[0]!.server.port}`, { sessionTimeoutMs: 30_000 });
    try {
      for (let i = 0; i < WRITES; i++) await client.create(`/ensemble-metrics-${i}`, "x");
      await client.sync("/");
    } finally {
      await client.close();
    }
    // Every member has applied everything once a fresh session's sync returns on it.
    for (const m of ensemble.members) {
      const c = await connect(`${m.server.host}:${m.server.port}`, { sessionTimeoutMs: 30_000 });
      await c.sync("/");
      await c.close();
    }
    // The last sessions' closes reach every member's disk shortly after their clients see them.
    await new Promise((resolve) => setTimeout(resolve, 500));
    const grew = async (m: EnsembleMember, name: string, sample = name) =>
      sampleValue(await metricsOf(m), name, sample) - sampleValue(before.get(m.id)!, name, sample);
    expect(await grew(leader, "proposal_count")).toBeGreaterThanOrEqual(WRITES);
    const leaderNow = await metricsOf(leader);
    expect(sampleValue(leaderNow, "last_proposal_size")).toBeGreaterThan(0);
    expect(sampleValue(leaderNow, "max_proposal_size")).toBeGreaterThanOrEqual(sampleValue(leaderNow, "min_proposal_size"));
    for (const f of followers) {
      expect(await grew(f, "learner_proposal_received_count"), `follower ${f.id}`).toBeGreaterThanOrEqual(WRITES);
      expect(await grew(f, "learner_commit_received_count"), `follower ${f.id}`).toBeGreaterThanOrEqual(WRITES);
      expect(await grew(f, "znode_count"), `follower ${f.id}`).toBe(WRITES);
    }
    expect(await grew(followers[0]!, "updatelatency", "updatelatency_count")).toBeGreaterThanOrEqual(WRITES);
    const stable = ["znode_count", "global_sessions", "quorum_size", "proposal_count", "updatelatency", "fsynctime", "election_time", "looking_count"];
    for (const m of ensemble.members) {
      const names = m.id === leader.id ? [...stable, "learners", "synced_followers", "last_proposal_size", "max_proposal_size"] : stable;
      expectSameFigures(names, await mntr(m.server), await metricsOf(m), null);
    }
  }, 60_000);
});
