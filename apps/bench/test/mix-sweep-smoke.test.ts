import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { runScriptJson } from "./run-script.js";

/**
 * The read-percentage sweep (the first part of npm run bench:all) at a second a point on
 * both standalone servers, as CI keeps every benchmark working: eleven points from 0 to 100 %
 * reads, each measured on both, and the chart written. It checks the measuring, not the figures.
 */
const dirs: string[] = [];
afterAll(async () => {
  for (const dir of dirs) await rm(dir, { recursive: true, force: true });
});

interface Measured {
  operations: number;
  reads: number;
  errors: number;
}

describe("read-percentage sweep, a smoke run", () => {
  it("measures every read percentage on both servers and draws the chart", async () => {
    const dir = await mkdtemp(join(tmpdir(), "zkts-sweep-smoke-"));
    dirs.push(dir);
    const svg = join(dir, "sweep.svg");
    const result = await runScriptJson<{ script: string; points: { readPercent: number; reference: Measured; zkts: Measured }[] }>(
      "mix-sweep",
      ["--seconds", "1", "--warmup-seconds", "0", "--svg", svg],
      120_000,
    );
    expect(result.script).toBe("mix-sweep");
    expect(result.points.map((p) => p.readPercent)).toEqual([0, 10, 20, 30, 40, 50, 60, 70, 80, 90, 100]);
    for (const point of result.points) {
      for (const run of [point.reference, point.zkts]) {
        expect(run.operations, `${point.readPercent} %: operations`).toBeGreaterThan(0);
        expect(run.errors, `${point.readPercent} %: errors`).toBe(0);
      }
    }
    expect(result.points[0]!.zkts.reads).toBe(0);
    expect(result.points[10]!.zkts.reads).toBe(result.points[10]!.zkts.operations);
    const chart = await readFile(svg, "utf8");
    expect(chart).toContain("<svg");
    expect(chart).toContain("Throughput vs read percentage");
  }, 130_000);
});
