import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type TestCluster, startTestCluster } from "../src/index.js";
import { type NzcClient, call, nzcConnect } from "./nzc.js";

async function readText(zk: NzcClient, path: string): Promise<string | null> {
  try {
    return (await call<Buffer>((cb) => zk.getData(path, cb))).toString();
  } catch {
    return null;
  }
}

/**
 * A three-member ensemble driven through node-zookeeper-client: failover after the leader is
 * partitioned away, the isolated member refusing to serve and catching up after the heal, and
 * a killed member recovering from its data directory.
 */
describe("startTestCluster with three members", () => {
  let cluster: TestCluster;
  const clients: NzcClient[] = [];

  beforeAll(async () => {
    const startedAt = performance.now();
    cluster = await startTestCluster({ members: 3 });
    console.log(`startTestCluster({ members: 3 }): serving in ${(performance.now() - startedAt).toFixed(0)} ms`);
  });
  afterAll(async () => {
    for (const c of clients) c.close();
    await cluster?.close();
  });

  async function client(connectString: string): Promise<NzcClient> {
    const c = await nzcConnect(connectString);
    clients.push(c);
    return c;
  }

  it("has one leader, and every member serves the same data", async () => {
    expect(cluster.members.map((m) => m.id)).toEqual([1, 2, 3]);
    expect(cluster.connectString.split(",")).toHaveLength(3);
    const leader = await cluster.leader();
    expect(cluster.members.filter((m) => m.server?.role === "LEADING").map((m) => m.id)).toEqual([leader]);

    const writer = await client(cluster.member(1).connectString);
    await call((cb) => writer.create("/shared", Buffer.from("one"), cb));
    for (const m of cluster.members) {
      const reader = await client(m.connectString);
      // node-zookeeper-client has no sync(): a follower may lag by a moment, so poll (bounded).
      await expect.poll(() => readText(reader, "/shared"), { timeout: 5000 }).toBe("one");
    }
  });

  it("partition(leader) elects another leader among the majority; heal() brings the old one back up to date", async () => {
    const oldLeader = await cluster.leader();
    const zk = await client(cluster.connectString);
    cluster.partition(oldLeader);
    const cutAt = performance.now();
    const newLeader = await cluster.leader();
    console.log(`leader ${oldLeader} partitioned away; member ${newLeader} leads after ${(performance.now() - cutAt).toFixed(0)} ms`);
    expect(newLeader).not.toBe(oldLeader);
    expect(cluster.member(oldLeader).partitioned).toBe(true);

    // The isolated member cannot reach a quorum, so it stops serving; writes go through the majority.
    await expect.poll(() => cluster.member(oldLeader).server?.serving, { timeout: 10_000 }).toBe(false);
    await call((cb) => zk.setData("/shared", Buffer.from("two"), -1, cb));

    cluster.heal();
    await cluster.waitServing();
    const rejoined = await client(cluster.member(oldLeader).connectString);
    await expect.poll(() => readText(rejoined, "/shared"), { timeout: 5000 }).toBe("two");
  });

  it("kill(id) and restart(id): the member recovers from its data and catches up", async () => {
    const victim = cluster.members.find((m) => m.id !== 1)!.id;
    await cluster.kill(victim);
    expect(cluster.member(victim).server).toBeNull();
    const zk = await client(cluster.member(1).connectString);
    await call((cb) => zk.create("/while-down", Buffer.from("three"), cb));

    await cluster.restart(victim);
    expect(cluster.member(victim).server?.serving).toBe(true);
    const back = await client(cluster.member(victim).connectString);
    await expect.poll(() => readText(back, "/while-down"), { timeout: 5000 }).toBe("three");
    expect(await readText(back, "/shared")).toBe("two");
  });
});
