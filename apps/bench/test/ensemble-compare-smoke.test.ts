import { describe, expect, it } from "vitest";
import { runScriptJson } from "./run-script.js";

/**
 * A second of each load of the ensemble comparison (npm run bench:ensemble) on
 * both servers, two rounds, as CI keeps every benchmark working: through a follower and through
 * the leader, closed loops and the offered load. It checks the measuring, not which server is
 * faster.
 */

interface Measured {
  operations: number;
  operationsPerSecond: number;
  errors: number;
  parameters: { server: string; ratePerSecond?: number };
}

interface Pair {
  reference: Measured;
  zkts: Measured;
  ratio: number;
  p99Ratio: number;
}

describe("ensemble comparison, a smoke run", () => {
  it("runs every load through a follower and through the leader of both ensembles", async () => {
    const result = await runScriptJson<{ script: string; loads: (Pair & { load: string; rounds: Pair[] })[] }>(
      "ensemble-compare",
      ["--seconds", "1", "--rounds", "2"],
      300_000,
    );
    expect(result.script).toBe("ensemble-compare");
    expect(result.loads.map((l) => l.load)).toEqual([
      "setData 1 KB through a follower",
      "setData 1 KB through the leader",
      "getData 1 KB through a follower",
      "getData 1 KB through the leader",
      "50/50 get/set 1 KB through a follower",
      "setData 1 KB through a follower, one at a time",
      "setData 1 KB through a follower at 4000 ops/s offered",
    ]);
    for (const load of result.loads) {
      for (const run of [load.reference, load.zkts]) {
        expect(run.operations, `${load.load}: operations`).toBeGreaterThan(0);
        expect(run.errors, `${load.load}: errors`).toBe(0);
      }
      expect(Number.isFinite(load.ratio)).toBe(true);
      // Each round measured both; the figures shown are a round's, the ratios the rounds' medians.
      expect(load.rounds).toHaveLength(2);
      for (const pair of load.rounds) expect(pair.ratio).toBeCloseTo(pair.zkts.operationsPerSecond / pair.reference.operationsPerSecond, 9);
      expect(load.ratio).toBe(Math.min(...load.rounds.map((p) => p.ratio)));
      expect(load.p99Ratio).toBe(Math.min(...load.rounds.map((p) => p.p99Ratio)));
      expect(load.rounds).toContainEqual(expect.objectContaining({ reference: load.reference, zkts: load.zkts }));
    }
    // Through the leader means another member than through a follower, on each ensemble.
    const follower = result.loads[0]!;
    const leader = result.loads[1]!;
    expect(leader.zkts.parameters.server).not.toBe(follower.zkts.parameters.server);
    expect(leader.reference.parameters.server).not.toBe(follower.reference.parameters.server);
    // The offered load sends what its schedule offers: 4000 a second for 1 s.
    const offered = result.loads.find((l) => l.load.endsWith("ops/s offered"))!;
    expect(offered.zkts.parameters.ratePerSecond).toBe(4000);
    expect(offered.zkts.operations).toBe(4000);
    expect(offered.reference.operations).toBe(4000);
  }, 310_000);
});
