import { setTimeout as sleep } from "node:timers/promises";
import { type ZkClient, connect } from "@zkts/client";
import { type EnsembleMember, type RunningEnsemble, runKazoo, startZktsEnsemble } from "@zkts/testkit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

/**
 * Five voters and one observer. The observer serves reads and forwards writes but never
 * votes; with the leader and one more voter SIGKILLed (two of five), the remaining three
 * voters are still a quorum: they elect a leader and keep every acknowledged write.
 */
let ensemble: RunningEnsemble;
const acknowledged: string[] = [];

beforeAll(async () => {
  ensemble = await startZktsEnsemble({ voters: 5, observers: 1 });
}, 90_000);

afterAll(async () => {
  await ensemble?.cleanup();
});

async function clientOf(members: EnsembleMember[]): Promise<ZkClient> {
  return await connect(members.map((m) => m.server.connectString).join(","), { sessionTimeoutMs: 6000, connectTimeoutMs: 2000 });
}

async function childrenOn(member: EnsembleMember): Promise<string[]> {
  const zk = await clientOf([member]);
  try {
    await zk.sync("/");
    return await zk.getChildren("/");
  } finally {
    await zk.close();
  }
}

async function expectEveryRunningMemberHasEveryAcknowledgedWrite(): Promise<void> {
  for (const member of ensemble.members.filter((m) => m.server.pid !== null)) {
    const children = await childrenOn(member);
    const missing = acknowledged.filter((p) => !children.includes(p.substring(1)));
    expect({ member: member.id, missing }).toEqual({ member: member.id, missing: [] });
  }
}

describe("a zkts ensemble of 5 voters and an observer", () => {
  it("serves writes through the observer and a follower on every member", async () => {
    const leader = await ensemble.waitForLeader();
    const observer = ensemble.members.find((m) => m.role === "observer")!;
    expect(await ensemble.modeOf(observer)).toBe("observer");
    expect(leader.role).toBe("participant");

    const viaObserver = await clientOf([observer]);
    try {
      for (let i = 0; i < 5; i++) acknowledged.push((await viaObserver.create(`/observer-${i}`, "o")).path);
    } finally {
      await viaObserver.close();
    }
    const follower = ensemble.members.find((m) => m !== leader && m.role === "participant")!;
    const kazoo = await runKazoo(`
from kazoo.client import KazooClient
zk = KazooClient(hosts="${follower.server.connectString}", timeout=10)
zk.start(timeout=15)
for i in range(5):
    print("ACK", zk.create("/kazoo-%d" % i, b"k"))
zk.stop()
`);
    expect(kazoo.code, kazoo.output).toBe(0);
    acknowledged.push(...[...kazoo.stdout.matchAll(/^ACK (\S+)$/gm)].map((m) => m[1]!));
    expect(acknowledged.length).toBe(10);
    await expectEveryRunningMemberHasEveryAcknowledgedWrite();
  });

  it("keeps serving with two of five voters SIGKILLed, the leader among them", async () => {
    const leader = await ensemble.waitForLeader();
    const otherVoter = ensemble.members.find((m) => m !== leader && m.role === "participant")!;
    await Promise.all([leader.server.kill(), otherVoter.server.kill()]);
    const killedAt = performance.now();
    const observer = ensemble.members.find((m) => m.role === "observer")!;
    let firstWriteMs: number | null = null;
    for (let attempt = 0; firstWriteMs === null && performance.now() - killedAt < 30_000; attempt++) {
      let zk: ZkClient | null = null;
      try {
        zk = await clientOf([observer]);
        acknowledged.push((await zk.create(`/after-kill-${attempt}`, "a")).path);
        firstWriteMs = performance.now() - killedAt;
      } catch {
        await sleep(50);
      } finally {
        await zk?.close().catch(() => undefined);
      }
    }
    console.log(
      `ensemble of 5+1: first write through the observer ${firstWriteMs?.toFixed(0)} ms after SIGKILL of leader ${leader.id} and voter ${otherVoter.id}`,
    );
    expect(firstWriteMs).not.toBeNull();
    const newLeader = await ensemble.waitForLeader();
    expect([leader.id, otherVoter.id, observer.id]).not.toContain(newLeader.id);
    await expectEveryRunningMemberHasEveryAcknowledgedWrite();
  });
});
