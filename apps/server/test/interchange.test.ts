import { execFile } from "node:child_process";
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import { type RunningServer, runKazoo, startReferenceZooKeeper, startZkts } from "@zkts/testkit";
import { afterEach, describe, expect, it } from "vitest";
import { SUPER_DIGEST, SUPER_PASSWORD } from "./conformance/scenarios.js";
import { dumpTree } from "./durability/tree-dump.js";

/**
 * A data directory moves between Apache ZooKeeper 3.8 and zkts in both directions: one server
 * writes a workload and stops, the other starts on the same directory, and the trees read
 * through the client protocol (paths, data, full Stat, ACLs) are identical. ZooKeeper's own
 * TxnLogToolkit and SnapshotFormatter also read the files zkts wrote.
 */
const config = { snapCount: "20", extendedTypesEnabled: "true", "DigestAuthenticationProvider.superDigest": SUPER_DIGEST };
const SUPER = `super:${SUPER_PASSWORD}`;
const running: RunningServer[] = [];
afterEach(async () => {
  for (const s of running.splice(0)) await s.cleanup();
});

/** Sequential, ephemeral (left open on purpose), ACLs, multi, deletes. */
const WORKLOAD = (hosts: string) => `
import os
from kazoo.client import KazooClient
from kazoo.security import make_digest_acl, make_acl
zk = KazooClient(hosts="${hosts}", timeout=30)
zk.start(timeout=15)
zk.add_auth("digest", "alice:secret")
zk.create("/app", b"root data")
for i in range(25):
    zk.create("/app/job-", ("job %d" % i).encode(), sequence=True)
for i in range(0, 25, 3):
    zk.delete("/app/job-%010d" % i)
zk.create("/app/config", b"v1")
for v in range(2, 9):
    zk.set("/app/config", ("v%d" % v).encode())
zk.create("/secure", b"hidden", acl=[make_digest_acl("alice", "secret", all=True), make_acl("world", "anyone", read=True)])
zk.set_acls("/secure", [make_digest_acl("alice", "secret", all=True)])
t = zk.transaction()
t.create("/multi-a", b"a")
t.create("/multi-b", b"b")
t.set_data("/app", b"changed in multi")
t.commit()
zk.create("/eph", b"mine", ephemeral=True)
zk.create("/eph-seq-", b"", ephemeral=True, sequence=True)
print("workload done", flush=True)
# Leave without closing the session: its ephemerals must survive the move.
os._exit(0)
`;

async function moveAndCompare(first: "reference" | "zkts", second: "reference" | "zkts") {
  const start = (kind: "reference" | "zkts", dataDir?: string) =>
    kind === "reference" ? startReferenceZooKeeper({ config, ...(dataDir ? { dataDir } : {}) }) : startZkts({ config, ...(dataDir ? { dataDir } : {}) });
  const writer = await start(first);
  running.push(writer);
  const result = await runKazoo(WORKLOAD(writer.connectString));
  expect(result.stdout, result.stderr).toContain("workload done");
  const before = await dumpTree(writer.port, SUPER);
  await writer.stop();
  const reader = await start(second, writer.dataDir);
  running.push(reader);
  const after = await dumpTree(reader.port, SUPER);
  expect(after.map((n) => n.path)).toEqual(before.map((n) => n.path));
  expect(after).toEqual(before);
  expect(before.find((n) => n.path === "/eph")?.stat.ephemeralOwner).not.toBe("0x0");
  return writer.dataDir;
}

describe("data directory interchange with Apache ZooKeeper 3.8", () => {
  it("zkts starts on a directory ZooKeeper wrote and serves the identical tree", async () => {
    await moveAndCompare("reference", "zkts");
  }, 120_000);

  it("ZooKeeper starts on a directory zkts wrote and serves the identical tree; its tools read the files", async () => {
    const dataDir = await moveAndCompare("zkts", "reference");
    const files = readdirSync(join(dataDir, "version-2"));
    const logs = files.filter((f) => f.startsWith("log."));
    const snapshots = files.filter((f) => f.startsWith("snapshot."));
    expect(logs.length).toBeGreaterThan(0);
    expect(snapshots.length).toBeGreaterThan(1);
    const run = promisify(execFile);
    const classpath = "/usr/share/java/zookeeper.jar:/usr/share/java/slf4j-simple.jar";
    for (const log of logs) {
      const out = await run("java", ["-cp", classpath, "org.apache.zookeeper.server.persistence.TxnLogToolkit", join(dataDir, "version-2", log)]);
      expect(out.stdout).not.toMatch(/CRC ERROR|Exception/i);
    }
    const zxidOf = (name: string) => BigInt(`0x${name.substring("snapshot.".length)}`);
    const newestZkts = snapshots.sort((a, b) => (zxidOf(a) < zxidOf(b) ? -1 : 1)).at(-1)!;
    const formatted = await run("java", ["-cp", classpath, "org.apache.zookeeper.server.SnapshotFormatter", join(dataDir, "version-2", newestZkts)]);
    expect(formatted.stdout).toContain("/app/config");
  }, 120_000);
});
