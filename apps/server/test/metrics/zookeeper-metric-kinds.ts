import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";

export type MetricKind = "counter" | "gauge" | "summary-basic" | "summary-advanced";

const JAR = "/usr/share/java/zookeeper.jar";

/**
 * The classes that register ZooKeeper 3.8's server metrics: ServerMetrics (counters and
 * summaries) and the servers that register gauges (ZooKeeperServer for every server,
 * QuorumZooKeeperServer for members, LeaderZooKeeperServer and FollowerZooKeeperServer).
 */
const REGISTERING_CLASSES = [
  "org.apache.zookeeper.server.ServerMetrics",
  "org.apache.zookeeper.server.ZooKeeperServer",
  "org.apache.zookeeper.server.quorum.QuorumZooKeeperServer",
  "org.apache.zookeeper.server.quorum.LeaderZooKeeperServer",
  "org.apache.zookeeper.server.quorum.FollowerZooKeeperServer",
];

/**
 * Every metric name ZooKeeper 3.8 registers and its kind, read from the installed reference
 * jar's bytecode (javap): the string constant passed to getCounter, getSummary (with its
 * DetailLevel) or registerGauge. This is the truth the Prometheus provider builds its metric
 * families from (a counter, a gauge, a summary with the median, or with 0.5/0.9/0.99).
 */
export function zooKeeperMetricKinds(): Map<string, MetricKind> {
  if (!existsSync(JAR)) throw new Error(`${JAR} is missing: run lab/provision/ensure.sh`);
  const kinds = new Map<string, MetricKind>();
  for (const className of REGISTERING_CLASSES) {
    const listing = execFileSync("javap", ["-c", "-p", "-classpath", JAR, className], { encoding: "utf8", maxBuffer: 64 * 1024 * 1024 });
    let name: string | null = null;
    let level: string | null = null;
    for (const line of listing.split("\n")) {
      const constant = /\/\/ String (\S+)$/.exec(line);
      if (constant !== null) {
        name = constant[1]!;
        level = null;
        continue;
      }
      const detail = /DetailLevel\.(BASIC|ADVANCED)/.exec(line);
      if (detail !== null) {
        level = detail[1]!;
        continue;
      }
      const call = /(MetricsContext\.(getCounter|getSummary|registerGauge)):/.exec(line);
      if (call === null || name === null) continue;
      if (call[2] === "getCounter") kinds.set(name, "counter");
      else if (call[2] === "registerGauge") kinds.set(name, "gauge");
      else kinds.set(name, level === "ADVANCED" ? "summary-advanced" : "summary-basic");
      name = null;
    }
  }
  return kinds;
}
