import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { RunOptions } from "../src/run/run-options.js";
import { labSeed as seed, shortRun } from "./run-support.js";

// The same run on the other two drivers: containers (both targets) and the simulation.
const run = (overrides: Partial<RunOptions>) => shortRun({ driver: "containers", ...overrides });

// At least some progress through the faults: a loaded machine slows containers a lot.
describe(`one run per driver and target (seed ${seed})`, () => {
  it("containers, zkts: partitions and kills through the Toxiproxy container; valid", async () => {
    const result = await run({});
    expect(result.check.problems).toEqual([]);
    expect(result.verdict).toBe("valid");
    expect(result.crashes).toEqual([]);
    expect(result.schedule.some((s) => s.action.do === "partition")).toBe(true);
    expect(result.operations.ok).toBeGreaterThan(30);
  });

  it("containers, ZooKeeper 3.8 with plain reads: valid", async () => {
    const result = await run({ target: "zookeeper", reads: "plain" });
    expect(result.check.problems).toEqual([]);
    expect(result.verdict).toBe("valid");
    expect(result.crashes).toEqual([]);
    expect(result.operations.ok).toBeGreaterThan(30);
  });

  it("simulated: a real run's schedule replays deterministically; what has no counterpart is reported, not ignored", async () => {
    const schedule = [
      {
        atMs: 500,
        action: {
          do: "partition" as const,
          shape: "one-way",
          grudge: [
            [1, 2],
            [1, 3],
          ] as [number, number][],
        },
      },
      { atMs: 1500, action: { do: "heal-links" as const } },
      { atMs: 1800, action: { do: "kill" as const, members: [2] } },
      { atMs: 2500, action: { do: "start" as const, members: [2] } },
      { atMs: 2800, action: { do: "links" as const, shape: "one", members: [3], toxic: { type: "bandwidth" as const, rateKBps: 8 } } },
      { atMs: 3200, action: { do: "heal-links" as const } },
    ];
    const a = await run({ driver: "simulated", timeMs: 4000, schedule, leaderAtStart: 1 });
    const b = await run({ driver: "simulated", timeMs: 4000, schedule, leaderAtStart: 1 });
    expect(a.verdict).toBe("valid");
    expect(a.check.figures.partitions).toBe(1);
    expect(a.check.figures.crashes).toBe(1);
    expect(a.check.figures.unmappedActions).toBe(1);
    expect(readFileSync(join(a.out, "history.jsonl"), "utf8")).toBe(readFileSync(join(b.out, "history.jsonl"), "utf8"));
  });

  it("simulated: the deterministic simulation, the same verdict and history twice from one seed", async () => {
    const a = await run({ driver: "simulated", timeMs: 4000 });
    const b = await run({ driver: "simulated", timeMs: 4000 });
    expect(a.verdict).toBe("valid");
    expect(readFileSync(join(a.out, "history.jsonl"), "utf8")).toBe(readFileSync(join(b.out, "history.jsonl"), "utf8"));
  });
});
