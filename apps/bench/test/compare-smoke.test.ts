import { describe, expect, it } from "vitest";
import { runScriptJson } from "./run-script.js";

/**
 * A smoke run of the standalone comparison (npm run bench), a second a load on both servers,
 * as CI keeps the benchmarks working. It checks the measuring, not which server is faster.
 */

interface Measured {
  operations: number;
  errors: number;
}

describe("standalone comparison, a smoke run", () => {
  it("npm run bench: every standalone load on both servers, each answered without errors", async () => {
    const result = await runScriptJson<{ script: string; loads: { load: string; reference: Measured; zkts: Measured; ratio: number }[] }>(
      "compare",
      ["--seconds", "1"],
      120_000,
    );
    expect(result.script).toBe("compare");
    expect(result.loads.map((l) => l.load)).toEqual(["getData 1 KB", "50/50 get/set 1 KB", "setData 1 KB", "setData 1 KB, one at a time"]);
    for (const load of result.loads) {
      for (const measured of [load.reference, load.zkts]) {
        expect(measured.operations, `${load.load}: operations`).toBeGreaterThan(0);
        expect(measured.errors, `${load.load}: errors`).toBe(0);
      }
      expect(load.ratio).toBeCloseTo(load.zkts.operationsPerSecond / load.reference.operationsPerSecond, 9);
    }
  }, 130_000);
});
