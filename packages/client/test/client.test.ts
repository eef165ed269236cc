import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { digestAcl, ErrorCode, Perms, ZkError, type ZkClient } from "../src/index.js";
import { EventRecorder, open, uniquePath } from "./support.js";
import { startTarget, targets, type TargetServer } from "./targets.js";

/** The operation surface against a real server: every op, its typed result and its errors. */
describe.each(targets)("client operations against %s", (kind) => {
  let server: TargetServer;
  let client: ZkClient;
  const others: ZkClient[] = [];

  beforeAll(async () => {
    server = await startTarget(kind, { config: { extendedTypesEnabled: "true" } });
    client = await open(server.connectString);
  });

  afterAll(async () => {
    for (const c of others) await c.close();
    await client?.close();
    await server?.cleanup();
  });

  async function another(suffix = ""): Promise<ZkClient> {
    const c = await open(server.connectString + suffix);
    others.push(c);
    return c;
  }

  it("creates, reads, updates and deletes with stats and versions", async () => {
    const path = uniquePath("crud");
    const created = await client.create(path, "v0");
    expect(created.path).toBe(path);
    expect(created.stat.version).toBe(0);
    expect(created.stat.dataLength).toBe(2);
    const read = await client.getData(path);
    expect(read.data.toString()).toBe("v0");
    expect(read.stat.czxid).toBe(created.stat.czxid);
    const stat = await client.setData(path, "v1", 0);
    expect(stat.version).toBe(1);
    expect(stat.mzxid > created.stat.mzxid).toBe(true);
    await expect(client.setData(path, "v2", 0)).rejects.toMatchObject({ name: "ZkError", code: ErrorCode.BADVERSION, codeName: "BADVERSION" });
    expect((await client.exists(path))?.version).toBe(1);
    await client.delete(path, 1);
    expect(await client.exists(path)).toBeNull();
    await expect(client.getData(path)).rejects.toMatchObject({ codeName: "NONODE", path });
    await expect(client.delete(path)).rejects.toBeInstanceOf(ZkError);
  });

  it("pipelines many requests and applies them in the order they were issued", async () => {
    const path = uniquePath("pipeline");
    await client.create(path, "0");
    const writes = Array.from({ length: 300 }, (_, i) => client.setData(path, String(i + 1)));
    const reads = Array.from({ length: 50 }, () => client.getData(path));
    const stats = await Promise.all(writes);
    expect(stats.map((s) => s.version)).toEqual(Array.from({ length: 300 }, (_, i) => i + 1));
    for (const read of await Promise.all(reads)) expect(read.data.toString()).toBe("300");
  });

  it("reports NODEEXISTS, NOTEMPTY and NOCHILDRENFOREPHEMERALS", async () => {
    const path = uniquePath("errs");
    await client.create(path);
    await client.create(`${path}/child`);
    await expect(client.create(path)).rejects.toMatchObject({ codeName: "NODEEXISTS" });
    await expect(client.delete(path)).rejects.toMatchObject({ codeName: "NOTEMPTY" });
    const eph = await client.create(`${path}/eph`, null, { mode: "EPHEMERAL" });
    await expect(client.create(`${eph.path}/x`)).rejects.toMatchObject({ codeName: "NOCHILDRENFOREPHEMERALS" });
    await expect(client.create(`${path}/missing/x`)).rejects.toMatchObject({ codeName: "NONODE" });
  });

  it("creates sequential, ephemeral, container and TTL nodes", async () => {
    const path = uniquePath("modes");
    await client.create(path);
    const a = await client.create(`${path}/s-`, null, { mode: "PERSISTENT_SEQUENTIAL" });
    const b = await client.create(`${path}/s-`, null, { mode: "EPHEMERAL_SEQUENTIAL" });
    expect(a.path).toMatch(new RegExp(`^${path}/s-\\d{10}$`));
    expect(Number(b.path.slice(-10))).toBe(Number(a.path.slice(-10)) + 1);
    expect(b.stat.ephemeralOwner).toBe(client.sessionId);
    const container = await client.create(`${path}/c`, null, { mode: "CONTAINER" });
    expect(container.stat.ephemeralOwner).toBe(0n);
    const ttl = await client.create(`${path}/t`, "x", { mode: "PERSISTENT_WITH_TTL", ttlMs: 60_000 });
    expect(ttl.stat.ephemeralOwner).toBe(0n);
    const ttlSeq = await client.create(`${path}/ts-`, "x", { mode: "PERSISTENT_SEQUENTIAL_WITH_TTL", ttlMs: 60_000 });
    expect(ttlSeq.path).toMatch(/ts-\d{10}$/);
    expect(await client.getEphemerals(path)).toEqual([b.path]);
  });

  it("removes ephemerals when their session closes", async () => {
    const path = uniquePath("eph");
    await client.create(path);
    const owner = await another();
    await owner.create(`${path}/e`, null, { mode: "EPHEMERAL" });
    const watcher = new EventRecorder();
    expect(await client.exists(`${path}/e`, watcher.listener)).not.toBeNull();
    await owner.close();
    const [event] = await watcher.waitFor(1);
    expect(event).toMatchObject({ type: "NodeDeleted", path: `${path}/e`, state: "SyncConnected" });
  });

  it("lists children with stat and counts descendants", async () => {
    const path = uniquePath("kids");
    await client.create(path);
    for (const name of ["a", "b", "c"]) await client.create(`${path}/${name}`);
    await client.create(`${path}/a/deep`);
    expect((await client.getChildren(path)).sort()).toEqual(["a", "b", "c"]);
    const withStat = await client.getChildrenWithStat(path);
    expect(withStat.stat.numChildren).toBe(3);
    expect(withStat.stat.cversion).toBe(3);
    expect(await client.getAllChildrenNumber(path)).toBe(4);
    expect(await client.sync(path)).toBe(path);
  });

  it("enforces digest ACLs and reports identities with whoAmI", async () => {
    const path = uniquePath("acl");
    const owner = await another();
    await owner.addAuth("digest", "alice:secret");
    expect(await owner.whoAmI()).toContainEqual({ authScheme: "digest", user: "alice" });
    await owner.create(path, "private", { acl: [digestAcl("alice", "secret")] });
    const stranger = await another();
    await expect(stranger.getData(path)).rejects.toMatchObject({ codeName: "NOAUTH" });
    const acl = await owner.getACL(path);
    expect(acl.acl).toEqual([digestAcl("alice", "secret")]);
    const stat = await owner.setACL(path, [digestAcl("alice", "secret"), { perms: Perms.READ, id: { scheme: "world", id: "anyone" } }], 0);
    expect(stat.aversion).toBe(1);
    expect((await stranger.getData(path)).data.toString()).toBe("private");
    await expect(stranger.setData(path, "x")).rejects.toMatchObject({ codeName: "NOAUTH" });
    await expect(owner.setACL(path, [], -1)).rejects.toMatchObject({ codeName: "INVALIDACL" });
  });

  it("reports an unknown auth scheme as AUTHFAILED and ends the session", async () => {
    const c = await another();
    const failed = c.once("authFailed");
    await expect(c.addAuth("nosuchscheme", "whatever")).rejects.toMatchObject({ codeName: "AUTHFAILED" });
    await failed;
    expect(c.state).toBe("authFailed");
    await expect(c.exists("/")).rejects.toMatchObject({ codeName: "AUTHFAILED" });
  });

  it("runs an atomic multi and reports the failing op without applying any", async () => {
    const path = uniquePath("multi");
    const results = await client.transaction().create(path, "a").create(`${path}/x`).setData(path, "b").check(path, 1).commit();
    expect(results.map((r) => r.type)).toEqual(["create", "create", "setData", "check"]);
    expect(results[0]).toMatchObject({ type: "create", path });
    const failure = await client
      .transaction()
      .delete(`${path}/x`)
      .check(path, 99)
      .commit()
      .catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(ZkError);
    expect(failure).toMatchObject({ codeName: "BADVERSION", failedOpIndex: 1, opCodes: [0, ErrorCode.BADVERSION] });
    expect(await client.exists(`${path}/x`)).not.toBeNull();
    const reads = await client.multiRead([
      { type: "getData", path },
      { type: "getChildren", path },
      { type: "getData", path: `${path}/none` },
    ]);
    expect(reads[0]).toMatchObject({ data: Buffer.from("b") });
    expect(reads[1]).toEqual({ children: ["x"] });
    expect(reads[2]).toMatchObject({ codeName: "NONODE" });
  });

  it("fires one-shot data, child and exists watches exactly once", async () => {
    const path = uniquePath("watch");
    const onCreate = new EventRecorder();
    expect(await client.exists(path, onCreate.listener)).toBeNull();
    await client.create(path, "a");
    expect((await onCreate.waitFor(1))[0]).toMatchObject({ type: "NodeCreated", path });
    const onData = new EventRecorder();
    const onChildren = new EventRecorder();
    await client.getData(path, onData.listener);
    await client.getChildren(path, onChildren.listener);
    await client.setData(path, "b");
    await client.setData(path, "c");
    await client.create(`${path}/k`);
    await client.create(`${path}/l`);
    await onData.waitFor(1);
    await onChildren.waitFor(1);
    await client.sync(path);
    // A round trip after the changes: had the watches re-fired, the events would be here.
    await client.getData(path);
    expect(onData.events.map((e) => e.type)).toEqual(["NodeDataChanged"]);
    expect(onChildren.events.map((e) => e.type)).toEqual(["NodeChildrenChanged"]);
  });

  it("streams data and children snapshots as async iterators", async () => {
    const path = uniquePath("snap");
    const data = client.watchData(path);
    expect(await data.next()).toEqual({ value: { data: null, stat: null }, done: false });
    await client.create(path, "one");
    const created = await data.next();
    expect(created.value?.data?.toString()).toBe("one");
    const children = client.watchChildren(path);
    expect((await children.next()).value).toEqual([]);
    await client.create(`${path}/k`);
    expect((await children.next()).value).toEqual(["k"]);
    await client.setData(path, "two");
    expect((await data.next()).value?.data?.toString()).toBe("two");
    await client.delete(`${path}/k`);
    expect((await children.next()).value).toEqual([]);
    await client.delete(path);
    expect((await data.next()).value).toEqual({ data: null, stat: null });
    expect(await children.next()).toEqual({ value: undefined, done: true });
    await data.return();
  });

  it("checks and removes watches", async () => {
    const path = uniquePath("rmwatch");
    await client.create(path);
    const watcher = new EventRecorder();
    await client.getData(path, watcher.listener);
    expect(await client.checkWatches(path, "data")).toBe(true);
    expect(await client.checkWatches(path, "children")).toBe(false);
    await client.removeWatches(path, "data");
    expect((await watcher.waitFor(1))[0]).toMatchObject({ type: "DataWatchRemoved", path });
    expect(await client.checkWatches(path, "data")).toBe(false);
    await expect(client.removeWatches(path, "children")).rejects.toMatchObject({ codeName: "NOWATCHER" });
  });

  it("removes watches on the client alone while no server answers, when asked to (zkCli's removewatches -l)", async () => {
    const own = await startTarget(kind);
    const lonely = await open(own.connectString);
    try {
      const path = uniquePath("rmlocal");
      await lonely.create(path);
      const watcher = new EventRecorder();
      await lonely.getData(path, watcher.listener);
      await own.cleanup();
      for (let i = 0; i < 100 && lonely.state === "connected"; i++) await new Promise((r) => setTimeout(r, 50));
      expect(lonely.state).toBe("connecting");
      await lonely.removeWatches(path, "data", { local: true });
      expect((await watcher.waitFor(1)).map((e) => e.type)).toContain("DataWatchRemoved");
    } finally {
      await lonely.close();
      await own.cleanup();
    }
  });

  it("delivers persistent recursive watches as an async iterator that stays registered", async () => {
    const path = uniquePath("persist");
    await client.create(path);
    const stream = await client.watchPersistent(path, { recursive: true });
    await client.create(`${path}/a`);
    await client.setData(`${path}/a`, "1");
    await client.setData(`${path}/a`, "2");
    await client.delete(`${path}/a`);
    const seen: string[] = [];
    for await (const event of stream) {
      seen.push(`${event.type} ${event.path}`);
      if (seen.length === 4) break;
    }
    expect(seen).toEqual([`NodeCreated ${path}/a`, `NodeDataChanged ${path}/a`, `NodeDataChanged ${path}/a`, `NodeDeleted ${path}/a`]);
    expect(await client.checkWatches(path, "any")).toBe(false);
  });

  it("delivers non-recursive persistent watches including child changes", async () => {
    const path = uniquePath("persist1");
    await client.create(path);
    const recorder = new EventRecorder();
    await client.addWatch(path, "persistent", recorder.listener);
    await client.create(`${path}/a`);
    await client.create(`${path}/a/deeper`);
    await client.setData(path, "x");
    await recorder.waitFor(2);
    await client.sync(path);
    await client.getData(path);
    expect(recorder.events.map((e) => e.type)).toEqual(["NodeChildrenChanged", "NodeDataChanged"]);
    await client.removeWatches(path, "persistent");
    await recorder.waitFor(3);
    expect(recorder.events[2]!.type).toBe("PersistentWatchRemoved");
  });

  it("confines a chrooted client to its subtree", async () => {
    const root = uniquePath("chroot");
    await client.create(root);
    const jailed = await another(root);
    const created = await jailed.create("/a", "in");
    expect(created.path).toBe("/a");
    expect((await client.getData(`${root}/a`)).data.toString()).toBe("in");
    expect(await jailed.getChildren("/")).toEqual(["a"]);
    const watcher = new EventRecorder();
    await jailed.getData("/a", watcher.listener);
    await client.setData(`${root}/a`, "changed");
    expect((await watcher.waitFor(1))[0]).toMatchObject({ type: "NodeDataChanged", path: "/a" });
    const seq = await jailed.create("/s-", null, { mode: "EPHEMERAL_SEQUENTIAL" });
    expect(seq.path).toMatch(/^\/s-\d{10}$/);
    expect(await jailed.getEphemerals("/")).toEqual([seq.path]);
    const results = await jailed.transaction().create("/m").commit();
    expect(results[0]).toMatchObject({ path: "/m" });
    const stream = await jailed.watchPersistent("/", { recursive: true });
    await client.create(`${root}/b`);
    const first = await stream.next();
    expect(first.value).toMatchObject({ type: "NodeCreated", path: "/b" });
    await stream.close();
  });

  it("round-trips a 1 MB payload and refuses a request above jute.maxbuffer before sending", async () => {
    const path = uniquePath("big");
    const payload = Buffer.alloc(1_000_000);
    for (let i = 0; i < payload.length; i++) payload[i] = (i * 31) & 0xff;
    await client.create(path, payload);
    const read = await client.getData(path);
    expect(read.stat.dataLength).toBe(payload.length);
    expect(read.data.equals(payload)).toBe(true);
    const tooBig = Buffer.alloc(1024 * 1024);
    await expect(client.setData(path, tooBig)).rejects.toMatchObject({ codeName: "MARSHALLINGERROR" });
    // The connection survived: nothing was sent.
    expect((await client.exists(path))?.dataLength).toBe(payload.length);
  });

  it("reads the configuration node and rejects reconfig on a standalone server", async () => {
    const config = await client.getConfig();
    expect(config.stat).toBeDefined();
    const error = await client.reconfig({ joining: "server.9=127.0.0.1:1:2;3" }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ZkError);
    expect((error as ZkError).codeName).toBe("RECONFIGDISABLED");
  });
});
