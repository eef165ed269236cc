import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CreateRequest, OpCode } from "@zkts/jute";
import { freePort, repoRoot, startZkts } from "@zkts/testkit";
import { describe, expect, it } from "vitest";
import { OPEN_ACL } from "./conformance/recorder.js";
import { RawSession } from "./conformance/raw-session.js";

const MAIN = join(repoRoot, "apps/server/dist/main.js");

interface Run {
  code: number | null;
  stderr: string;
}

/**
 * Starts zkts-server on a fresh zoo.cfg with `extra` keys and `env`, stops it once `until`
 * appears on stderr (or it exits, or 15 s pass), and returns what it wrote.
 */
async function runServer(extra: Record<string, string>, env: Record<string, string>, until: RegExp): Promise<Run> {
  const dir = mkdtempSync(join(tmpdir(), "zkts-logging-"));
  const cfg = join(dir, "zoo.cfg");
  const keys = { tickTime: "2000", dataDir: join(dir, "data"), clientPort: String(await freePort()), "admin.enableServer": "false", ...extra };
  writeFileSync(
    cfg,
    Object.entries(keys)
      .map(([k, v]) => `${k}=${v}\n`)
      .join(""),
  );
  const child = spawn(process.execPath, [MAIN, "--config", cfg], { env: { ...process.env, ZKTS_LOG_LEVEL: "", ...env }, stdio: ["ignore", "ignore", "pipe"] });
  let stderr = "";
  const code = await new Promise<number | null>((resolve) => {
    const timer = setTimeout(() => child.kill("SIGTERM"), 15_000);
    child.stderr.on("data", (chunk: Buffer) => {
      stderr += chunk.toString();
      if (until.test(stderr)) child.kill("SIGTERM");
    });
    child.on("exit", (status) => {
      clearTimeout(timer);
      resolve(status);
    });
  });
  rmSync(dir, { recursive: true, force: true });
  return { code, stderr };
}

describe("log level", () => {
  it("a bad ZKTS_LOG_LEVEL or zkts.logLevel stops the server with a line naming it", async () => {
    const badEnv = await runServer({}, { ZKTS_LOG_LEVEL: "loud" }, /started/);
    expect(badEnv.code).toBe(2);
    expect(badEnv.stderr).toBe('zkts-server: ZKTS_LOG_LEVEL: unknown log level "loud" (debug, info, warn, error)\n');
    const badCfg = await runServer({ "zkts.logLevel": "verbose" }, {}, /started/);
    expect(badCfg.code).toBe(2);
    expect(badCfg.stderr).toContain('zkts.logLevel: unknown log level "verbose"');
  });

  it("zkts.logLevel sets the level and ZKTS_LOG_LEVEL overrides it", async () => {
    // At warn, the start-up info lines are not written; the port still opens (srvr answers).
    const quiet = await runServer({ "zkts.logLevel": "warn" }, {}, /never/);
    expect(quiet.code).toBe(0);
    expect(quiet.stderr).not.toContain("standalone server started");
    const debug = await runServer({ "zkts.logLevel": "warn" }, { ZKTS_LOG_LEVEL: "info" }, /standalone server started/);
    expect(debug.stderr).toContain('"level":"info","message":"zkts standalone server started"');
  }, 40_000);

  it("the zoo.cfg keys are documented in README.md's Configuration table", () => {
    const readme = readFileSync(join(repoRoot, "README.md"), "utf8");
    for (const key of ["zkts.logLevel", "zkts.slowRequestThresholdMs", "zkts.progressIntervalMs"])
      expect(readme).toMatch(new RegExp(`\\|\\s*\`${key.replace(".", "\\.")}\``));
  });
});

describe("slow-request log", () => {
  async function pipelineCreates(port: number, count: number): Promise<void> {
    const session = await RawSession.connect(port);
    const replies = await Promise.all(
      Array.from({ length: count }, (_, i) =>
        session.request(OpCode.create, (w) => CreateRequest.write(w, { path: `/slow${i}`, data: Buffer.alloc(512), acl: OPEN_ACL, flags: 0 })),
      ),
    );
    expect(replies.every((r) => r.err === 0)).toBe(true);
    session.drop();
  }

  it("logs requests answered past zkts.slowRequestThresholdMs with op, path, session and latency; none when off", async () => {
    // 2000 creates sent at once: the later ones wait behind the earlier ones' log writes.
    const on = await startZkts({ config: { "zkts.slowRequestThresholdMs": "5" } });
    await pipelineCreates(on.port, 2000);
    await on.stop();
    const slow = readFileSync(on.logPath, "utf8")
      .split("\n")
      .filter((l) => l.includes('"slow request"'))
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(slow.length).toBeGreaterThan(0);
    for (const line of slow) {
      expect(line).toMatchObject({
        level: "warn",
        op: "create",
        path: expect.stringMatching(/^\/slow\d+$/),
        thresholdMs: 5,
        sessionId: expect.stringMatching(/^0x[0-9a-f]+$/),
        err: 0,
      });
      expect(line.latencyMs as number).toBeGreaterThanOrEqual(5);
    }
    await on.cleanup();
    const off = await startZkts();
    await pipelineCreates(off.port, 2000);
    await off.stop();
    expect(readFileSync(off.logPath, "utf8")).not.toContain("slow request");
    await off.cleanup();
  }, 60_000);
});
