import { CuttableProxy } from "@zkts/testkit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Lock, LockLostError } from "../src/index.js";
import { eventually, killSession, open, uniquePath } from "./support.js";
import { startTarget, targets, type TargetServer } from "./targets.js";

/**
 * A lock holder learns of connection trouble: `suspended` (the lock may be slipping away),
 * `reconnected` (it was held throughout), and `lost` (it is gone; its signal aborts), and a
 * held lock is released at the end of an `await using` block.
 */
describe.each(targets)("lock holders and connection states against %s", (kind) => {
  let server: TargetServer;

  beforeAll(async () => {
    server = await startTarget(kind);
  });
  afterAll(async () => {
    await server?.cleanup();
  });

  it("tells the holder of a suspension and a reconnection; the hold survives and the signal stays quiet", async () => {
    const proxy = await CuttableProxy.start({ host: server.host, port: server.port });
    const client = await open(proxy.connectString);
    try {
      const calls: string[] = [];
      const lock = new Lock(client, uniquePath("suspend"), {
        onSuspended: () => calls.push("suspended"),
        onReconnected: () => calls.push("reconnected"),
        onLost: (reason) => calls.push(`lost: ${reason}`),
      });
      expect(lock.signal.aborted).toBe(true);
      expect(await lock.acquire()).toBe(true);
      const signal = lock.signal;
      expect(signal.aborted).toBe(false);

      proxy.block();
      await eventually(() => calls.includes("suspended"), 10_000, "suspended");
      expect(lock.isSuspended).toBe(true);
      expect(lock.isAcquired).toBe(true);
      proxy.unblock();
      await eventually(() => calls.includes("reconnected"), 10_000, "reconnected");
      expect(lock.isSuspended).toBe(false);
      expect(lock.isAcquired).toBe(true);
      expect(signal.aborted).toBe(false);
      expect(calls).toEqual(["suspended", "reconnected"]);
      await lock.release();
      expect(signal.aborted).toBe(true);
      expect((signal.reason as LockLostError).reason).toBe("released");
    } finally {
      await client.close();
      await proxy.close();
    }
  });

  it("with abortOnSuspend, aborts the hold at the suspension; release() afterwards frees the lock for others", async () => {
    const proxy = await CuttableProxy.start({ host: server.host, port: server.port });
    const holder = await open(proxy.connectString);
    const other = await open(server.connectString);
    const path = uniquePath("abort-on-suspend");
    try {
      const lock = new Lock(holder, path, { abortOnSuspend: true });
      await lock.acquire();
      const signal = lock.signal;
      const aborted = new Promise<unknown>((resolve) => signal.addEventListener("abort", () => resolve(signal.reason)));
      proxy.block();
      const reason = await aborted;
      expect(reason).toBeInstanceOf(LockLostError);
      expect((reason as LockLostError).reason).toBe("the connection was suspended");
      expect(lock.isAcquired).toBe(false);
      // Still the holder on the server until released: others wait.
      expect(await new Lock(other, path).acquire({ timeoutMs: 300 })).toBe(false);
      proxy.unblock();
      await lock.release();
      expect(await new Lock(other, path).acquire({ timeoutMs: 10_000 })).toBe(true);
    } finally {
      await holder.close();
      await other.close();
      await proxy.close();
    }
  });

  it("aborts the signal when the session is lost, and another client takes the lock", async () => {
    const proxy = await CuttableProxy.start({ host: server.host, port: server.port });
    const holder = await open(proxy.connectString);
    const other = await open(server.connectString);
    const path = uniquePath("lost");
    try {
      const lock = new Lock(holder, path);
      await lock.acquire();
      const signal = lock.signal;
      proxy.block();
      await killSession(holder, server.connectString);
      expect(await new Lock(other, path).acquire({ timeoutMs: 10_000 })).toBe(true);
      proxy.unblock();
      await eventually(() => signal.aborted, 15_000, "the holder's signal to abort");
      expect((signal.reason as LockLostError).reason).toBe("the session expired");
      expect(lock.isAcquired).toBe(false);
    } finally {
      await holder.close();
      await other.close();
      await proxy.close();
    }
  });

  it("releases a lock held with `await using` at the end of the block", async () => {
    const client = await open(server.connectString);
    const path = uniquePath("using");
    try {
      {
        await using lock = await new Lock(client, path).hold({ timeoutMs: 10_000 });
        expect(lock.isAcquired).toBe(true);
        expect(await client.getChildren(path)).toHaveLength(1);
      }
      expect(await client.getChildren(path)).toHaveLength(0);
    } finally {
      await client.close();
    }
  });
});
