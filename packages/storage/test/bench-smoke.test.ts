import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { withTempDir } from "./support/fixtures.js";

/**
 * The storage benchmarks (npm run bench:append, bench:snapshot) compiled and run at their
 * smallest, as CI keeps every benchmark working. They check that each prints its figures, not
 * what the figures are.
 */
const packageDir = fileURLToPath(new URL("..", import.meta.url));
const run = promisify(execFile);
const tsc = fileURLToPath(new URL("../../../node_modules/typescript/bin/tsc", import.meta.url));

async function bench(script: string, args: string[]): Promise<string> {
  const { stdout } = await run(process.execPath, [`dist-bench/${script}.js`, ...args], { cwd: packageDir, timeout: 60_000 });
  return stdout;
}

describe("storage benchmarks, smoke runs", () => {
  it("compile, then bench:append prints a line per batch size and bench:snapshot its stalls", async () => {
    await run(process.execPath, [tsc, "-p", "tsconfig.bench.json"], { cwd: packageDir, timeout: 60_000 });
    await withTempDir(async (dir) => {
      const appended = await bench("append-throughput", ["0.2", dir]);
      const lines = appended.split("\n").filter((line) => line.startsWith("batch="));
      expect(lines.map((line) => Number(/^batch=\s*(\d+)/.exec(line)![1]))).toEqual([1, 8, 64, 256]);
      for (const line of lines) expect(Number(/txns\/s=\s*(\d+)/.exec(line)![1]), line).toBeGreaterThan(0);

      const snapshot = await bench("snapshot-stall", ["2000", dir]);
      expect(snapshot).toMatch(/write: 2000 nodes/);
      expect(snapshot).toMatch(/iterate 2000 nodes/);
      expect(snapshot).toMatch(/longest event-loop stall while reading: [\d.]+ ms/);
    });
  }, 90_000);
});
