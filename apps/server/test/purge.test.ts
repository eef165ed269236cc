import { execFile } from "node:child_process";
import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { CreateRequest, ExistsRequest, OpCode } from "@zkts/jute";
import { fourLetterWord, repoRoot, startZkts } from "@zkts/testkit";
import { describe, expect, it } from "vitest";
import { OPEN_ACL } from "./conformance/recorder.js";
import { RawSession } from "./conformance/raw-session.js";

describe("zkts-server purge", () => {
  it("keeps the newest snapshots and the logs they need, and the tree still recovers", async () => {
    const logDir = mkdtempSync(join(tmpdir(), "zkts-logs-"));
    const server = await startZkts({ config: { snapCount: "10", dataLogDir: logDir } });
    const session = await RawSession.connect(server.port);
    for (let i = 0; i < 120; i++) {
      await session.request(OpCode.create, (w) => CreateRequest.write(w, { path: `/p${i}`, data: null, acl: OPEN_ACL, flags: 0 }));
    }
    session.drop();
    await server.stop();
    const dir = join(server.dataDir, "version-2");
    const snapshotsBefore = readdirSync(dir).filter((f) => f.startsWith("snapshot.")).length;
    expect(snapshotsBefore).toBeGreaterThan(5);
    // dataLogDir holds the logs, dataDir only the snapshots.
    expect(readdirSync(dir).filter((f) => f.startsWith("log."))).toEqual([]);
    const logsBefore = readdirSync(join(logDir, "version-2")).filter((f) => f.startsWith("log.")).length;
    expect(logsBefore).toBeGreaterThan(1);
    const run = promisify(execFile);
    const main = join(repoRoot, "apps/server/dist/main.js");
    const bad = await run(process.execPath, [main, "purge", server.dataDir, "-n", "2"]).catch((e) => e);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain("-n: must be at least 3");
    await run(process.execPath, [main, "purge", logDir, server.dataDir, "-n", "3"]);
    expect(readdirSync(dir).filter((f) => f.startsWith("snapshot."))).toHaveLength(3);
    expect(readdirSync(join(logDir, "version-2")).filter((f) => f.startsWith("log.")).length).toBeLessThan(logsBefore);
    await server.restart();
    const check = await RawSession.connect(server.port);
    const reply = await check.request(OpCode.exists, (w) => ExistsRequest.write(w, { path: "/p119", watch: false }));
    expect(reply.err).toBe(0);
    check.drop();
    await server.cleanup();
    rmSync(logDir, { recursive: true, force: true });
  }, 60_000);

  it("honours forceSync=no: writes are acknowledged without any fsync", async () => {
    const server = await startZkts({ config: { forceSync: "no" } });
    const session = await RawSession.connect(server.port);
    for (let i = 0; i < 20; i++) {
      const reply = await session.request(OpCode.create, (w) => CreateRequest.write(w, { path: `/f${i}`, data: null, acl: OPEN_ACL, flags: 0 }));
      expect(reply.err).toBe(0);
    }
    expect(await fourLetterWord(server.host, server.port, "mntr")).toContain("zk_cnt_fsynctime\t0\n");
    session.drop();
    await server.cleanup();
    const synced = await startZkts();
    const other = await RawSession.connect(synced.port);
    await other.request(OpCode.create, (w) => CreateRequest.write(w, { path: "/s", data: null, acl: OPEN_ACL, flags: 0 }));
    expect(await fourLetterWord(synced.host, synced.port, "mntr")).toMatch(/zk_cnt_fsynctime\t[1-9]/);
    other.drop();
    await synced.cleanup();
  }, 60_000);
});
