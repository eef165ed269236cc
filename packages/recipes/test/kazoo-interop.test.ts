import type { ZkClient } from "@zkts/client";
import { runKazoo } from "@zkts/testkit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { LeaderElection, Lock, ReadWriteLock } from "../src/index.js";
import { eventually, open, uniquePath } from "./support.js";
import { startTarget, targets, type TargetServer } from "./targets.js";

/**
 * Cross-client locking with kazoo's own Lock recipe. Both name their nodes
 * `<32 hex>__lock__<sequence>` under the lock path, and both order contenders by the sequence
 * suffix, so a kazoo holder blocks a zkts waiter and the reverse.
 */
describe.each(targets)("lock interop with kazoo against %s", (kind) => {
  let server: TargetServer;
  let client: ZkClient;

  beforeAll(async () => {
    server = await startTarget(kind);
    client = await open(server.connectString);
  });

  afterAll(async () => {
    await client?.close();
    await server?.cleanup();
  });

  const kazooPrelude = (hosts: string) => `
import sys, time
from kazoo.client import KazooClient
zk = KazooClient(hosts="${hosts}", timeout=10)
zk.start(timeout=20)
`;

  it("waits while kazoo holds the lock", async () => {
    const path = uniquePath("kazoo-holds");
    const state = `${path}-state`;
    const script = `${kazooPrelude(server.connectString)}
lock = zk.Lock("${path}", "kazoo-holder")
lock.acquire(timeout=20)
zk.create("${state}", b"held")
time.sleep(1.5)
zk.set("${state}", b"released")
lock.release()
print("DONE")
zk.stop()
`;
    const kazoo = runKazoo(script, { timeoutMs: 60_000 });
    await eventually(async () => (await client.exists(state)) !== null, 30_000, "kazoo holding the lock");
    const children = await client.getChildren(path);
    expect(children).toHaveLength(1);
    expect(children[0]).toMatch(/^[0-9a-f]{32}__lock__\d{10}$/);
    const lock = new Lock(client, path, { identifier: "zkts-waiter" });
    expect(await lock.acquire({ timeoutMs: 30_000 })).toBe(true);
    expect((await client.getData(state)).data.toString()).toBe("released");
    await lock.release();
    const result = await kazoo;
    expect(result.stdout).toContain("DONE");
    expect(result.code).toBe(0);
  });

  it("makes kazoo wait while a zkts lock is held, and kazoo sees the holder", async () => {
    const path = uniquePath("zkts-holds");
    const state = `${path}-state`;
    const lock = new Lock(client, path, { identifier: "zkts-holder" });
    expect(await lock.acquire()).toBe(true);
    await client.create(state, "held");
    const script = `${kazooPrelude(server.connectString)}
lock = zk.Lock("${path}", "kazoo-waiter")
print("CONTENDERS", ",".join(lock.contenders()))
from kazoo.exceptions import LockTimeout
try:
    print("FIRST", lock.acquire(timeout=0.5))
except LockTimeout:
    print("FIRST timeout")
zk.create("${path}-kazoo-waiting", b"")
print("SECOND", lock.acquire(timeout=30))
print("STATE", zk.get("${state}")[0].decode())
lock.release()
zk.stop()
`;
    const kazoo = runKazoo(script, { timeoutMs: 60_000 });
    let finished = false;
    void kazoo.then(() => (finished = true));
    await eventually(async () => finished || (await client.exists(`${path}-kazoo-waiting`)) !== null, 30_000, "kazoo waiting");
    if (finished) expect((await kazoo).stderr).toBe("");
    await eventually(async () => (await client.getChildren(path)).length === 2, 10_000, "kazoo queued");
    await client.setData(state, "released");
    await lock.release();
    const result = await kazoo;
    expect(result.code).toBe(0);
    expect(result.stdout).toContain("CONTENDERS zkts-holder");
    expect(result.stdout).toContain("FIRST timeout");
    expect(result.stdout).toContain("SECOND True");
    expect(result.stdout).toContain("STATE released");
  });

  it("shares read locks with kazoo, excludes kazoo's writer, and shows election candidates", async () => {
    const rwPath = uniquePath("kazoo-rw");
    const electionPath = uniquePath("kazoo-election");
    const reader = new ReadWriteLock(client, rwPath).readLock({ identifier: "zkts-reader" });
    expect(await reader.acquire()).toBe(true);
    const election = new LeaderElection(client, electionPath, { identifier: "zkts-leader" });
    expect(await election.elect()).toBe(true);
    const script = `${kazooPrelude(server.connectString)}
from kazoo.exceptions import LockTimeout
rlock = zk.ReadLock("${rwPath}", "kazoo-reader")
print("READ", rlock.acquire(timeout=10))
rlock.release()
wlock = zk.WriteLock("${rwPath}", "kazoo-writer")
try:
    print("WRITE", wlock.acquire(timeout=0.5))
except LockTimeout:
    print("WRITE timeout")
print("CANDIDATES", ",".join(zk.Election("${electionPath}", "kazoo").contenders()))
zk.stop()
`;
    const result = await runKazoo(script, { timeoutMs: 60_000 });
    expect(result.stderr).toBe("");
    expect(result.stdout).toContain("READ True");
    expect(result.stdout).toContain("WRITE timeout");
    expect(result.stdout).toContain("CANDIDATES zkts-leader");
    await reader.release();
    await election.resign();
  });
});
