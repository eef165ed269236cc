import { CuttableProxy } from "@zkts/testkit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { connect, ErrorCode, type ZkClient } from "../src/index.js";
import { EventRecorder, eventually, killSession, open, uniquePath } from "./support.js";
import { startTarget, targets, type TargetServer } from "./targets.js";

/**
 * Server behaviours a client depends on, pinned to what ZooKeeper 3.8 does. Each assertion
 * here was first observed against the reference server; a failure against zkts is a
 * compatibility difference of the server.
 */
describe.each(targets)("server behaviour the client relies on, against %s", (kind) => {
  let server: TargetServer;
  let client: ZkClient;

  beforeAll(async () => {
    server = await startTarget(kind, { tickTime: 2000 });
    client = await open(server.connectString);
  });

  afterAll(async () => {
    await client?.close();
    await server?.cleanup();
  });

  it("clamps the session timeout to 2..20 ticks", async () => {
    const short = await connect(server.connectString, { sessionTimeoutMs: 1000 });
    const long = await connect(server.connectString, { sessionTimeoutMs: 100_000 });
    expect(short.sessionTimeoutMs).toBe(4000);
    expect(long.sessionTimeoutMs).toBe(40_000);
    await short.close();
    await long.close();
  });

  it("refuses TTL nodes unless extended types are enabled", async () => {
    await expect(client.create(uniquePath("ttl"), null, { mode: "PERSISTENT_WITH_TTL", ttlMs: 1000 })).rejects.toMatchObject({ codeName: "UNIMPLEMENTED" });
  });

  it("rejects an empty ACL with INVALIDACL", async () => {
    await expect(client.create(uniquePath("noacl"), null, { acl: [] })).rejects.toMatchObject({ codeName: "INVALIDACL" });
  });

  it("names sequential nodes from the count of child creates, not deletes", async () => {
    const path = uniquePath("seq");
    await client.create(path);
    await client.create(`${path}/a`);
    await client.delete(`${path}/a`);
    const seq = await client.create(`${path}/s-`, null, { mode: "PERSISTENT_SEQUENTIAL" });
    expect(seq.path).toBe(`${path}/s-0000000001`);
    const stat = await client.exists(path);
    expect(stat).toMatchObject({ cversion: 3, numChildren: 1 });
  });

  it("answers whoAmI with the ip identity when no credentials were added", async () => {
    expect(await client.whoAmI()).toEqual([{ authScheme: "ip", user: "127.0.0.1" }]);
  });

  it("holds the system nodes under /zookeeper", async () => {
    expect((await client.getChildren("/zookeeper")).sort()).toEqual(["config", "quota"]);
    const config = await client.getConfig();
    expect(config.data.length).toBe(0);
  });

  it("registers an exists watch on a missing node and keeps it across a reconnect", async () => {
    const path = uniquePath("existswatch");
    const proxy = await CuttableProxy.start({ host: server.host, port: server.port });
    const c = await open(proxy.connectString);
    try {
      const watcher = new EventRecorder();
      expect(await c.exists(path, watcher.listener)).toBeNull();
      expect(await c.checkWatches(path, "data")).toBe(true);
      const reconnected = c.once("connected");
      proxy.sever();
      await reconnected;
      expect(await c.checkWatches(path, "data")).toBe(true);
      await client.create(path);
      expect((await watcher.waitFor(1))[0]).toMatchObject({ type: "NodeCreated", path });
    } finally {
      await c.close();
      await proxy.close();
    }
  });

  it("replays NodeDeleted for data and child watches on reconnect when the node went away", async () => {
    const path = uniquePath("gone");
    await client.create(path);
    const proxy = await CuttableProxy.start({ host: server.host, port: server.port });
    const c = await open(proxy.connectString);
    try {
      const onData = new EventRecorder();
      const onChildren = new EventRecorder();
      await c.getData(path, onData.listener);
      await c.getChildren(path, onChildren.listener);
      const disconnected = c.once("disconnected");
      proxy.block();
      await disconnected;
      await client.delete(path);
      proxy.unblock();
      expect((await onData.waitFor(1))[0]).toMatchObject({ type: "NodeDeleted", path });
      expect((await onChildren.waitFor(1))[0]).toMatchObject({ type: "NodeDeleted", path });
    } finally {
      await c.close();
      await proxy.close();
    }
  });

  it("sends notifications with zxid -1 (3.8 behaviour)", async () => {
    const path = uniquePath("notezxid");
    const watcher = new EventRecorder();
    await client.exists(path, watcher.listener);
    await client.create(path);
    expect((await watcher.waitFor(1))[0]!.zxid).toBe(-1n);
  });

  it("refuses to resume a closed session", async () => {
    const c = await open(server.connectString);
    const session = { sessionId: c.sessionId, passwd: c.sessionPassword };
    await c.close();
    await expect(connect(server.connectString, { session, sessionTimeoutMs: 4000 })).rejects.toMatchObject({ codeName: "SESSIONEXPIRED" });
  });

  it("refuses to resume a session with a wrong password", async () => {
    const session = { sessionId: client.sessionId, passwd: Buffer.alloc(16, 1) };
    await expect(connect(server.connectString, { session, sessionTimeoutMs: 4000 })).rejects.toMatchObject({ codeName: "SESSIONEXPIRED" });
    // The attempt costs the rightful owner its connection (the server drops the old
    // connection before checking the password), but not its session.
    const sessionId = client.sessionId;
    await eventually(
      () =>
        client.exists("/").then(
          (stat) => stat !== null,
          () => false,
        ),
      10_000,
      "owner usable again",
    );
    expect(client.sessionId).toBe(sessionId);
  });

  it("fires the watches of a killed session's ephemerals for other clients", async () => {
    const path = uniquePath("killeph");
    const proxy = await CuttableProxy.start({ host: server.host, port: server.port });
    const victim = await open(proxy.connectString);
    try {
      await victim.create(path, null, { mode: "EPHEMERAL" });
      const watcher = new EventRecorder();
      await client.exists(path, watcher.listener);
      const disconnected = victim.once("disconnected");
      proxy.block();
      await disconnected;
      await killSession(victim, server.connectString);
      expect((await watcher.waitFor(1))[0]).toMatchObject({ type: "NodeDeleted", path });
    } finally {
      await victim.close();
      await proxy.close();
    }
  });

  it("answers multiRead with per-op results", async () => {
    const results = await client.multiRead([{ type: "getChildren", path: "/zookeeper" }]);
    expect(results[0]).toMatchObject({ children: expect.arrayContaining(["config", "quota"]) });
  });

  it("checks extended types before the TTL value", async () => {
    await expect(client.create(uniquePath("ttl0"), null, { mode: "PERSISTENT_WITH_TTL", ttlMs: 0 })).rejects.toMatchObject({ code: ErrorCode.UNIMPLEMENTED });
  });
});
