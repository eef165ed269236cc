/**
 * The load generator's HDR histograms and --json document on a short mixed run against a real
 * zkts server: the percentiles are ordered, each operation's histogram counts exactly the
 * replies of that operation, and the per-second buckets add up to every reply. It checks the
 * bookkeeping, not the speed.
 */
import { afterAll, expect, it } from "vitest";
import { type RunningServer, startZkts } from "@zkts/testkit";
import type { LatencySummary } from "../src/histogram.js";
import { loadReport, runLoad, type LoadOptions } from "../src/load.js";

let server: RunningServer | undefined;
afterAll(async () => {
  await server?.cleanup();
});

function expectOrdered(s: LatencySummary): void {
  expect(s.p50).toBeGreaterThan(0);
  expect(s.p50).toBeLessThanOrEqual(s.p90);
  expect(s.p90).toBeLessThanOrEqual(s.p99);
  expect(s.p99).toBeLessThanOrEqual(s.p999);
  expect(s.p999).toBeLessThanOrEqual(s.max);
  expect(s.meanMs).toBeLessThanOrEqual(s.max);
}

it("reports per-operation percentiles and per-second throughput that agree with the counts", async () => {
  server = await startZkts();
  const options: LoadOptions = {
    host: server.host,
    port: server.port,
    clients: 2,
    outstanding: 4,
    durationMs: 1500,
    dataSize: 100,
    readRatio: 0.7,
    seed: 11,
    progress: null,
  };
  const result = await runLoad(options);
  // Through JSON, as `zkts-bench --json` prints it.
  const report = JSON.parse(JSON.stringify(loadReport(options, result))) as ReturnType<typeof loadReport>;

  expect(report.errors).toBe(0);
  expect(report.seed).toBe(11);
  expect(report.parameters).toMatchObject({ clients: 2, outstanding: 4, durationMs: 1500, readRatio: 0.7, seed: 11 });
  expect(report.operations).toBeGreaterThan(50);
  expect(report.latencyMs.count).toBe(report.operations);
  expect(report.byOperation.getData.count).toBe(report.reads);
  expect(report.byOperation.setData.count).toBe(report.writes);
  expect(report.reads + report.writes).toBe(report.operations);
  expectOrdered(report.latencyMs);
  expectOrdered(report.byOperation.getData);
  expectOrdered(report.byOperation.setData);

  // Two whole seconds at most (1.5 s and the drain), every reply in one of them.
  expect(report.throughputPerSecond.length).toBeGreaterThanOrEqual(2);
  expect(report.throughputPerSecond.reduce((a, b) => a + b, 0)).toBe(report.operations);
  expect(report.operationsPerSecond).toBeCloseTo((report.operations / report.elapsedMs) * 1000, 6);
}, 30_000);
