import { CuttableProxy, runKazoo } from "@zkts/testkit";
import { beforeAll, describe, expect, it } from "vitest";
import { LockingQueue } from "../../src/index.js";
import { eventually, killSession, open, uniquePath } from "../support.js";
import type { TargetServer } from "../targets.js";

/** The locking queue cases against one running server of each kind. */
export function lockingQueueTests(getServer: () => TargetServer): void {
  describe("locking queue", () => {
    let server: TargetServer;

    beforeAll(() => {
      server = getServer();
    });

    it("serves by priority then arrival, locks what it hands out, and release gives it back", async () => {
      const path = uniquePath("locking-queue");
      const a = await open(server.connectString);
      const b = await open(server.connectString);
      try {
        const producer = new LockingQueue(a, path);
        await producer.put("late", 200);
        await producer.putAll(["first", "second"], 5);
        await producer.put("middle");
        const first = new LockingQueue(a, path);
        const second = new LockingQueue(b, path);
        expect((await first.get())?.toString()).toBe("first");
        // The held entry comes back again until it is consumed or released.
        expect((await first.get())?.toString()).toBe("first");
        expect((await second.get())?.toString()).toBe("second");
        expect(await second.release()).toBe(true);
        expect(await second.release()).toBe(false);
        expect((await second.get())?.toString()).toBe("second");
        expect(await first.consume()).toBe(true);
        expect(await first.holdsLock()).toBe(false);
        expect(await producer.length()).toBe(3);
        expect((await first.get())?.toString()).toBe("middle");
        expect(await second.consume()).toBe(true);
        expect(await first.consume()).toBe(true);
        expect((await first.get())?.toString()).toBe("late");
        expect(await first.consume()).toBe(true);
        expect(await first.get({ timeoutMs: 150 })).toBeUndefined();
        // A waiting get() wakes for a new entry.
        const waiting = second.get({ timeoutMs: 10_000 });
        await producer.put("wake");
        expect((await waiting)?.toString()).toBe("wake");
        expect(await second.consume()).toBe(true);
        expect(await producer.length()).toBe(0);
      } finally {
        await a.close();
        await b.close();
      }
    });

    it("a consumer whose session is lost loses its lock, and the entry goes to the next consumer", async () => {
      const path = uniquePath("locking-queue-loss");
      const proxy = await CuttableProxy.start({ host: server.host, port: server.port });
      const doomedClient = await open(proxy.connectString);
      const other = await open(server.connectString);
      try {
        await new LockingQueue(other, path).put("job");
        const doomed = new LockingQueue(doomedClient, path);
        expect((await doomed.get())?.toString()).toBe("job");
        const next = new LockingQueue(other, path);
        expect(await next.get({ timeoutMs: 150 })).toBeUndefined();
        const waiting = next.get({ timeoutMs: 15_000 });
        proxy.block();
        await killSession(doomedClient, server.connectString);
        proxy.unblock();
        expect((await waiting)?.toString()).toBe("job");
        await eventually(() => doomedClient.connectionState === "lost", 10_000, "the loss to reach the doomed client");
        expect(await doomed.holdsLock()).toBe(false);
        expect(await doomed.consume()).toBe(false);
        expect(await next.consume()).toBe(true);
      } finally {
        await doomedClient.close();
        await other.close();
        await proxy.close();
      }
    });

    it("shares entries with kazoo's LockingQueue in both directions", async () => {
      const path = uniquePath("locking-queue-kazoo");
      const client = await open(server.connectString);
      const script = `
import time
from kazoo.client import KazooClient
zk = KazooClient(hosts="${server.connectString}", timeout=10)
zk.start(timeout=20)
q = zk.LockingQueue("${path}")
q.put(b"k-low", priority=500)
q.put_all([b"k-high-1", b"k-high-2"], priority=10)
zk.create("${path}-kazoo-put")
for _ in range(400):
    if zk.exists("${path}-zkts-holds"):
        break
    time.sleep(0.05)
got = q.get(timeout=10)
print("KAZOO_GOT", got.decode())
print("KAZOO_HOLDS", q.holds_lock())
print("KAZOO_CONSUMED", q.consume())
print("KAZOO_NEXT", q.get(timeout=10).decode())
print("KAZOO_CONSUMED", q.consume())
print("LEN", len(q))
zk.stop()
`;
      try {
        const kazoo = runKazoo(script, { timeoutMs: 60_000 });
        let finished = false;
        void kazoo.then(() => (finished = true));
        await eventually(async () => finished || (await client.exists(`${path}-kazoo-put`)) !== null, 30_000, "kazoo's entries");
        const queue = new LockingQueue(client, path);
        await queue.put("z-mid", 100);
        expect((await queue.get())?.toString()).toBe("k-high-1");
        expect(await queue.holdsLock()).toBe(true);
        await client.create(`${path}-zkts-holds`);
        const result = await kazoo;
        expect(result.stderr).toBe("");
        // kazoo skips the entry zkts holds and serves in the same order.
        expect(result.stdout).toContain("KAZOO_GOT k-high-2");
        expect(result.stdout).toContain("KAZOO_HOLDS True");
        expect(result.stdout).toContain("KAZOO_NEXT z-mid");
        expect(result.stdout).toContain("LEN 2");
        expect(await queue.consume()).toBe(true);
        expect((await queue.get())?.toString()).toBe("k-low");
        expect(await queue.consume()).toBe(true);
        expect(await queue.length()).toBe(0);
      } finally {
        await client.close();
      }
    });
  });
}
