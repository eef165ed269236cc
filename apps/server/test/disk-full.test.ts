import { execFileSync } from "node:child_process";
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CreateRequest, ErrorCode, GetDataRequest, GetDataResponse, OpCode, SetDataRequest } from "@zkts/jute";
import { type RunningServer, fourLetterWord, startZkts } from "@zkts/testkit";
import { afterAll, describe, expect, it } from "vitest";
import { OPEN_ACL } from "./conformance/recorder.js";
import { RawSession } from "./conformance/raw-session.js";

/**
 * A full disk: the data directory is a 2 MiB tmpfs. Once the log cannot be written the server
 * must not acknowledge anything it could not persist: it says so in its log, refuses writes
 * (NOTREADONLY), keeps answering reads, and every write it did acknowledge is on disk.
 * Mounting needs root, which the test machines and CI have.
 */
const mountPoint = mkdtempSync(join(tmpdir(), "zkts-full-"));
let server: RunningServer | null = null;

afterAll(async () => {
  await server?.cleanup().catch(() => undefined);
  try {
    execFileSync("umount", [mountPoint]);
  } catch {
    // not mounted
  }
  rmSync(mountPoint, { recursive: true, force: true });
});

describe("a full disk", () => {
  it("stops acknowledging writes, keeps serving reads, and loses nothing it acknowledged", async () => {
    execFileSync("mount", ["-t", "tmpfs", "-o", "size=2m", "tmpfs", mountPoint]);
    const dataDir = join(mountPoint, "data");
    mkdirSync(dataDir);
    server = await startZkts({ dataDir, config: { preAllocSize: "16", snapCount: "1000000" } });
    const session = await RawSession.connect(server.port);
    const value = Buffer.alloc(4096, 0x61);
    let acknowledged = 0;
    let refusal = 0;
    for (let i = 0; i < 2000 && refusal === 0; i++) {
      const reply = await session.request(OpCode.create, (w) => CreateRequest.write(w, { path: `/n${i}`, data: value, acl: OPEN_ACL, flags: 0 }));
      if (reply.err === 0) acknowledged = i + 1;
      else refusal = reply.err;
    }
    // The failing write was in flight when the log failed: its connection was closed.
    expect(refusal).toBe(-4);
    expect(acknowledged).toBeGreaterThan(10);
    expect(readFileSync(server.logPath, "utf8")).toMatch(/cannot persist transactions; serving reads only/);

    const after = await RawSession.connect(server.port);
    const write = await after.request(OpCode.setData, (w) => SetDataRequest.write(w, { path: "/n0", data: null, version: -1 }));
    expect(write.err).toBe(ErrorCode.NOTREADONLY);
    const read = await after.request(OpCode.getData, (w) => GetDataRequest.write(w, { path: "/n0", watch: false }));
    expect(read.err).toBe(0);
    expect(GetDataResponse.read(read.body).data).toEqual(value);
    expect(await fourLetterWord(server.host, server.port, "isro")).toBe("ro");
    after.drop();
    await server.stop();

    // On a disk with room, every acknowledged write is there.
    const roomy = mkdtempSync(join(tmpdir(), "zkts-roomy-"));
    cpSync(dataDir, roomy, { recursive: true });
    const restarted = await startZkts({ dataDir: roomy });
    const check = await RawSession.connect(restarted.port);
    for (let i = 0; i < acknowledged; i++) {
      const reply = await check.request(OpCode.getData, (w) => GetDataRequest.write(w, { path: `/n${i}`, watch: false }));
      expect(reply.err, `/n${i} was acknowledged`).toBe(0);
    }
    check.drop();
    await restarted.cleanup();
    rmSync(roomy, { recursive: true, force: true });
  }, 120_000);
});
