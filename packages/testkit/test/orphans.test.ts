import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { rm } from "node:fs/promises";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

// A test process that dies must not leave servers behind on a shared machine. This runs the
// built harness in a separate node process, so it needs `npm run build` (done by `npm test`).
const dist = fileURLToPath(new URL("../dist/index.js", import.meta.url));

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe("servers do not outlive the test process", () => {
  for (const signal of ["SIGTERM", "SIGINT"] as const) {
    it(`kills the reference server when the test process gets ${signal}`, async () => {
      expect(existsSync(dist), `${dist} (build @zkts/testkit first)`).toBe(true);
      const script = `
        const { startReferenceZooKeeper } = await import(${JSON.stringify(dist)});
        const zk = await startReferenceZooKeeper();
        console.log(JSON.stringify({ pid: zk.pid, dataDir: zk.dataDir }));
        setInterval(() => {}, 1000);
      `;
      const child = spawn(process.execPath, ["--input-type=module", "-e", script], { stdio: ["ignore", "pipe", "inherit"] });
      const line = await new Promise<string>((resolve, reject) => {
        let out = "";
        child.stdout.on("data", (chunk: Buffer) => {
          out += chunk.toString();
          if (out.includes("\n")) resolve(out.trim());
        });
        child.once("exit", (code) => reject(new Error(`harness process exited early with ${code}`)));
      });
      const { pid, dataDir } = JSON.parse(line) as { pid: number; dataDir: string };
      try {
        expect(alive(pid)).toBe(true);
        const exited = new Promise((resolve) => child.once("exit", resolve));
        child.kill(signal);
        await exited;
        // SIGKILL is delivered at once, but reaping can lag a little; poll a bounded number of times.
        for (let i = 0; i < 50 && alive(pid); i++) await sleep(100);
        expect(alive(pid)).toBe(false);
      } finally {
        // If the harness failed, do not leave its server behind either.
        if (alive(pid)) process.kill(pid, "SIGKILL");
        child.kill("SIGKILL");
        await rm(dataDir, { recursive: true, force: true });
      }
    });
  }
});
