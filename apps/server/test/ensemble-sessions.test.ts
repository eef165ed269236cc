import { setTimeout as sleep } from "node:timers/promises";
import { type ZkClient, connect } from "@zkts/client";
import { type EnsembleMember, type RunningEnsemble, fourLetterWord, runKazoo, startZktsEnsemble } from "@zkts/testkit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

/**
 * Sessions belong to the ensemble, not to the member a client is connected to: only the
 * leader expires them, learners report the sessions their clients use, and an expiry
 * removes the session's ephemerals on every member.
 */
let ensemble: RunningEnsemble;
let leader: EnsembleMember;
let followers: EnsembleMember[];

beforeAll(async () => {
  // tickTime 200 ms: session timeouts are clamped to 400..4000 ms.
  ensemble = await startZktsEnsemble({ voters: 3, config: { "znode.container.checkIntervalMs": "300" } });
  leader = await ensemble.waitForLeader();
  followers = ensemble.members.filter((m) => m !== leader);
}, 90_000);

afterAll(async () => {
  await ensemble?.cleanup();
});

async function existsOn(member: EnsembleMember, path: string): Promise<boolean> {
  const zk = await connect(member.server.connectString, { sessionTimeoutMs: 6000 });
  try {
    await zk.sync("/");
    return (await zk.exists(path)) !== null;
  } finally {
    await zk.close();
  }
}

describe("sessions in a zkts ensemble", () => {
  it("an abandoned session on a follower expires through the leader, and its ephemeral goes everywhere", async () => {
    // kazoo creates an ephemeral through a follower, then exits without closing its session.
    const kazoo = await runKazoo(`
import os
from kazoo.client import KazooClient
zk = KazooClient(hosts="${followers[0]!.server.connectString}", timeout=2)
zk.start(timeout=15)
print("ACK", zk.create("/abandoned", b"", ephemeral=True))
os._exit(0)
`);
    expect(kazoo.stdout, kazoo.output).toContain("ACK /abandoned");
    const startedAt = performance.now();
    for (const member of ensemble.members) expect(await existsOn(member, "/abandoned")).toBe(true);
    let goneEverywhere = false;
    while (!goneEverywhere && performance.now() - startedAt < 20_000) {
      await sleep(200);
      const present = await Promise.all(ensemble.members.map((m) => existsOn(m, "/abandoned")));
      goneEverywhere = present.every((p) => !p);
    }
    console.log(`ensemble: abandoned 2 s session's ephemeral gone from every member ${(performance.now() - startedAt).toFixed(0)} ms after its client exited`);
    expect(goneEverywhere).toBe(true);
  });

  it("a live session on a follower is kept alive by the follower's reports to the leader", async () => {
    const zk: ZkClient = await connect(followers[1]!.server.connectString, { sessionTimeoutMs: 1000 });
    try {
      await zk.create("/kept", "", { mode: "EPHEMERAL" });
      // Several session timeouts during which the client only pings its follower.
      await sleep(4000);
      for (const member of ensemble.members) expect(await existsOn(member, "/kept")).toBe(true);
    } finally {
      await zk.close();
    }
    for (const member of ensemble.members) expect(await existsOn(member, "/kept")).toBe(false);
  });
  it("a session moves to another member when its member dies, keeping its watches and ephemerals", async () => {
    const writer = await connect(leader.server.connectString, { sessionTimeoutMs: 6000 });
    const zk = await connect(followers.map((m) => m.server.connectString).join(","), { sessionTimeoutMs: 6000 });
    try {
      await writer.create("/watched", "v0");
      // A follower may not have applied the leader's write yet: sync first, as ZooKeeper's clients must.
      await zk.sync("/");
      let onChange: (type: string) => void = () => undefined;
      const changed = new Promise<string>((resolve) => (onChange = resolve));
      await zk.getData("/watched", (event) => onChange(event.type));
      await zk.create("/moving-ephemeral", "", { mode: "EPHEMERAL" });
      const sid = `0x${zk.sessionId.toString(16)}`;
      const answers = await Promise.all(followers.map((m) => fourLetterWord(m.server.host, m.server.port, "cons")));
      const holder = followers.find((_, i) => answers[i]!.includes(sid))!;
      expect(holder).toBeDefined();
      await holder.server.kill();
      // The client moves to the other follower with its session; calls in flight meanwhile fail.
      const deadline = performance.now() + 20_000;
      let moved = false;
      while (!moved && performance.now() < deadline) {
        moved = await zk.sync("/").then(
          () => true,
          () => false,
        );
      }
      expect(moved).toBe(true);
      await writer.setData("/watched", "v1");
      expect(await changed).toBe("NodeDataChanged");
      expect(await writer.exists("/moving-ephemeral")).not.toBeNull();
      await holder.server.restart();
    } finally {
      await zk.close();
      await writer.close();
    }
  });
  it("the leader deletes an emptied container, on every member, whichever member created it", async () => {
    const zk = await connect(followers[0]!.server.connectString, { sessionTimeoutMs: 6000 });
    try {
      await zk.create("/container", "", { mode: "CONTAINER" });
      await zk.create("/container/child", "");
      await zk.delete("/container/child");
    } finally {
      await zk.close();
    }
    const deletedAt = performance.now();
    let goneEverywhere = false;
    while (!goneEverywhere && performance.now() - deletedAt < 20_000) {
      await sleep(200);
      goneEverywhere = (await Promise.all(ensemble.members.map((m) => existsOn(m, "/container")))).every((p) => !p);
    }
    expect(goneEverywhere).toBe(true);
  });
});
