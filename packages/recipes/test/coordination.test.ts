import type { ZkClient } from "@zkts/client";
import { CuttableProxy } from "@zkts/testkit";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { Barrier, DistributedQueue, DoubleBarrier, LeaderElection, SharedCounter, TreeCache } from "../src/index.js";
import { eventually, killSession, open, sleep, uniquePath } from "./support.js";
import { startTarget, targets, type TargetServer } from "./targets.js";

describe.each(targets)("coordination recipes against %s", (kind) => {
  let server: TargetServer;
  const clients: ZkClient[] = [];
  const proxies: CuttableProxy[] = [];

  beforeAll(async () => {
    server = await startTarget(kind);
  });

  afterEach(async () => {
    for (const c of clients.splice(0)) await c.close();
    for (const p of proxies.splice(0)) await p.close();
  });

  afterAll(async () => {
    await server?.cleanup();
  });

  async function openMany(n: number): Promise<ZkClient[]> {
    const out: ZkClient[] = [];
    for (let i = 0; i < n; i++) out.push(await open(server.connectString));
    clients.push(...out);
    return out;
  }

  async function openProxied(): Promise<{ client: ZkClient; proxy: CuttableProxy }> {
    const proxy = await CuttableProxy.start({ host: server.host, port: server.port });
    proxies.push(proxy);
    const client = await open(proxy.connectString);
    clients.push(client);
    return { client, proxy };
  }

  it("elects one leader and hands over when the leader's session is killed", async () => {
    const path = uniquePath("election");
    const candidates: { client: ZkClient; proxy: CuttableProxy; election: LeaderElection; lost: string[] }[] = [];
    for (let i = 0; i < 3; i++) {
      const { client, proxy } = await openProxied();
      const lost: string[] = [];
      candidates.push({ client, proxy, lost, election: new LeaderElection(client, path, { identifier: `c${i}`, onLost: (r) => lost.push(r) }) });
    }
    const leaders = () => candidates.filter((c) => c.election.isLeader);
    const elected = candidates.map((c) => c.election.elect().catch((err: unknown) => err));
    await eventually(() => leaders().length === 1, 10_000, "a first leader");
    await sleep(100);
    expect(leaders().length).toBe(1);
    const first = leaders()[0]!;
    expect((await LeaderElection.candidates(candidates[0]!.client, path))[0]).toBe(`c${candidates.indexOf(first)}`);

    const disconnected = first.client.once("disconnected");
    first.proxy.block();
    await disconnected;
    await killSession(first.client, server.connectString);
    await eventually(() => leaders().filter((c) => c !== first).length === 1, 10_000, "a new leader");
    first.proxy.unblock();
    await eventually(() => first.lost.length === 1, 15_000, "the old leader told of its loss");
    expect(first.lost[0]).toContain("expired");
    expect(leaders().length).toBe(1);
    expect(await first.election.lost).toContain("expired");
    for (const c of candidates) if (c !== first) await c.election.resign();
    // Every campaign ends: won, or abandoned by resign() while waiting.
    for (const outcome of await Promise.all(elected)) expect(typeof outcome, String(outcome)).toBe("boolean");
  });

  it("holds waiters at a barrier until it is removed", async () => {
    const path = uniquePath("barrier");
    const [a, b] = await openMany(2);
    const barrier = new Barrier(a!, path);
    await barrier.create();
    let passed = false;
    const waiting = new Barrier(b!, path).wait().then((ok) => (passed = ok));
    await sleep(100);
    expect(passed).toBe(false);
    expect(await new Barrier(b!, path).wait({ timeoutMs: 100 })).toBe(false);
    await barrier.remove();
    await waiting;
    expect(passed).toBe(true);
  });

  it("lets a double barrier's participants enter together and leave together", async () => {
    const path = uniquePath("double");
    const members = await openMany(3);
    const entered: string[] = [];
    const first = new DoubleBarrier(members[0]!, path, 3, "p0");
    const firstEnter = first.enter().then(() => entered.push("p0"));
    const second = new DoubleBarrier(members[1]!, path, 3, "p1");
    const secondEnter = second.enter().then(() => entered.push("p1"));
    await sleep(200);
    expect(entered).toEqual([]);
    const third = new DoubleBarrier(members[2]!, path, 3, "p2");
    await third.enter();
    await Promise.all([firstEnter, secondEnter]);
    expect(entered.sort()).toEqual(["p0", "p1"]);
    let allLeft = 0;
    const leaving = [first, second].map((p) => p.leave().then(() => allLeft++));
    await sleep(200);
    expect(allLeft).toBe(0);
    await third.leave();
    await Promise.all(leaving);
    expect(allLeft).toBe(2);
  });

  it("delivers every queued item exactly once, in FIFO order for one consumer", async () => {
    const path = uniquePath("queue");
    const [p1, p2, c1, c2, c3] = await openMany(5);
    const solo = new DistributedQueue(p1!, `${path}-solo`);
    for (let i = 0; i < 5; i++) await solo.put(`s${i}`);
    const order: string[] = [];
    for (let i = 0; i < 5; i++) order.push((await solo.poll())!.toString());
    expect(order).toEqual(["s0", "s1", "s2", "s3", "s4"]);
    expect(await solo.poll()).toBeUndefined();

    const produced: string[] = [];
    const consumed: string[] = [];
    const total = 40;
    const consumers = [c1!, c2!, c3!].map(async (client) => {
      const queue = new DistributedQueue(client, path);
      for (let i = 0; i < total; i++) {
        if (consumed.length >= total) return;
        const item = await queue.take({ timeoutMs: 2000 });
        if (item === undefined) return;
        consumed.push(item.toString());
      }
    });
    await Promise.all(
      [p1!, p2!].map(async (client, p) => {
        const queue = new DistributedQueue(client, path);
        for (let i = 0; i < total / 2; i++) {
          const item = `p${p}-${i}`;
          produced.push(item);
          await queue.put(item);
        }
      }),
    );
    await Promise.all(consumers);
    expect(consumed.length).toBe(total);
    expect([...consumed].sort()).toEqual([...produced].sort());
  });

  it("loses no queued item when a consumer's session is killed", async () => {
    const path = uniquePath("queuekill");
    const [producer, survivor] = await openMany(2);
    const { client: doomed, proxy } = await openProxied();
    const total = 20;
    const queue = new DistributedQueue(producer!, path);
    for (let i = 0; i < total; i++) await queue.put(`i${i}`);
    const consumed: string[] = [];
    const doomedQueue = new DistributedQueue(doomed, path);
    for (let i = 0; i < 5; i++) consumed.push((await doomedQueue.take({ timeoutMs: 5000 }))!.toString());
    const disconnected = doomed.once("disconnected");
    proxy.block();
    await disconnected;
    await killSession(doomed, server.connectString);
    const rest = new DistributedQueue(survivor!, path);
    for (let i = 0; i < total; i++) {
      const item = await rest.poll();
      if (item === undefined) break;
      consumed.push(item.toString());
    }
    expect(consumed.sort()).toEqual(Array.from({ length: total }, (_, i) => `i${i}`).sort());
  });

  it("loses no increment of a shared counter under contention", async () => {
    const path = uniquePath("counter");
    const members = await openMany(8);
    await Promise.all(
      members.map(async (client) => {
        const counter = new SharedCounter(client, path);
        for (let i = 0; i < 10; i++) await counter.increment();
      }),
    );
    expect(await new SharedCounter(members[0]!, path).get()).toBe(80);
  });

  it("keeps a tree cache in sync, also across a reconnect", async () => {
    const root = uniquePath("cache");
    const [writer] = await openMany(1);
    await writer!.create(root, "r");
    await writer!.create(`${root}/a`, "1");
    const { client, proxy } = await openProxied();
    const cache = new TreeCache(client, root);
    await cache.start();
    expect(cache.paths()).toEqual([root, `${root}/a`]);
    await writer!.create(`${root}/b`, "2");
    await writer!.create(`${root}/b/c`, "3");
    await writer!.setData(`${root}/a`, "1x");
    await eventually(() => cache.get(`${root}/a`)?.data.toString() === "1x" && cache.get(`${root}/b/c`) !== undefined, 10_000, "cache updated");
    expect(cache.children(root)).toEqual(["a", "b"]);
    await writer!.delete(`${root}/b/c`);
    await eventually(() => cache.get(`${root}/b/c`) === undefined, 10_000, "cache removal");

    const disconnected = client.once("disconnected");
    proxy.block();
    await disconnected;
    await writer!.create(`${root}/during`, "d");
    await writer!.delete(`${root}/b`);
    await writer!.setData(root, "r2");
    proxy.unblock();
    await eventually(
      () => cache.get(`${root}/during`) !== undefined && cache.get(`${root}/b`) === undefined && cache.get(root)?.data.toString() === "r2",
      10_000,
      "cache resynchronized after reconnect",
    );
    expect(cache.paths()).toEqual([root, `${root}/a`, `${root}/during`]);
    await writer!.create(`${root}/after`);
    await eventually(() => cache.get(`${root}/after`) !== undefined, 10_000, "watch alive after reconnect");
    await cache.close();
  });
});
