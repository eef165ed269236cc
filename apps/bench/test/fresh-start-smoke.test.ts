import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";

/**
 * One round of the fresh-start benchmark (npm run bench:start) on both servers, as CI keeps every
 * benchmark working: its JSON holds one start per server with a time in range. It checks the
 * measuring, not which server is faster.
 */
const script = fileURLToPath(new URL("../dist/fresh-start.js", import.meta.url));

describe("fresh-start benchmark, one round", () => {
  it("times a fresh reference ensemble and a fresh zkts one to every member serving", async () => {
    const { stdout } = await promisify(execFile)(process.execPath, [script, "--rounds", "1", "--json", "--quiet"], { timeout: 240_000 });
    const result = JSON.parse(stdout) as { script: string; reference: { startsMs: number[] }; zkts: { startsMs: number[] } };
    expect(result.script).toBe("fresh-start");
    for (const server of [result.reference, result.zkts]) {
      expect(server.startsMs).toHaveLength(1);
      expect(server.startsMs[0]).toBeGreaterThan(0);
      expect(server.startsMs[0]).toBeLessThan(240_000);
    }
  }, 250_000);
});
