import { describe, expect, it } from "vitest";
import { runScriptJson } from "./run-script.js";

/**
 * A second of each shape of the linearizable-reads benchmark (npm run bench:reads) on a zkts
 * ensemble, as CI keeps every benchmark working: plain and linearizable reads both measured,
 * without errors, and their ratio reported. It checks the measuring, not the ratio's value.
 */

interface Measured {
  operations: number;
  reads: number;
  errors: number;
}

describe("linearizable-reads benchmark, a smoke run", () => {
  it("measures plain and linearizable reads in each shape", async () => {
    const result = await runScriptJson<{ script: string; shapes: { shape: string; plain: Measured; linearizable: Measured; ratio: number }[] }>(
      "linearizable-reads",
      ["--seconds", "1"],
      120_000,
    );
    expect(result.script).toBe("linearizable-reads");
    expect(result.shapes.map((s) => s.shape)).toEqual(["getData 1 KB, 8 clients x 32 in flight", "getData 1 KB, 8 clients x 1 in flight"]);
    for (const shape of result.shapes) {
      for (const run of [shape.plain, shape.linearizable]) {
        expect(run.operations, `${shape.shape}: operations`).toBeGreaterThan(0);
        expect(run.reads, `${shape.shape}: every operation a read`).toBe(run.operations);
        expect(run.errors, `${shape.shape}: errors`).toBe(0);
      }
      expect(shape.ratio).toBeCloseTo(shape.linearizable.operationsPerSecond / shape.plain.operationsPerSecond, 9);
    }
  }, 130_000);
});
