import { readFileSync } from "node:fs";
import { setTimeout as sleep } from "node:timers/promises";
import { type ZkClient, connect } from "@zkts/client";
import { type EnsembleMember, type RunningEnsemble, runKazoo, startZktsEnsemble } from "@zkts/testkit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

/**
 * Three zkts-server processes on loopback form an ensemble. Real clients (kazoo and the zkts
 * client) write through different members; every member must then read every acknowledged
 * write. The leader is SIGKILLed: the survivors elect a new leader, keep every acknowledged
 * write and take new ones. A member restarted from its data directory catches up.
 */
let ensemble: RunningEnsemble;
/** Paths whose create was acknowledged to a client, in the order they were acknowledged. */
const acknowledged: string[] = [];

beforeAll(async () => {
  ensemble = await startZktsEnsemble({ voters: 3 });
}, 90_000);

afterAll(async () => {
  await ensemble?.cleanup();
});

async function clientOf(members: EnsembleMember[]): Promise<ZkClient> {
  const hosts = members.map((m) => m.server.connectString).join(",");
  return await connect(hosts, { sessionTimeoutMs: 6000, connectTimeoutMs: 2000 });
}

/** The root's children as `member` sees them after a sync (which waits for its leader). */
async function childrenOn(member: EnsembleMember): Promise<string[]> {
  const zk = await clientOf([member]);
  try {
    await zk.sync("/");
    return (await zk.getChildren("/")).sort();
  } finally {
    await zk.close();
  }
}

function running(): EnsembleMember[] {
  return ensemble.members.filter((m) => m.server.pid !== null);
}

async function expectEveryRunningMemberHasEveryAcknowledgedWrite(): Promise<void> {
  for (const member of running()) {
    const children = await childrenOn(member);
    const missing = acknowledged.filter((p) => !children.includes(p.substring(1)));
    expect({ member: member.id, missing }).toEqual({ member: member.id, missing: [] });
  }
}

describe("a 3-member zkts ensemble", () => {
  it("takes writes through every member, and every member reads all of them", async () => {
    const leader = await ensemble.waitForLeader();
    const followers = ensemble.members.filter((m) => m !== leader);
    expect(followers.map((m) => m.id).length).toBe(2);

    const kazoo = await runKazoo(`
from kazoo.client import KazooClient
zk = KazooClient(hosts="${followers[0]!.server.connectString}", timeout=10)
zk.start(timeout=15)
for i in range(5):
    print("ACK", zk.create("/kazoo-%d" % i, b"k"))
e = zk.create("/kazoo-ephemeral", b"", ephemeral=True)
print("ephemeral", e)
zk.stop()
`);
    expect(kazoo.code, kazoo.output).toBe(0);
    acknowledged.push(...[...kazoo.stdout.matchAll(/^ACK (\S+)$/gm)].map((m) => m[1]!));
    expect(acknowledged.length).toBe(5);

    const viaFollower = await clientOf([followers[1]!]);
    const viaLeader = await clientOf([leader]);
    try {
      for (let i = 0; i < 5; i++) {
        acknowledged.push((await viaFollower.create(`/zkts-follower-${i}`, "z")).path);
        acknowledged.push((await viaLeader.create(`/zkts-leader-${i}`, "z")).path);
      }
      // Replies keep request order on a connection, and a follower sees its own writes.
      const { path } = await viaFollower.create("/sequential-", "s", { mode: "PERSISTENT_SEQUENTIAL" });
      acknowledged.push(path);
      expect((await viaFollower.getData(path)).data.toString()).toBe("s");
    } finally {
      await viaFollower.close();
      await viaLeader.close();
    }
    await expectEveryRunningMemberHasEveryAcknowledgedWrite();
    // kazoo's session was closed through the leader: its ephemeral is gone everywhere.
    for (const member of ensemble.members) expect(await childrenOn(member)).not.toContain("kazoo-ephemeral");
  });

  it("loses no acknowledged write when the leader is SIGKILLed, and a new leader takes writes", async () => {
    const leader = await ensemble.waitForLeader();
    const survivors = ensemble.members.filter((m) => m !== leader);
    await leader.server.kill();
    const killedAt = performance.now();
    let firstWriteMs: number | null = null;
    for (let attempt = 0; firstWriteMs === null && performance.now() - killedAt < 30_000; attempt++) {
      let zk: ZkClient | null = null;
      try {
        zk = await clientOf(survivors);
        acknowledged.push((await zk.create(`/after-kill-${attempt}`, "a")).path);
        firstWriteMs = performance.now() - killedAt;
      } catch {
        await sleep(50);
      } finally {
        await zk?.close().catch(() => undefined);
      }
    }
    console.log(`ensemble: first acknowledged write ${firstWriteMs?.toFixed(0)} ms after SIGKILL of leader ${leader.id}`);
    expect(firstWriteMs).not.toBeNull();
    const newLeader = await ensemble.waitForLeader();
    expect(newLeader.id).not.toBe(leader.id);
    await expectEveryRunningMemberHasEveryAcknowledgedWrite();

    // The killed leader comes back from its data directory as a follower and catches up.
    const restartedAt = performance.now();
    await leader.server.restart();
    console.log(`ensemble: old leader ${leader.id} serving again ${(performance.now() - restartedAt).toFixed(0)} ms after restart`);
    expect(await ensemble.modeOf(leader)).toBe("follower");
    await expectEveryRunningMemberHasEveryAcknowledgedWrite();
  });

  it("a follower stopped while writes go on catches up from its data directory", async () => {
    const leader = await ensemble.waitForLeader();
    const follower = ensemble.members.find((m) => m !== leader)!;
    await follower.server.stop();
    const zk = await clientOf([leader]);
    try {
      for (let i = 0; i < 10; i++) acknowledged.push((await zk.create(`/while-down-${i}`, "d")).path);
    } finally {
      await zk.close();
    }
    const logBefore = readFileSync(follower.server.logPath, "utf8").length;
    const restartedAt = performance.now();
    await follower.server.restart();
    console.log(`ensemble: follower ${follower.id} serving again ${(performance.now() - restartedAt).toFixed(0)} ms after restart`);
    await ensemble.waitForLeader();
    await expectEveryRunningMemberHasEveryAcknowledgedWrite();
    // Its log held everything up to the stop, so the leader sent only the difference.
    const restartLog = readFileSync(follower.server.logPath, "utf8").substring(logBefore);
    expect(restartLog).toMatch(new RegExp(`synchronizing with leader ${leader.id} by DIFF`));
  });
  it("a follower further behind than the leader keeps in memory gets a SNAP, and restarts from it", async () => {
    const leader = await ensemble.waitForLeader();
    const follower = ensemble.members.find((m) => m !== leader)!;
    await follower.server.stop();
    const zk = await clientOf([leader]);
    try {
      // More than the 500 entries a leader keeps for DIFFs (the zab core's logRetainEntries).
      const created = await Promise.all(Array.from({ length: 600 }, (_, i) => zk.create(`/bulk-${i}`, "b")));
      acknowledged.push(...created.map((c) => c.path));
    } finally {
      await zk.close();
    }
    const logBefore = readFileSync(follower.server.logPath, "utf8").length;
    await follower.server.restart();
    await expectEveryRunningMemberHasEveryAcknowledgedWrite();
    const restartLog = readFileSync(follower.server.logPath, "utf8").substring(logBefore);
    expect(restartLog).toMatch(new RegExp(`synchronizing with leader ${leader.id} by SNAP`));
    // Restarted again, it recovers from the installed snapshot and the log after it.
    await follower.server.restart();
    await expectEveryRunningMemberHasEveryAcknowledgedWrite();
  });
});
