/**
 * A few seconds of the load generator every comparison uses (zkts-bench, bench, bench:ensemble,
 * bench:reads) against a real zkts server: it keeps its requests in flight, counts what it
 * sent and what came back, and reports progress while it runs. It checks the measuring, not
 * the speed.
 */
import { afterAll, expect, it } from "vitest";
import { type RunningServer, startZkts } from "@zkts/testkit";
import { runLoad } from "../src/load.js";

let server: RunningServer | undefined;
afterAll(async () => {
  await server?.cleanup();
});

it("runs a mixed load for its duration, every request answered, with progress lines on the way", async () => {
  server = await startZkts();
  const progress: string[] = [];
  const seed = 7;
  const result = await runLoad({
    host: server.host,
    port: server.port,
    clients: 2,
    outstanding: 8,
    durationMs: 4500,
    dataSize: 100,
    readRatio: 0.5,
    seed,
    progress: (line) => progress.push(line),
  });
  expect(result.errors).toBe(0);
  expect(result.operations).toBeGreaterThan(100);
  // Every issued request was answered before the run ended.
  expect(result.reads + result.writes).toBe(result.operations);
  expect(result.reads).toBeGreaterThan(0);
  expect(result.writes).toBeGreaterThan(0);
  expect(result.elapsedMs).toBeGreaterThanOrEqual(4500);
  expect(progress.length).toBeGreaterThanOrEqual(2);
  // One line a second.
  expect(progress.length).toBeGreaterThanOrEqual(4);
  expect(progress[0]).toMatch(/^zkts-bench: \d+\.\d s of 4\.5 s, \d+ ops, \d+ ops\/s in the last 1 s$/);
}, 60_000);
