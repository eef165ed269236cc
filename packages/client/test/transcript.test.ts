import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { connect, Ids, type ACL, type ZkClient } from "../src/index.js";
import { startTarget, targets, type TargetServer } from "./targets.js";

/**
 * A transcript of edge cases (system nodes, ACL schemes, multi failure codes, TTL bounds,
 * sequential names, stats), each line "operation => result" or "operation !! error code".
 * The expected transcript was recorded against Apache ZooKeeper 3.8.0; every server must
 * produce it line for line, so a differing line names the behaviour that differs.
 */
const EXPECTED = [
  "delete / !! BADARGUMENTS",
  "delete /zookeeper !! BADARGUMENTS",
  'create /zookeeper/x => "/zookeeper/x"',
  'create /zookeeper/quota/x => "/zookeeper/quota/x"',
  "setData /zookeeper/config !! NOAUTH",
  'getACL / => [{"perms":31,"id":{"scheme":"world","id":"anyone"}}]',
  'getACL /zookeeper/config => [{"perms":1,"id":{"scheme":"world","id":"anyone"}}]',
  'getACL /zookeeper => [{"perms":31,"id":{"scheme":"world","id":"anyone"}}]',
  'create seq under root => "/0000000000"',
  "create null data => [0,0]",
  "create empty data => [0,0]",
  'stat fields on create => {"ctimeEqMtime":true,"czEqMz":true,"pz":true,"v":0,"cv":0,"av":0,"dl":3,"nc":0}',
  'pzxid after child create => {"pzxidIsChildCzxid":true,"mzxidSame":true}',
  "setData missing !! NONODE",
  "setData badversion on missing !! NONODE",
  "delete missing with version !! NONODE",
  'sync missing => "/missing"',
  "getChildren missing !! NONODE",
  "getAllChildrenNumber / => 11",
  "getAllChildrenNumber missing !! NONODE",
  'getEphemerals prefix => [["/eph1","/ephem2"],["/eph1","/ephem2","/pz/eph3"],["/pz/eph3"]]',
  "multi empty => []",
  'multi create+delete same => [{"type":"create","path":"/md","stat":null},{"type":"delete"}]',
  "multi check missing !! NONODE [-101] at 0",
  "multi fail middle codes !! NODEEXISTS [0,-110,-2] at 1",
  'multi setData result => ["setData","check"]',
  'multiRead mixed errs => ["NONODE","data,stat"]',
  "addWatch missing => undefined",
  "removeWatches none !! NOWATCHER",
  "checkWatches any none => false",
  "TTL 0 !! BADARGUMENTS",
  "TTL huge !! BADARGUMENTS",
  'TTL stat owner => "0"',
  'container with children ephemeral => "/cont/e"',
  "ephemeral child of ephemeral !! NOCHILDRENFOREPHEMERALS",
  "setACL bad version !! BADVERSION",
  "setACL ok aversion => 1",
  "setACL auth no ids !! INVALIDACL",
  "create bad digest acl !! INVALIDACL",
  "create ip acl !! NOAUTH",
  "create unknown scheme acl !! INVALIDACL",
  "perms 0 acl !! NOAUTH",
  "create no-create-perm child !! NOAUTH",
  "delete child of no-delete-perm !! NOAUTH",
  "cversion after deletes => 3",
  'whoAmI => [{"authScheme":"ip","user":"127.0.0.1"}]',
  "addAuth digest bad format => undefined",
  'after bad addAuth state => "connected"',
];

function show(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => {
    if (typeof v === "bigint") return v > 1_000_000_000n ? "big" : v.toString();
    const b = v as { type?: string; data?: number[] };
    if (b !== null && typeof b === "object" && b.type === "Buffer" && Array.isArray(b.data)) return Buffer.from(b.data).toString();
    return v;
  });
}

const world = (perms: number): ACL[] => [{ perms, id: { scheme: "world", id: "anyone" } }];

describe.each(targets)("edge-case transcript against %s", (kind) => {
  let server: TargetServer;
  let c: ZkClient;

  beforeAll(async () => {
    server = await startTarget(kind, { config: { extendedTypesEnabled: "true" } });
    c = await connect(server.connectString);
  });

  afterAll(async () => {
    await c?.close();
    await server?.cleanup();
  });

  it("matches ZooKeeper 3.8 line for line", async () => {
    const out: string[] = [];
    const p = async (name: string, f: () => Promise<unknown>) => {
      try {
        out.push(`${name} => ${show(await f())}`);
      } catch (e) {
        const err = e as { codeName?: string; message?: string; opCodes?: number[]; failedOpIndex?: number };
        const extra = err.opCodes === undefined ? "" : ` ${show(err.opCodes)} at ${err.failedOpIndex}`;
        out.push(`${name} !! ${err.codeName ?? err.message}${extra}`);
      }
    };
    await p("delete /", () => c.delete("/"));
    await p("delete /zookeeper", () => c.delete("/zookeeper"));
    await p("create /zookeeper/x", () => c.create("/zookeeper/x").then((r) => r.path));
    await p("create /zookeeper/quota/x", () => c.create("/zookeeper/quota/x").then((r) => r.path));
    await p("setData /zookeeper/config", () => c.setData("/zookeeper/config", "x").then((r) => r.version));
    await p("getACL /", () => c.getACL("/").then((r) => r.acl));
    await p("getACL /zookeeper/config", () => c.getACL("/zookeeper/config").then((r) => r.acl));
    await p("getACL /zookeeper", () => c.getACL("/zookeeper").then((r) => r.acl));
    await p("create seq under root", () => c.create("/", null, { mode: "PERSISTENT_SEQUENTIAL" }).then((r) => r.path));
    await p("create null data", async () => {
      await c.create("/nd", null);
      const r = await c.getData("/nd");
      return [r.data.length, r.stat.dataLength];
    });
    await p("create empty data", async () => {
      await c.create("/ed", Buffer.alloc(0));
      const r = await c.getData("/ed");
      return [r.data.length, r.stat.dataLength];
    });
    await p("stat fields on create", async () => {
      const r = await c.create("/st", "abc");
      const s = r.stat;
      return {
        ctimeEqMtime: s.ctime === s.mtime,
        czEqMz: s.czxid === s.mzxid,
        pz: s.pzxid === s.czxid,
        v: s.version,
        cv: s.cversion,
        av: s.aversion,
        dl: s.dataLength,
        nc: s.numChildren,
      };
    });
    await p("pzxid after child create", async () => {
      await c.create("/pz");
      const before = (await c.exists("/pz"))!;
      const k = await c.create("/pz/k");
      const after = (await c.exists("/pz"))!;
      return { pzxidIsChildCzxid: after.pzxid === k.stat.czxid, mzxidSame: before.mzxid === after.mzxid };
    });
    await p("setData missing", () => c.setData("/missing", "x"));
    await p("setData badversion on missing", () => c.setData("/missing", "x", 3));
    await p("delete missing with version", () => c.delete("/missing", 3));
    await p("sync missing", () => c.sync("/missing"));
    await p("getChildren missing", () => c.getChildren("/missing"));
    await p("getAllChildrenNumber /", () => c.getAllChildrenNumber("/"));
    await p("getAllChildrenNumber missing", () => c.getAllChildrenNumber("/missing"));
    await p("getEphemerals prefix", async () => {
      await c.create("/eph1", null, { mode: "EPHEMERAL" });
      await c.create("/ephem2", null, { mode: "EPHEMERAL" });
      await c.create("/pz/eph3", null, { mode: "EPHEMERAL" });
      return [(await c.getEphemerals("/eph")).sort(), (await c.getEphemerals("/")).sort(), (await c.getEphemerals("/pz")).sort()];
    });
    await p("multi empty", () => c.multi([]));
    await p("multi create+delete same", () => c.transaction().create("/md").delete("/md").commit());
    await p("multi check missing", () => c.transaction().check("/missing", 0).commit());
    await p("multi fail middle codes", () => c.transaction().create("/mf1").create("/mf1").create("/mf2").commit());
    await p("multi setData result", () =>
      c
        .transaction()
        .setData("/st", "q")
        .check("/st", 1)
        .commit()
        .then((r) => r.map((x) => x.type)),
    );
    await p("multiRead mixed errs", () =>
      c
        .multiRead([
          { type: "getChildren", path: "/missing" },
          { type: "getData", path: "/st" },
        ])
        .then((r) => r.map((x) => ("codeName" in x ? x.codeName : Object.keys(x).join(",")))),
    );
    await p("addWatch missing", () => c.addWatch("/nowhere", "persistent", () => {}));
    await p("removeWatches none", () => c.removeWatches("/st", "data"));
    await p("checkWatches any none", () => c.checkWatches("/st", "any"));
    await p("TTL 0", () => c.create("/t0", null, { mode: "PERSISTENT_WITH_TTL", ttlMs: 0 }));
    await p("TTL huge", () => c.create("/th", null, { mode: "PERSISTENT_WITH_TTL", ttlMs: 2 ** 41 }));
    await p("TTL stat owner", () => c.create("/tt", null, { mode: "PERSISTENT_WITH_TTL", ttlMs: 100000 }).then((r) => r.stat.ephemeralOwner));
    await p("container with children ephemeral", () =>
      c
        .create("/cont", null, { mode: "CONTAINER" })
        .then(() => c.create("/cont/e", null, { mode: "EPHEMERAL" }))
        .then((r) => r.path),
    );
    await p("ephemeral child of ephemeral", () => c.create("/eph1/x"));
    await p("setACL bad version", () => c.setACL("/st", Ids.OPEN_ACL_UNSAFE as ACL[], 5));
    await p("setACL ok aversion", () => c.setACL("/st", Ids.OPEN_ACL_UNSAFE as ACL[], 0).then((s) => s.aversion));
    await p("setACL auth no ids", () => c.setACL("/st", [{ perms: 31, id: { scheme: "auth", id: "" } }]));
    await p("create bad digest acl", () => c.create("/bd", null, { acl: [{ perms: 31, id: { scheme: "digest", id: "nocolon" } }] }));
    await p("create ip acl", () => c.create("/ipacl", null, { acl: [{ perms: 31, id: { scheme: "ip", id: "10.0.0.0/8" } }] }).then(() => c.getData("/ipacl")));
    await p("create unknown scheme acl", () => c.create("/us", null, { acl: [{ perms: 31, id: { scheme: "bogus", id: "x" } }] }));
    await p("perms 0 acl", () => c.create("/p0", null, { acl: world(0) }).then(() => c.getData("/p0")));
    await p("create no-create-perm child", () => c.create("/ro", null, { acl: world(1) }).then(() => c.create("/ro/x")));
    await p("delete child of no-delete-perm", async () => {
      await c.create("/nd2", null, { acl: world(7) });
      await c.create("/nd2/x");
      return c.delete("/nd2/x");
    });
    await p("cversion after deletes", async () => {
      await c.create("/cv");
      await c.create("/cv/a");
      await c.create("/cv/b");
      await c.delete("/cv/a");
      return (await c.exists("/cv"))!.cversion;
    });
    await p("whoAmI", () => c.whoAmI());
    await p("addAuth digest bad format", () => c.addAuth("digest", "nocolon"));
    await p("after bad addAuth state", async () => c.state);
    expect(out).toEqual(EXPECTED);
  });
});
