import { describe, expect, it } from "vitest";
import { runScriptJson } from "./run-script.js";

/**
 * One SNAP catch-up of a small tree (npm run bench:snap) on both servers, as CI keeps every
 * benchmark working: a follower that fell behind is restarted and timed until it serves the
 * leader's tree. It checks the measuring, not which server is faster.
 */

describe("SNAP catch-up benchmark, one round", () => {
  it("times a follower catching up with 2000 znodes on both ensembles", async () => {
    const result = await runScriptJson<{ script: string; parameters: { znodes: number }; reference: { roundsMs: number[] }; zkts: { roundsMs: number[] } }>(
      "snap-catchup",
      ["--znodes", "2000", "--rounds", "1"],
      120_000,
    );
    expect(result.script).toBe("snap-catchup");
    expect(result.parameters.znodes).toBe(2000);
    for (const server of [result.reference, result.zkts]) {
      expect(server.roundsMs).toHaveLength(1);
      expect(server.roundsMs[0]).toBeGreaterThan(0);
      expect(server.roundsMs[0]).toBeLessThan(120_000);
    }
  }, 130_000);
});
