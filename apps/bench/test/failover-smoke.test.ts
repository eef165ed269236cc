import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";

/**
 * One round of the failover benchmark (npm run bench:failover) on both servers, as CI keeps every
 * benchmark working: each ensemble's leader is killed once and the time to the next acknowledged
 * write recorded. It checks the measuring, not which server is faster.
 */
const script = fileURLToPath(new URL("../dist/failover.js", import.meta.url));

describe("failover benchmark, one round", () => {
  it("times a leader SIGKILL to the next acknowledged write on both ensembles", async () => {
    const { stdout } = await promisify(execFile)(process.execPath, [script, "--rounds", "1", "--json", "--quiet"], { timeout: 120_000 });
    const result = JSON.parse(stdout) as { script: string; reference: { roundsMs: number[] }; zkts: { roundsMs: number[] } };
    expect(result.script).toBe("failover");
    for (const server of [result.reference, result.zkts]) {
      expect(server.roundsMs).toHaveLength(1);
      expect(server.roundsMs[0]).toBeGreaterThan(0);
      expect(server.roundsMs[0]).toBeLessThan(120_000);
    }
  }, 130_000);
});
