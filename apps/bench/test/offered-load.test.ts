/**
 * The offered-load mode (`zkts-bench --rate`, the ensemble comparison's fixed-rate row): a
 * schedule of due times, requests sent on it whatever the replies, latency counted from when
 * each was due. Checks the schedule and the counting, not the speed.
 */
import { afterAll, describe, expect, it } from "vitest";
import { type RunningServer, startZkts } from "@zkts/testkit";
import { OfferedSchedule, runLoad } from "../src/load.js";

const MS = 1_000_000n;

describe("an offered load's schedule", () => {
  it("hands out due times evenly spaced from the start, none before it is due, none at or past the deadline", () => {
    const schedule = new OfferedSchedule(1000, 0n, 10n * MS);
    expect(schedule.next(0n)).toBe(0n);
    expect(schedule.next(0n)).toBeNull();
    // Late: everything due by now comes out oldest first, each with its own due time.
    expect([schedule.next(3n * MS), schedule.next(3n * MS), schedule.next(3n * MS), schedule.next(3n * MS)]).toEqual([1n * MS, 2n * MS, 3n * MS, null]);
    expect(schedule.finished(20n * MS)).toBe(false);
    const rest: bigint[] = [];
    for (let due = schedule.next(20n * MS); due !== null; due = schedule.next(20n * MS)) rest.push(due);
    expect(rest).toEqual([4n, 5n, 6n, 7n, 8n, 9n].map((n) => n * MS));
    expect(schedule.issued).toBe(10);
    expect(schedule.finished(9n * MS)).toBe(false);
    expect(schedule.finished(10n * MS)).toBe(true);
  });

  it("refuses a rate that is not positive", () => {
    expect(() => new OfferedSchedule(0, 0n, MS)).toThrow(RangeError);
  });
});

let server: RunningServer | undefined;
afterAll(async () => {
  await server?.cleanup();
});

it("sends what the schedule offers, every request answered, within the in-flight cap", async () => {
  server = await startZkts();
  const rate = 400;
  const durationMs = 2500;
  const result = await runLoad({
    host: server.host,
    port: server.port,
    clients: 2,
    outstanding: 16,
    durationMs,
    dataSize: 100,
    readRatio: 0.5,
    seed: 11,
    progress: null,
    ratePerSecond: rate,
  });
  expect(result.errors).toBe(0);
  // Each of the two clients offers 200 a second for 2.5 s: exactly 500 due times each.
  expect(result.operations).toBe((rate * durationMs) / 1000);
  expect(result.reads + result.writes).toBe(result.operations);
  expect(result.latencyMs.count).toBe(result.operations);
}, 60_000);
