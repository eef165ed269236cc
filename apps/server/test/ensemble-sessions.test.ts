import { setTimeout as sleep } from "node:timers/promises";
import { type ZkClient, connect } from "@zkts/client";
import { type EnsembleMember, type RunningEnsemble, runKazoo, startZktsEnsemble } from "@zkts/testkit";
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
  ensemble = await startZktsEnsemble({ voters: 3 });
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
});
