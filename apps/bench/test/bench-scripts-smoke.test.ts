import { execFile } from "node:child_process";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { afterAll, describe, expect, it } from "vitest";

/**
 * Smoke runs of the comparisons no other test runs, as CI keeps every benchmark working: the
 * standalone comparison (npm run bench) for a second a load, and bench:all with the parts the
 * other smoke tests leave out (the read-percentage sweep and its chart, linearizable reads,
 * failover, SNAP catch-up), each at its smallest. They check the measuring and the report,
 * not which server is faster.
 */
const dist = (script: string) => fileURLToPath(new URL(`../dist/${script}.js`, import.meta.url));
const run = promisify(execFile);

interface Measured {
  operations: number;
  errors: number;
}

const scratch: string[] = [];
afterAll(async () => {
  for (const dir of scratch) await rm(dir, { recursive: true, force: true });
});

describe("benchmark scripts, smoke runs", () => {
  it("npm run bench: every standalone load on both servers, each answered without errors", async () => {
    const { stdout } = await run(process.execPath, [dist("compare"), "--seconds", "1", "--json", "--quiet"], { timeout: 120_000 });
    const result = JSON.parse(stdout) as { script: string; loads: { load: string; reference: Measured; zkts: Measured; ratio: number }[] };
    expect(result.script).toBe("compare");
    expect(result.loads.map((l) => l.load)).toEqual(["getData 1 KB", "50/50 get/set 1 KB", "setData 1 KB", "setData 1 KB, one at a time"]);
    for (const load of result.loads) {
      for (const measured of [load.reference, load.zkts]) {
        expect(measured.operations, `${load.load}: operations`).toBeGreaterThan(0);
        expect(measured.errors, `${load.load}: errors`).toBe(0);
      }
      expect(load.ratio).toBeCloseTo(load.zkts.operations / load.reference.operations, 1);
    }
  }, 130_000);

  it("bench:all writes one report of the sweep, linearizable reads, failover and SNAP catch-up", async () => {
    const out = await mkdtemp(join(tmpdir(), "zkts-bench-all-"));
    scratch.push(out);
    const args = ["--seconds", "1", "--rounds", "1", "--znodes", "300", "--parts", "sweep,reads,failover,snap", "--out", out, "--json", "--quiet"];
    const { stdout } = await run(process.execPath, [dist("bench-all"), ...args], { timeout: 240_000 });
    const result = JSON.parse(stdout) as {
      failures: unknown[];
      charts: { file: string }[];
      sweep: { points: { readPercent: number; reference: Measured; zkts: Measured }[] };
      reads: { shapes: { shape: string; plain: Measured; linearizable: Measured }[] };
      failover: { reference: { roundsMs: number[] }; zkts: { roundsMs: number[] } };
      snapCatchup: { reference: { roundsMs: number[] }; zkts: { roundsMs: number[] } };
    };
    expect(result.failures).toEqual([]);

    // Eleven points, 0 to 100 % reads, each measured on both servers.
    expect(result.sweep.points.map((p) => p.readPercent)).toEqual([0, 10, 20, 30, 40, 50, 60, 70, 80, 90, 100]);
    for (const point of result.sweep.points) {
      for (const measured of [point.reference, point.zkts]) {
        expect(measured.operations, `${point.readPercent} % reads`).toBeGreaterThan(0);
        expect(measured.errors, `${point.readPercent} % reads`).toBe(0);
      }
    }
    expect(result.reads.shapes.length).toBeGreaterThan(0);
    for (const shape of result.reads.shapes) {
      expect(shape.plain.operations, shape.shape).toBeGreaterThan(0);
      expect(shape.linearizable.operations, shape.shape).toBeGreaterThan(0);
      expect(shape.linearizable.errors, shape.shape).toBe(0);
    }
    for (const timed of [result.failover.reference, result.failover.zkts, result.snapCatchup.reference, result.snapCatchup.zkts]) {
      expect(timed.roundsMs).toHaveLength(1);
      expect(timed.roundsMs[0]).toBeGreaterThan(0);
    }

    // The report, its raw results and the chart are on disk beside each part's output.
    const report = await readFile(join(out, "report.md"), "utf8");
    expect(report).toContain("## Summary");
    expect(report).toMatch(/standalone, 100 % reads/);
    expect(JSON.parse(await readFile(join(out, "results.json"), "utf8"))).toMatchObject({ failures: [] });
    expect(result.charts.map((c) => c.file)).toEqual(["throughput-vs-reads.svg"]);
    expect(await readFile(join(out, "throughput-vs-reads.svg"), "utf8")).toMatch(/^<\?xml[^>]*>\s*<svg[\s\S]*<\/svg>\s*$/);
    for (const part of ["sweep", "reads", "failover", "snap"]) expect((await readFile(join(out, `${part}.out`), "utf8")).length).toBeGreaterThan(0);
  }, 250_000);
});
