/**
 * bench:all's report from its parts' results: the Markdown summary with one row per measure, ratios and p50/p99. No servers.
 */
import { describe, expect, it } from "vitest";
import type { LatencySummary } from "../src/histogram.js";
import type { LoadReport } from "../src/load.js";
import { type BenchAllRun, type RestartTable, benchAllMarkdown } from "../src/report-markdown.js";

const RESTART_TABLE: RestartTable = {
  heading: "2000 znodes of 100 B (1000 per parent), 1 restart(s) each; ZooKeeper -Xmx2g -XX:TieredStopAtLevel=4",
  rows: [
    { label: "fill rate (znodes/s)", reference: "2157", zkts: "2918", ratio: "1.35" },
    { label: "restart to serving (s), SIGKILL, median", reference: "0.90 (0.9/1.0)", zkts: "1.89 (1.8/2.0)", ratio: "2.11" },
  ],
};

const MACHINE: BenchAllRun["machine"] = {
  cpuModel: "Test CPU",
  cpuCount: 2,
  ramGiB: 8,
  node: "v20.0.0",
  java: "openjdk 17",
  zookeeper: "3.8.0",
  gitCommit: "abc123",
  loadAverageAtStart: [1, 2, 3],
  loadAverageAtEnd: [1.5, 2, 3],
};

function latency(p50: number, p99: number, count = 100): LatencySummary {
  return { count, meanMs: p50, p50, p90: p99, p99, p999: p99, max: p99 };
}

function report(operationsPerSecond: number, p50: number, p99: number): LoadReport {
  return {
    parameters: { server: "127.0.0.1:2181", clients: 8, outstanding: 32, durationMs: 3000, dataSize: 1024, readRatio: 0.5, seed: 42 },
    seed: 42,
    operationsPerSecond,
    operations: 100,
    reads: 50,
    writes: 50,
    errors: 0,
    elapsedMs: 3000,
    latencyMs: latency(p50, p99),
    byOperation: { getData: latency(p50, p99, 50), setData: latency(p50, p99, 50) },
    throughputPerSecond: [30, 30, 30, 10],
  };
}

describe("bench:all report", () => {
  it("writes the machine's facts and one summary row per measure", () => {
    const run: BenchAllRun = {
      startedAt: "2026-01-01T00:00:00.000Z",
      finishedAt: "2026-01-01T00:10:00.000Z",
      command: "zkts-bench all",
      machine: MACHINE,
      sweep: {
        parameters: { durationMs: 3000, clients: 8, outstanding: 32, dataSize: 1024 },
        points: [{ readPercent: 50, reference: report(10_000, 5, 20), zkts: report(15_000, 4, 10), ratio: 1.5 }],
      },
      failover: {
        parameters: { rounds: 2, tickTime: 2000 },
        reference: { roundsMs: [500, 700], latencyMs: latency(500, 700, 2) },
        zkts: { roundsMs: [250, 300], latencyMs: latency(250, 300, 2) },
      },
      restart: RESTART_TABLE,
      freshStart: {
        parameters: { rounds: 3, tickTime: 2000 },
        reference: { startsMs: [1700, 1600, 1650], latencyMs: latency(1650, 1700, 3) },
        zkts: { startsMs: [1300, 1250, 1400], latencyMs: latency(1300, 1400, 3) },
      },
      snapCatchup: { parameters: { znodes: 20000, rounds: 1 }, reference: { roundsMs: [900] }, zkts: { roundsMs: [800] } },
      failures: [{ part: "ensemble", message: "ensemble-compare exited with 1" }],
      charts: [{ file: "throughput-vs-reads.svg", caption: "chart" }],
    };
    const markdown = benchAllMarkdown(run);
    expect(markdown).toContain("| CPU | Test CPU x 2 |");
    expect(markdown).toContain("| load average at end (1, 5, 15 min) | 1.50, 2.00, 3.00 |");
    expect(markdown).toContain("| standalone, 50 % reads (ops/s) | 10000 | 15000 | 1.50 | 5.00 / 20.0 | 4.00 / 10.0 |");
    expect(markdown).toContain("| failover: leader SIGKILL to next write, median of 2 (ms) | 500 | 250 | 0.50 |");
    expect(markdown).toContain("| fresh 3-member start to every member serving, median of 3 (ms) | 1650 | 1300 | 0.79 | - | - |");
    expect(markdown).toContain("| SNAP catch-up of 20000 znodes, median of 1 (ms) | 900 | 800 | 0.89 | - | - |");
    expect(markdown).toContain("- zkts: 1300, 1250, 1400");
    expect(markdown).toContain("| restart: fill rate (znodes/s) | 2157 | 2918 | 1.35 | - | - |");
    expect(markdown).toContain("| 50 % | 5.00 / 20.0 | 5.00 / 20.0 | 4.00 / 10.0 | 4.00 / 10.0 | 30-30 | 30-30 |");
    expect(markdown).toContain("![chart](throughput-vs-reads.svg)");
    expect(markdown).toContain("- ensemble: ensemble-compare exited with 1");
  });

  it("names the ensemble's rounds when its ratios are medians of several", () => {
    const run = (rounds?: number): BenchAllRun => ({
      startedAt: "2026-01-01T00:00:00.000Z",
      finishedAt: "2026-01-01T00:10:00.000Z",
      command: "zkts-bench all",
      machine: MACHINE,
      ensemble: {
        parameters: { durationMs: 3000, voters: 3, ...(rounds === undefined ? {} : { rounds }) },
        loads: [{ load: "setData 1 KB through a follower", reference: report(10_000, 20, 50), zkts: report(16_000, 12, 30), ratio: 1.55 }],
      },
      failures: [],
      charts: [],
    });
    expect(benchAllMarkdown(run(3))).toContain("| 3-member ensemble, setData 1 KB through a follower, median of 3 rounds (ops/s) | 10000 | 16000 | 1.55 |");
    expect(benchAllMarkdown(run())).toContain("| 3-member ensemble, setData 1 KB through a follower (ops/s) | 10000 | 16000 | 1.55 |");
  });
});
