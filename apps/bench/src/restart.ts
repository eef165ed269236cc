#!/usr/bin/env node
import { integerValue, UsageError } from "@zkts/cli-args";
import { type RunningServer, startReferenceZooKeeper, startZkts } from "@zkts/testkit";
import { fill, type FillResult, newestSnapshotMb, pidOf, restartAndTime, type RestartResult, rssMb, type StopMode } from "./restart-bench.js";
import type { RestartTable } from "./report-markdown.js";
import { OUTPUT_OPTIONS, outputMode, scriptArgs } from "./script-args.js";

/**
 * Memory and restart time with many znodes, on the reference ZooKeeper 3.8 and on standalone
 * zkts in the same run: fills N znodes of 100 bytes through client sessions (ZooKeeper first,
 * then zkts), reads each server's resident set size, then restarts them alternately, timing
 * each from the old process's exit to the first read a new session gets answered. Both run on
 * the same zoo.cfg (testkit's: snapCount and the other keys at their defaults, fsync on); the
 * JVM gets -Xmx2g and its full JIT, Node its default heap limit.
 */
const { values, usage } = scriptArgs(
  "zkts-bench restart",
  "Fill rate, RSS after the fill, restart-to-serving time and RSS after the restart with N znodes,\non the reference ZooKeeper 3.8 and zkts alternately.",
  null,
  {
    znodes: { type: "string", value: "N", description: "znodes to create (default 1000000)" },
    size: { type: "string", value: "BYTES", description: "data per znode (default 100)" },
    "fan-out": { type: "string", value: "N", description: "children per parent znode (default 1000)" },
    rounds: { type: "string", value: "N", description: "restarts of each server, alternating (default 2)" },
    stop: { type: "string", value: "kill|clean", description: "SIGKILL (default) or SIGTERM before each restart" },
    "settle-seconds": { type: "string", value: "N", description: "wait after the fill and after serving before reading RSS again (default 5)" },
    servers: { type: "string", value: "both|zkts|reference", description: "which servers to measure (default both)" },
    ...OUTPUT_OPTIONS,
  },
);
const output = outputMode(values);

const options = usage(() => {
  const stop = (values.stop as string | undefined) ?? "kill";
  if (stop !== "kill" && stop !== "clean") throw new UsageError(`--stop takes kill or clean, not '${stop}'`);
  const servers = (values.servers as string | undefined) ?? "both";
  if (!["both", "zkts", "reference"].includes(servers)) throw new UsageError(`--servers takes both, zkts or reference, not '${servers}'`);
  return {
    znodes: integerValue(values.znodes as string | undefined, "--znodes", 1_000_000, { min: 1 }),
    dataSize: integerValue(values.size as string | undefined, "--size", 100, { min: 0 }),
    fanOut: integerValue(values["fan-out"] as string | undefined, "--fan-out", 1000, { min: 1 }),
    rounds: integerValue(values.rounds as string | undefined, "--rounds", 2, { min: 1 }),
    stop: stop as StopMode,
    settleMs: integerValue(values["settle-seconds"] as string | undefined, "--settle-seconds", 5, { min: 0 }) * 1000,
    kinds: servers === "both" ? (["reference", "zkts"] as const) : ([servers] as ["reference"] | ["zkts"]),
  };
});

const REFERENCE_JVM_FLAGS = ["-Xmx2g", "-XX:TieredStopAtLevel=4"];
const START_TIMEOUT_MS = 10 * 60_000;

interface Measured {
  fill: FillResult;
  rssAfterFillMb: number;
  rssFillSettledMb: number;
  snapshotMb: number | null;
  restarts: RestartResult[];
}

const log = (line: string) => output.log(line);
const servers = new Map<"reference" | "zkts", RunningServer>();
const measured = new Map<"reference" | "zkts", Measured>();
try {
  for (const kind of options.kinds) {
    const server =
      kind === "reference"
        ? await startReferenceZooKeeper({ jvmFlags: REFERENCE_JVM_FLAGS, startTimeoutMs: START_TIMEOUT_MS })
        : await startZkts({ startTimeoutMs: START_TIMEOUT_MS });
    servers.set(kind, server);
  }
  for (const [kind, server] of servers) {
    log(`${kind}: filling ${options.znodes} znodes of ${options.dataSize} B`);
    const filled = await fill(server, { znodes: options.znodes, dataSize: options.dataSize, fanOut: options.fanOut, clients: 4, outstanding: 256 });
    const rssAfterFillMb = await rssMb(pidOf(server));
    await new Promise((resolve) => setTimeout(resolve, options.settleMs));
    const rssFillSettledMb = await rssMb(pidOf(server));
    log(`${kind}: ${Math.round(filled.znodes / (filled.elapsedMs / 1000))} znodes/s, ${filled.errors} errors, RSS ${rssAfterFillMb.toFixed(0)} MB`);
    measured.set(kind, { fill: filled, rssAfterFillMb, rssFillSettledMb, snapshotMb: null, restarts: [] });
  }
  for (let round = 0; round < options.rounds; round++) {
    for (const [kind, server] of servers) {
      const m = measured.get(kind)!;
      const restart = await restartAndTime(server, options.stop, options.settleMs, START_TIMEOUT_MS);
      m.snapshotMb = await newestSnapshotMb(server.dataDir);
      m.restarts.push(restart);
      log(
        `${kind}: restart ${round + 1} served a read after ${(restart.servingMs / 1000).toFixed(2)} s, RSS ${restart.rssAtServingMb.toFixed(0)} MB then ${restart.rssSettledMb.toFixed(0)} MB`,
      );
    }
  }
} finally {
  await Promise.all([...servers.values()].map((s) => s.cleanup()));
}
const summary = table();
if (output.json) {
  const { kinds, ...parameters } = options;
  const raw = Object.fromEntries(measured);
  process.stdout.write(`${JSON.stringify({ script: "restart", parameters: { ...parameters, servers: kinds }, table: summary, ...raw }, null, 2)}\n`);
} else {
  process.stdout.write(textTable(summary));
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** The figures of both servers side by side, each row with the zkts/ZooKeeper ratio. */
function table(): RestartTable {
  const settle = `${options.settleMs / 1000} s`;
  const rows: { label: string; of: (m: Measured) => number; digits: number; spread?: (m: Measured) => number[] }[] = [
    { label: "fill rate (znodes/s)", of: (m) => m.fill.znodes / (m.fill.elapsedMs / 1000), digits: 0 },
    { label: "RSS after fill (MB)", of: (m) => m.rssAfterFillMb, digits: 0 },
    { label: `RSS ${settle} after fill (MB)`, of: (m) => m.rssFillSettledMb, digits: 0 },
    { label: "newest snapshot (MB)", of: (m) => m.snapshotMb ?? Number.NaN, digits: 0 },
    {
      label: `restart to serving (s), ${options.stop === "kill" ? "SIGKILL" : "SIGTERM"}, median`,
      of: (m) => median(m.restarts.map((r) => r.servingMs / 1000)),
      digits: 2,
      spread: (m) => m.restarts.map((r) => r.servingMs / 1000),
    },
    { label: "RSS at serving (MB), median", of: (m) => median(m.restarts.map((r) => r.rssAtServingMb)), digits: 0 },
    { label: `RSS ${settle} after serving (MB), median`, of: (m) => median(m.restarts.map((r) => r.rssSettledMb)), digits: 0 },
  ];
  const reference = measured.get("reference");
  const zkts = measured.get("zkts");
  const cell = (row: (typeof rows)[number], m: Measured | undefined) => {
    if (m === undefined) return "-";
    const value = row.of(m).toFixed(row.digits);
    return row.spread === undefined || m.restarts.length < 2
      ? value
      : `${value} (${row
          .spread(m)
          .map((v) => v.toFixed(1))
          .join("/")})`;
  };
  const errors = [...measured].filter(([, m]) => m.fill.errors > 0).map(([k, m]) => `${k}: ${m.fill.errors} creates failed`);
  return {
    heading: `${options.znodes} znodes of ${options.dataSize} B (${options.fanOut} per parent), ${options.rounds} restart(s) each; ZooKeeper ${REFERENCE_JVM_FLAGS.join(" ")}${errors.length > 0 ? `; ${errors.join("; ")}` : ""}`,
    rows: rows.map((row) => ({
      label: row.label,
      reference: cell(row, reference),
      zkts: cell(row, zkts),
      ratio: reference !== undefined && zkts !== undefined ? (row.of(zkts) / row.of(reference)).toFixed(2) : "-",
    })),
  };
}

function textTable(summary: RestartTable): string {
  const lines = [summary.heading, `${"".padEnd(42)}${"ZooKeeper 3.8".padStart(22)}${"zkts".padStart(22)}${"zkts/ZK".padStart(10)}`];
  for (const row of summary.rows) lines.push(`${row.label.padEnd(42)}${row.reference.padStart(22)}${row.zkts.padStart(22)}${row.ratio.padStart(10)}`);
  return `\n${lines.join("\n")}\n`;
}
