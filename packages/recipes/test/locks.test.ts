import type { ZkClient } from "@zkts/client";
import { CuttableProxy, fourLetterWord } from "@zkts/testkit";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { Lock, ReadWriteLock, Semaphore } from "../src/index.js";
import { eventually, killSession, open, OverlapChecker, seededRandom, sleep, uniquePath } from "./support.js";
import { startTarget, targets, type TargetServer } from "./targets.js";

describe.each(targets)("locks against %s", (kind) => {
  let server: TargetServer;
  const clients: ZkClient[] = [];

  beforeAll(async () => {
    server = await startTarget(kind);
  });

  afterEach(async () => {
    for (const c of clients.splice(0)) await c.close();
  });

  afterAll(async () => {
    await server?.cleanup();
  });

  /** Paths the server holds watches on for one session, from the wchc four-letter word. */
  async function watchedBy(sessionId: bigint): Promise<string[]> {
    const report = await fourLetterWord(server.host, server.port, "wchc");
    const out: string[] = [];
    let current: bigint | undefined;
    for (const line of report.split("\n")) {
      if (/^0x[0-9a-f]+/i.test(line.trim())) current = BigInt(line.trim().split(/\s/)[0]!);
      else if (line.trim().startsWith("/") && current === sessionId) out.push(line.trim());
    }
    return out.sort();
  }

  async function openMany(n: number, connectString = server.connectString): Promise<ZkClient[]> {
    const out: ZkClient[] = [];
    for (let i = 0; i < n; i++) out.push(await open(connectString));
    clients.push(...out);
    return out;
  }

  it("lets 20 competing clients hold the lock one at a time", async () => {
    const seed = Number(process.env.RECIPE_SEED ?? Date.now() % 100_000);
    console.log(`lock contention seed: ${seed}`);
    const random = seededRandom(seed);
    const path = uniquePath("lock20");
    const checker = new OverlapChecker();
    const members = await openMany(20);
    const rounds = 3;
    await Promise.all(
      members.map(async (client, i) => {
        for (let r = 0; r < rounds; r++) {
          const lock = new Lock(client, path, { identifier: `client-${i}` });
          expect(await lock.acquire({ timeoutMs: 60_000 })).toBe(true);
          checker.enter(`client-${i}`);
          await sleep(Math.floor(random() * 4));
          checker.exit(`client-${i}`);
          await lock.release();
        }
      }),
    );
    expect(checker.violations).toEqual([]);
    expect(checker.entries).toBe(20 * rounds);
    expect(await members[0]!.getChildren(path)).toEqual([]);
  });

  it("makes each waiter watch only its predecessor (no herd effect)", async () => {
    const path = uniquePath("noherd");
    const members = await openMany(4);
    const locks = members.map((c) => new Lock(c, path));
    expect(await locks[0]!.acquire()).toBe(true);
    const waiting = locks.slice(1).map((l) => l.acquire());
    await eventually(async () => (await members[0]!.getChildren(path)).length === 4, 10_000, "all contenders queued");
    await eventually(() => locks.every((l) => l.nodeName !== undefined), 10_000, "node names known");
    // Waiters queued concurrently, so order them by their sequence numbers, not by index.
    const order = [0, 1, 2, 3].sort((a, b) => Number(locks[a]!.nodeName!.slice(-10)) - Number(locks[b]!.nodeName!.slice(-10)));
    expect(order[0]).toBe(0);
    const nodeOf = (rank: number) => `${path}/${locks[order[rank]!]!.nodeName}`;
    // Watches per session from the server's wchc report (checkWatches on ZooKeeper 3.8 answers
    // for any session's watch on a path, so it cannot tell who watches what).
    for (let rank = 1; rank < 4; rank++) {
      const sessionId = members[order[rank]!]!.sessionId;
      await eventually(async () => (await watchedBy(sessionId)).includes(nodeOf(rank - 1)), 10_000, `waiter ${rank} watching`);
      expect(await watchedBy(sessionId)).toEqual([nodeOf(rank - 1)]);
    }
    await locks[0]!.release();
    for (let rank = 1; rank < 4; rank++) {
      const index = order[rank]!;
      await waiting[index - 1];
      expect(locks[index]!.isAcquired).toBe(true);
      await locks[index]!.release();
    }
  });

  it("passes the lock on when the holder's session is killed, and tells the holder", async () => {
    const path = uniquePath("lockkill");
    const proxy = await CuttableProxy.start({ host: server.host, port: server.port });
    try {
      const holderClient = await open(proxy.connectString);
      clients.push(holderClient);
      const [waiterClient] = await openMany(1);
      const lost: string[] = [];
      const holder = new Lock(holderClient, path, { onLost: (reason) => lost.push(reason) });
      expect(await holder.acquire()).toBe(true);
      const waiter = new Lock(waiterClient!, path);
      const acquired = waiter.acquire({ timeoutMs: 30_000 });
      await eventually(async () => (await waiterClient!.getChildren(path)).length === 2, 10_000, "waiter queued");
      const disconnected = holderClient.once("disconnected");
      proxy.block();
      await disconnected;
      await killSession(holderClient, server.connectString);
      expect(await acquired).toBe(true);
      proxy.unblock();
      await eventually(() => lost.length === 1, 15_000, "holder told of the loss");
      expect(holder.isAcquired).toBe(false);
      await waiter.release();
    } finally {
      await proxy.close();
    }
  });

  it("times out an acquire and leaves no node behind", async () => {
    const path = uniquePath("locktimeout");
    const [a, b] = await openMany(2);
    const holder = new Lock(a!, path);
    await holder.acquire();
    const waiter = new Lock(b!, path);
    expect(await waiter.acquire({ timeoutMs: 300 })).toBe(false);
    expect((await a!.getChildren(path)).length).toBe(1);
    await holder.release();
  });

  it("shares a read lock among readers and excludes the writer", async () => {
    const path = uniquePath("rwlock");
    const [r1, r2, w] = await openMany(3);
    const read1 = new ReadWriteLock(r1!, path).readLock();
    const read2 = new ReadWriteLock(r2!, path).readLock();
    const write = new ReadWriteLock(w!, path).writeLock();
    expect(await read1.acquire()).toBe(true);
    expect(await read2.acquire({ timeoutMs: 5000 })).toBe(true);
    let writerIn = false;
    const writing = write.acquire().then((ok) => (writerIn = ok));
    await sleep(200);
    expect(writerIn).toBe(false);
    await read1.release();
    await sleep(100);
    expect(writerIn).toBe(false);
    await read2.release();
    await writing;
    expect(writerIn).toBe(true);
    const lateReader = new ReadWriteLock(r1!, path).readLock();
    expect(await lateReader.acquire({ timeoutMs: 300 })).toBe(false);
    await write.release();
  });

  it("frees a semaphore lease when its holder's session is killed", async () => {
    const path = uniquePath("semkill");
    const proxy = await CuttableProxy.start({ host: server.host, port: server.port });
    try {
      const victim = await open(proxy.connectString);
      clients.push(victim);
      const [a, b] = await openMany(2);
      const leaseA = new Semaphore(a!, path, 2);
      const leaseV = new Semaphore(victim, path, 2);
      expect(await leaseA.acquire()).toBe(true);
      expect(await leaseV.acquire()).toBe(true);
      const leaseB = new Semaphore(b!, path, 2);
      const waiting = leaseB.acquire({ timeoutMs: 30_000 });
      await eventually(async () => (await a!.getChildren(path)).length === 3, 10_000, "third contender queued");
      const disconnected = victim.once("disconnected");
      proxy.block();
      await disconnected;
      await killSession(victim, server.connectString);
      expect(await waiting).toBe(true);
      expect(leaseA.isAcquired && leaseB.isAcquired).toBe(true);
      await leaseA.release();
      await leaseB.release();
    } finally {
      await proxy.close();
    }
  });

  it("admits at most `permits` holders of a semaphore", async () => {
    const path = uniquePath("sem");
    const members = await openMany(8);
    const checker = new OverlapChecker(3);
    await Promise.all(
      members.map(async (client, i) => {
        const sem = new Semaphore(client, path, 3);
        expect(await sem.acquire({ timeoutMs: 60_000 })).toBe(true);
        checker.enter(`client-${i}`);
        await sleep(30);
        checker.exit(`client-${i}`);
        await sem.release();
      }),
    );
    expect(checker.violations).toEqual([]);
    expect(checker.entries).toBe(8);
    expect(checker.maxInside).toBeGreaterThan(1);
  });
});
