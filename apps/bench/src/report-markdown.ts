import type { LatencySummary } from "./histogram.js";
import type { LoadReport } from "./load.js";
import type { MachineFacts } from "./machine-facts.js";

/** What the scripts print under --json, as bench:all reads it back. */
export interface SweepResult {
  parameters: { durationMs: number; clients: number; outstanding: number; dataSize: number };
  points: { readPercent: number; reference: LoadReport; zkts: LoadReport; ratio: number }[];
}
export interface EnsembleResult {
  /** rounds: each load ran this many times on each ensemble, alternating; ratios are medians. */
  parameters: { durationMs: number; voters: number; rounds?: number };
  loads: { load: string; reference: LoadReport; zkts: LoadReport; ratio: number }[];
}
export interface FailoverResult {
  parameters: { rounds: number; tickTime: number };
  reference: { roundsMs: number[]; latencyMs: LatencySummary };
  zkts: { roundsMs: number[]; latencyMs: LatencySummary };
}
export interface ReadsResult {
  parameters: { durationMs: number };
  shapes: { shape: string; plain: LoadReport; linearizable: LoadReport; ratio: number }[];
}
export interface FreshStartResult {
  parameters: { rounds: number; tickTime: number };
  reference: { startsMs: number[]; latencyMs: LatencySummary };
  zkts: { startsMs: number[]; latencyMs: LatencySummary };
}
export interface SnapCatchupResult {
  parameters: { znodes: number; rounds: number };
  reference: { roundsMs: number[] };
  zkts: { roundsMs: number[] };
}
/** The restart script's table (its --json `table`), row by row. */
export interface RestartTable {
  heading: string;
  rows: { label: string; reference: string; zkts: string; ratio: string }[];
}

export interface BenchAllRun {
  startedAt: string;
  finishedAt: string;
  command: string;
  machine: MachineFacts;
  sweep?: SweepResult;
  ensemble?: EnsembleResult;
  failover?: FailoverResult;
  reads?: ReadsResult;
  restart?: RestartTable;
  freshStart?: FreshStartResult;
  snapCatchup?: SnapCatchupResult;
  /** The parts that did not finish, with why. */
  failures: { part: string; message: string }[];
  /** Chart files written beside the report. */
  charts: { file: string; caption: string }[];
}

const opsPerSecond = (r: LoadReport) => r.operationsPerSecond.toFixed(0);
const ms = (value: number) => (value >= 100 ? value.toFixed(0) : value >= 10 ? value.toFixed(1) : value.toFixed(2));
const p50p99 = (s: LatencySummary) => (s.count === 0 ? "-" : `${ms(s.p50)} / ${ms(s.p99)}`);
/** The slowest and fastest whole second of a run (the last, partial second left out), in ops/s. */
const perSecondRange = (r: LoadReport) => {
  const whole = r.throughputPerSecond.slice(0, -1);
  return whole.length === 0 ? "-" : `${Math.min(...whole)}-${Math.max(...whole)}`;
};
const wholeMs = (figures: number[]) => figures.map((v) => v.toFixed(0)).join(", ");
const median = (figures: number[]) => [...figures].sort((a, b) => a - b)[Math.floor(figures.length / 2)] ?? Number.NaN;
const ratio = (value: number) => (Number.isFinite(value) ? value.toFixed(2) : "-");

function table(header: string[], rows: string[][]): string[] {
  const line = (cells: string[]) => `| ${cells.map((c) => c.replace(/\|/g, "\\|")).join(" | ")} |`;
  return [line(header), line(header.map(() => "---")), ...rows.map(line)];
}

/** The one Markdown report of a bench:all run: the machine, a summary table, then each part's details. */
export function benchAllMarkdown(run: BenchAllRun): string {
  const m = run.machine;
  const load = (l: number[] | null) => (l === null ? "-" : l.map((v) => v.toFixed(2)).join(", "));
  const out: string[] = [
    `# zkts and ZooKeeper 3.8 on one machine, ${run.startedAt}`,
    "",
    "Every figure comes from one run on a shared machine: compare ratios within this report rather",
    "than across reports, and read them against the load average.",
    "",
    ...table(
      ["fact", "value"],
      [
        ["CPU", `${m.cpuModel} x ${m.cpuCount}`],
        ["RAM", `${m.ramGiB.toFixed(1)} GiB`],
        ["Node", m.node],
        ["Java", m.java],
        ["ZooKeeper", m.zookeeper],
        ["git commit", m.gitCommit],
        ["load average at start (1, 5, 15 min)", load(m.loadAverageAtStart)],
        ["load average at end (1, 5, 15 min)", load(m.loadAverageAtEnd)],
        ["started, finished", `${run.startedAt}, ${run.finishedAt}`],
        ["command", `\`${run.command}\``],
      ],
    ),
    "",
    "## Summary",
    "",
    "Throughput in operations per second (higher is better); failover and restart in the units",
    "of their row (lower is better). p50 / p99 are from the HDR histograms, in ms.",
    "",
    ...table(["measure", "ZooKeeper 3.8", "zkts", "zkts/ZooKeeper", "ZooKeeper p50 / p99 (ms)", "zkts p50 / p99 (ms)"], summaryRows(run)),
    "",
  ];
  for (const chart of run.charts) out.push(`![${chart.caption}](${chart.file})`, "");
  if (run.sweep !== undefined) {
    const p = run.sweep.parameters;
    out.push(
      "## Standalone, by read percentage",
      "",
      `${p.clients} sessions x ${p.outstanding} in flight, ${p.dataSize} B, ${p.durationMs / 1000} s a point, ZooKeeper then zkts at each point. Latency p50 / p99 per operation, ms; the slowest and fastest second of each run, ops/s.`,
      "",
      ...table(
        ["reads", "ZooKeeper getData", "ZooKeeper setData", "zkts getData", "zkts setData", "ZooKeeper per second", "zkts per second"],
        run.sweep.points.map((point) => [
          `${point.readPercent} %`,
          p50p99(point.reference.byOperation.getData),
          p50p99(point.reference.byOperation.setData),
          p50p99(point.zkts.byOperation.getData),
          p50p99(point.zkts.byOperation.setData),
          perSecondRange(point.reference),
          perSecondRange(point.zkts),
        ]),
      ),
      "",
    );
  }
  if (run.reads !== undefined) {
    out.push(
      "## Linearizable reads (zkts only)",
      "",
      `getData through one follower of a 3-member zkts ensemble, ${run.reads.parameters.durationMs / 1000} s each.`,
      "",
      ...table(
        ["shape", "plain ops/s", "linearizable ops/s", "linearizable/plain", "plain p50 / p99 (ms)", "linearizable p50 / p99 (ms)"],
        run.reads.shapes.map((s) => [
          s.shape,
          opsPerSecond(s.plain),
          opsPerSecond(s.linearizable),
          ratio(s.ratio),
          p50p99(s.plain.latencyMs),
          p50p99(s.linearizable.latencyMs),
        ]),
      ),
      "",
    );
  }
  if (run.failover !== undefined) {
    const f = run.failover;
    const rounds = (figures: number[]) => figures.map((v) => v.toFixed(0)).join(", ");
    out.push(
      "## Failover",
      "",
      `Leader SIGKILL to the next acknowledged write, 3 members, tickTime ${f.parameters.tickTime} ms, ${f.parameters.rounds} round(s) each, ms:`,
      "",
      `- ZooKeeper 3.8: ${rounds(f.reference.roundsMs)}`,
      `- zkts: ${rounds(f.zkts.roundsMs)}`,
      "",
    );
  }
  if (run.restart !== undefined)
    out.push(
      "## Restart",
      "",
      run.restart.heading,
      "",
      ...table(
        ["measure", "ZooKeeper 3.8", "zkts", "zkts/ZooKeeper"],
        run.restart.rows.map((r) => [r.label, r.reference, r.zkts, r.ratio]),
      ),
      "",
    );
  if (run.freshStart !== undefined) {
    const f = run.freshStart;
    out.push(
      "## Fresh start",
      "",
      `A fresh 3-member ensemble, all members launched at once on empty data directories, to every member serving, tickTime ${f.parameters.tickTime} ms, ${f.parameters.rounds} start(s) each, ms:`,
      "",
      `- ZooKeeper 3.8: ${wholeMs(f.reference.startsMs)}`,
      `- zkts: ${wholeMs(f.zkts.startsMs)}`,
      "",
    );
  }
  if (run.snapCatchup !== undefined) {
    const c = run.snapCatchup;
    out.push(
      "## SNAP catch-up",
      "",
      `A follower that lost its data started again in a 3-member ensemble holding ${c.parameters.znodes} znodes of 100 B: start to serving, the whole tree sent as a snapshot, ${c.parameters.rounds} round(s) each, ms:`,
      "",
      `- ZooKeeper 3.8: ${wholeMs(c.reference.roundsMs)}`,
      `- zkts: ${wholeMs(c.zkts.roundsMs)}`,
      "",
    );
  }
  if (run.failures.length > 0) {
    out.push("## Parts that did not finish", "", ...run.failures.map((f) => `- ${f.part}: ${f.message}`), "");
  }
  return `${out.join("\n")}\n`;
}

function summaryRows(run: BenchAllRun): string[][] {
  const rows: string[][] = [];
  const loadRow = (measure: string, r: LoadReport, z: LoadReport, zOverR: number) => [
    measure,
    opsPerSecond(r),
    opsPerSecond(z),
    ratio(zOverR),
    p50p99(r.latencyMs),
    p50p99(z.latencyMs),
  ];
  for (const point of run.sweep?.points ?? []) {
    rows.push(loadRow(`standalone, ${point.readPercent} % reads (ops/s)`, point.reference, point.zkts, point.ratio));
  }
  const ensembleRounds = run.ensemble?.parameters.rounds ?? 1;
  const ofRounds = ensembleRounds > 1 ? `, median of ${ensembleRounds} rounds` : "";
  for (const l of run.ensemble?.loads ?? []) rows.push(loadRow(`3-member ensemble, ${l.load}${ofRounds} (ops/s)`, l.reference, l.zkts, l.ratio));
  if (run.failover !== undefined) {
    const r = run.failover.reference.latencyMs;
    const z = run.failover.zkts.latencyMs;
    rows.push([`failover: leader SIGKILL to next write, median of ${r.count} (ms)`, ms(r.p50), ms(z.p50), ratio(z.p50 / r.p50), p50p99(r), p50p99(z)]);
  }
  if (run.freshStart !== undefined) {
    const [r, z] = [median(run.freshStart.reference.startsMs), median(run.freshStart.zkts.startsMs)];
    rows.push([`fresh 3-member start to every member serving, median of ${run.freshStart.parameters.rounds} (ms)`, ms(r), ms(z), ratio(z / r), "-", "-"]);
  }
  if (run.snapCatchup !== undefined) {
    const c = run.snapCatchup;
    const [r, z] = [median(c.reference.roundsMs), median(c.zkts.roundsMs)];
    rows.push([`SNAP catch-up of ${c.parameters.znodes} znodes, median of ${c.parameters.rounds} (ms)`, ms(r), ms(z), ratio(z / r), "-", "-"]);
  }
  for (const r of run.restart?.rows ?? []) rows.push([`restart: ${r.label}`, r.reference, r.zkts, r.ratio, "-", "-"]);
  return rows;
}
