import { readdirSync } from "node:fs";
import { join } from "node:path";
import { CreateRequest, OpCode } from "@zkts/jute";
import { type RunningServer, type ServerKind, startServer } from "@zkts/testkit";
import { afterEach, describe, expect, it } from "vitest";
import { OPEN_ACL } from "./conformance/recorder.js";
import { RawSession } from "./conformance/raw-session.js";

/**
 * snapSizeLimitInKb (ZooKeeper 3.8's SyncRequestProcessor.shouldSnapshot): a snapshot is also
 * due once the log written since the last one takes more than snapSizeLimit/2 plus a random
 * part of it on disk, however few txns that is. snapCount is set out of reach here, so every
 * snapshot after the one taken at start comes from the size rule. ZooKeeper measures the log
 * files' lengths, preallocation included, so the preallocation step is kept small (16 KiB) next
 * to the limit (64 KiB: a snapshot after 32 to 64 KiB of log).
 */
const config = { snapCount: "1000000", snapSizeLimitInKb: "64", preAllocSize: "16" };
const WRITES = 200;
const DATA = Buffer.alloc(1000, 0x61);

let server: RunningServer | null = null;
afterEach(async () => {
  await server?.cleanup();
  server = null;
});

function snapshotFiles(dataDir: string): string[] {
  return readdirSync(join(dataDir, "version-2")).filter((f) => f.startsWith("snapshot."));
}

describe.each<ServerKind>(["zkts", "reference"])("%s standalone with a small snapSizeLimitInKb", (kind) => {
  it("takes snapshots as logged bytes accumulate, long before snapCount", async () => {
    server = await startServer(kind, { config });
    const session = await RawSession.connect(server.port);
    for (let i = 0; i < WRITES; i++) {
      const reply = await session.request(OpCode.create, (w) => CreateRequest.write(w, { path: `/big-${i}`, data: DATA, acl: OPEN_ACL, flags: 0 }));
      expect(reply.err).toBe(0);
    }
    session.drop();
    await server.stop();
    // About 200 KiB of log: one snapshot per 32-64 KiB, besides the one taken at start.
    const snapshots = snapshotFiles(server.dataDir);
    console.log(`${kind}: ${snapshots.length} snapshots after ${WRITES} writes of ${DATA.length} bytes: ${snapshots.sort().join(" ")}`);
    expect(snapshots.length).toBeGreaterThanOrEqual(4);
    expect(snapshots.length).toBeLessThanOrEqual(WRITES / 10);
  }, 90_000);
});
