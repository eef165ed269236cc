import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { type RunningServer, fourLetterWord, runKazoo, startReferenceZooKeeper, startZkts } from "@zkts/testkit";
import { afterEach, describe, expect, it } from "vitest";
import { replayDigests } from "./digest/replay-digests.js";

/**
 * ZooKeeper 3.8's tree digest, computed the same way by zkts: a directory the reference server
 * wrote replays in zkts with every logged TxnDigest equal to zkts's own digest and loads with
 * zk_digest_mismatches_count 0; a directory zkts wrote (TxnDigest in every entry, digests in
 * its snapshots) loads in the reference server with no digest mismatch logged or counted.
 */
const running: RunningServer[] = [];
afterEach(async () => {
  // Last started first: the second server runs on the first one's directory (and may still be
  // writing its start-up snapshot there), so it stops before that directory is removed.
  for (const s of running.splice(0).reverse()) await s.cleanup();
});

/** Persistent, sequential, ephemeral, ACLs, multi, and a closed session. */
const WORKLOAD = (hosts: string) => `
import os
from kazoo.client import KazooClient
from kazoo.security import make_acl
zk = KazooClient(hosts="${hosts}", timeout=30)
zk.start(timeout=15)
zk.create("/app", b"root data")
for i in range(30):
    zk.create("/app/job-", ("job %d" % i).encode(), sequence=True)
for i in range(0, 30, 4):
    zk.delete("/app/job-%010d" % i)
zk.create("/app/config", b"v1")
for v in range(2, 12):
    zk.set("/app/config", ("v%d" % v).encode())
zk.create("/app/empty", None)
zk.set_acls("/app/config", [make_acl("world", "anyone", read=True, write=True)])
zk.create("/box/item", b"x", makepath=True)
t = zk.transaction()
t.create("/multi-a", b"a")
t.set_data("/app", b"changed in multi")
t.delete("/multi-a")
t.commit()
other = KazooClient(hosts="${hosts}", timeout=30)
other.start(timeout=15)
for i in range(5):
    other.create("/gone-%d" % i, b"e", ephemeral=True)
other.stop()
zk.create("/eph", "résumé ☃".encode(), ephemeral=True)
print("workload done", flush=True)
os._exit(0)
`;

const config = { extendedTypesEnabled: "true", snapCount: "16" };

async function mismatchesCount(server: RunningServer): Promise<string | undefined> {
  const mntr = await fourLetterWord("127.0.0.1", server.port, "mntr");
  return /^zk_digest_mismatches_count\s+(\S+)$/m.exec(mntr)?.[1];
}

async function writeWorkload(server: RunningServer): Promise<void> {
  const result = await runKazoo(WORKLOAD(server.connectString));
  expect(result.stdout, result.stderr).toContain("workload done");
  // Both servers write snapshots in the background: on a busy machine the first one after
  // snapCount may still be on its way when the workload ends, and a stop then leaves none.
  const snapshotDir = join(server.dataDir, "version-2");
  const snapshotsAfterStart = () => readdirSync(snapshotDir).filter((f) => f.startsWith("snapshot.") && f !== "snapshot.0").length;
  for (let i = 0; i < 150 && snapshotsAfterStart() === 0; i++) await sleep(100);
  await sleep(500);
}

describe("tree digest interchange with Apache ZooKeeper 3.8", () => {
  it("the digests ZooKeeper logs equal zkts's, and zkts loads its directory with no mismatch", async () => {
    const reference = await startReferenceZooKeeper({ config });
    running.push(reference);
    await writeWorkload(reference);
    await reference.stop();
    const figures = await replayDigests(reference.dataDir);
    console.log("ZooKeeper's directory replayed in zkts:", figures);
    expect(figures.withDigest).toBeGreaterThan(60);
    expect(figures.matching).toBe(figures.withDigest);
    expect(figures.snapshotDigests).toBeGreaterThan(0);
    expect(figures.snapshotMismatches).toBe(0);
    const zkts = await startZkts({ config, dataDir: reference.dataDir });
    running.push(zkts);
    expect(await mismatchesCount(zkts)).toBe("0");
    expect(readFileSync(zkts.logPath, "utf8")).not.toMatch(/digests are not matching/);
  }, 120_000);

  it("zkts logs and snapshots digests that ZooKeeper loads with no mismatch", async () => {
    const zkts = await startZkts({ config });
    running.push(zkts);
    await writeWorkload(zkts);
    expect(await mismatchesCount(zkts)).toBe("0");
    await zkts.stop();
    const figures = await replayDigests(zkts.dataDir);
    console.log("zkts's directory replayed:", figures);
    expect(figures.withDigest).toBeGreaterThan(60);
    expect(figures.matching).toBe(figures.withDigest);
    expect(figures.snapshotDigests).toBeGreaterThan(0);
    expect(figures.snapshotMismatches).toBe(0);
    const reference = await startReferenceZooKeeper({ config, dataDir: zkts.dataDir });
    running.push(reference);
    expect(await mismatchesCount(reference)).toBe("0");
    expect(readFileSync(reference.logPath, "utf8")).not.toMatch(/[Dd]igest.{0,20}(not matching|mismatch)/);
  }, 120_000);
});
