import { describe, expect, it } from "vitest";
import { runScriptJson } from "./run-script.js";

/**
 * One round of the failover benchmark (npm run bench:failover) on both servers, as CI keeps every
 * benchmark working: each ensemble's leader is killed once and the time to the next acknowledged
 * write recorded. It checks the measuring, not which server is faster.
 */

describe("failover benchmark, one round", () => {
  it("times a leader SIGKILL to the next acknowledged write on both ensembles", async () => {
    const result = await runScriptJson<{ script: string; reference: { roundsMs: number[] }; zkts: { roundsMs: number[] } }>(
      "failover",
      ["--rounds", "1"],
      120_000,
    );
    expect(result.script).toBe("failover");
    for (const server of [result.reference, result.zkts]) {
      expect(server.roundsMs).toHaveLength(1);
      expect(server.roundsMs[0]).toBeGreaterThan(0);
      expect(server.roundsMs[0]).toBeLessThan(120_000);
    }
  }, 130_000);
});
