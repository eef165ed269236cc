import { existsSync, readFileSync } from "node:fs";
import { rm } from "node:fs/promises";
import { join } from "node:path";
import { type RunningEnsemble, runKazoo, startReferenceEnsemble, startZktsEnsemble } from "@zkts/testkit";
import { afterAll, describe, expect, it } from "vitest";
import { SUPER_DIGEST, SUPER_PASSWORD } from "./conformance/scenarios.js";
import { type DumpedNode, dumpTree } from "./durability/tree-dump.js";

/**
 * A whole ensemble's data directories move from Apache ZooKeeper 3.8 to zkts and back: each
 * ensemble writes, stops, and the next starts on the same directories (new ports, same ids)
 * and serves every znode the earlier ones wrote. ZooKeeper refuses to start when the epoch
 * files in its snapshot directory are older than its last zxid, so this also holds zkts to
 * keeping them where ZooKeeper reads them.
 */
const config = { snapCount: "30", "DigestAuthenticationProvider.superDigest": SUPER_DIGEST };
const SUPER = `super:${SUPER_PASSWORD}`;
let directory: string | undefined;
let running: RunningEnsemble | undefined;

afterAll(async () => {
  await running?.cleanup();
  if (directory !== undefined) await rm(directory, { recursive: true, force: true });
});

/** Each generation adds its own znodes and rewrites a shared one, through kazoo on every member. */
async function write(ensemble: RunningEnsemble, generation: string): Promise<void> {
  const result = await runKazoo(`
from kazoo.client import KazooClient
zk = KazooClient(hosts="${ensemble.connectString}", timeout=30)
zk.start(timeout=20)
zk.ensure_path("/moves")
for i in range(40):
    zk.create("/moves/${generation}-", b"${generation}", sequence=True)
if zk.exists("/shared"):
    zk.set("/shared", b"${generation}")
else:
    zk.create("/shared", b"${generation}")
zk.stop()
print("written", flush=True)
`);
  expect(result.stdout, result.stderr).toContain("written");
}

/**
 * Every member's tree, which must be one tree. /zookeeper is left out: each member makes its
 * /zookeeper/config when it starts, from its own zoo.cfg (new ports each time).
 */
async function trees(ensemble: RunningEnsemble): Promise<DumpedNode[]> {
  await ensemble.waitForLeader();
  const userNodes = (dump: DumpedNode[]) => dump.filter((n) => n.path !== "/zookeeper" && !n.path.startsWith("/zookeeper/"));
  const dumps = await Promise.all(ensemble.members.map(async (m) => userNodes(await dumpTree(m.server.port, SUPER))));
  for (const dump of dumps.slice(1)) expect(dump).toEqual(dumps[0]);
  return dumps[0]!;
}

function epochs(dir: string): string[] {
  return ["acceptedEpoch", "currentEpoch"].map((name) => readFileSync(join(dir, "server1", "version-2", name), "utf8"));
}

describe("an ensemble's data directories between Apache ZooKeeper 3.8 and zkts", () => {
  it("ZooKeeper -> zkts -> ZooKeeper: every member starts on the other's files and serves every znode", async () => {
    running = await startReferenceEnsemble({ config });
    directory = running.directory;
    await running.waitForLeader();
    await write(running, "zookeeper");
    const fromZooKeeper = await trees(running);
    await running.stop();

    running = await startZktsEnsemble({ config, directory });
    const onZkts = await trees(running);
    expect(onZkts).toEqual(fromZooKeeper);
    await write(running, "zkts");
    const fromZkts = await trees(running);
    expect(fromZkts.filter((n) => n.path.startsWith("/moves/zkts-"))).toHaveLength(40);
    await running.stop();
    // The files ZooKeeper reads on its way back, where it reads them.
    expect(epochs(directory).every((e) => /^\d+$/.test(e))).toBe(true);
    expect(existsSync(join(directory, "server1", "acceptedEpoch"))).toBe(false);

    running = await startReferenceEnsemble({ config, directory });
    const back = await trees(running);
    expect(back).toEqual(fromZkts);
    await write(running, "again");
    expect((await trees(running)).find((n) => n.path === "/shared")?.data).toBe(Buffer.from("again").toString("base64"));
  }, 180_000);
});
