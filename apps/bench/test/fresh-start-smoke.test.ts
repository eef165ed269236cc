import { describe, expect, it } from "vitest";
import { runScriptJson } from "./run-script.js";

/**
 * One round of the fresh-start benchmark (npm run bench:start) on both servers, as CI keeps every
 * benchmark working: its JSON holds one start per server with a time in range. It checks the
 * measuring, not which server is faster.
 */

describe("fresh-start benchmark, one round", () => {
  it("times a fresh reference ensemble and a fresh zkts one to every member serving", async () => {
    const result = await runScriptJson<{ script: string; reference: { startsMs: number[] }; zkts: { startsMs: number[] } }>(
      "fresh-start",
      ["--rounds", "1"],
      240_000,
    );
    expect(result.script).toBe("fresh-start");
    for (const server of [result.reference, result.zkts]) {
      expect(server.startsMs).toHaveLength(1);
      expect(server.startsMs[0]).toBeGreaterThan(0);
      expect(server.startsMs[0]).toBeLessThan(240_000);
    }
  }, 250_000);
});
