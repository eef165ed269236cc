import { execFile } from "node:child_process";
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import { CreateRequest, ExistsRequest, OpCode } from "@zkts/jute";
import { repoRoot, startZkts } from "@zkts/testkit";
import { describe, expect, it } from "vitest";
import { OPEN_ACL } from "./conformance/recorder.js";
import { RawSession } from "./conformance/raw-session.js";

describe("zkts-server purge", () => {
  it("keeps the newest snapshots and the logs they need, and the tree still recovers", async () => {
    const server = await startZkts({ config: { snapCount: "10" } });
    const session = await RawSession.connect(server.port);
    for (let i = 0; i < 120; i++) {
      await session.request(OpCode.create, (w) => CreateRequest.write(w, { path: `/p${i}`, data: null, acl: OPEN_ACL, flags: 0 }));
    }
    session.drop();
    await server.stop();
    const dir = join(server.dataDir, "version-2");
    const snapshotsBefore = readdirSync(dir).filter((f) => f.startsWith("snapshot.")).length;
    expect(snapshotsBefore).toBeGreaterThan(5);
    const run = promisify(execFile);
    const main = join(repoRoot, "apps/server/dist/main.js");
    const bad = await run(process.execPath, [main, "purge", server.dataDir, "-n", "2"]).catch((e) => e);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain("-n: must be at least 3");
    await run(process.execPath, [main, "purge", server.dataDir, "-n", "3"]);
    expect(readdirSync(dir).filter((f) => f.startsWith("snapshot."))).toHaveLength(3);
    await server.restart();
    const check = await RawSession.connect(server.port);
    const reply = await check.request(OpCode.exists, (w) => ExistsRequest.write(w, { path: "/p119", watch: false }));
    expect(reply.err).toBe(0);
    check.drop();
    await server.cleanup();
  }, 60_000);
});
