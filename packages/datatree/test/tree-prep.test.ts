import { CreateMode, ErrorCode, Ids, OpCode, type TxnBody } from "@zkts/jute";
import { describe, expect, it } from "vitest";
import { CONTAINER_EPHEMERAL_OWNER, StatsTrack, type TxnResult, toClientStat, ttlOwner } from "../src/index.js";
import {
  ALICE_DIGEST,
  ALICE_IDS,
  ALICE_ONLY_ACL,
  ANON_S1,
  CREATOR_ALL_ACL,
  Harness,
  OPEN_ACL,
  S1,
  S2,
  checkOp,
  createOp,
  deleteOp,
  multiOp,
  setAclOp,
  setDataOp,
} from "./support.js";

const ALICE = { sessionId: S1, authInfo: ALICE_IDS };
const READ_ONLY_ACL = [{ perms: 1, id: { scheme: "world", id: "anyone" } }];
const ANON_S2 = { sessionId: S2, authInfo: [] };

function stat(h: Harness, path: string) {
  const node = h.tree.getNode(path);
  if (node === undefined) throw new Error(`${path} does not exist`);
  return toClientStat(node);
}

function childrenOf(h: Harness, path: string): string[] {
  return [...(h.tree.getNode(path)?.children ?? [])].sort();
}

function errs(result: TxnResult): number[] {
  return (result.multiResult ?? []).map((r) => r.err);
}

describe("a new tree", () => {
  it("holds /, /zookeeper, /zookeeper/quota and /zookeeper/config with ZooKeeper's initial stats", () => {
    const h = new Harness();
    expect([...h.tree.nodes.keys()].sort()).toEqual(["/", "/zookeeper", "/zookeeper/config", "/zookeeper/quota"]);
    expect(childrenOf(h, "/")).toEqual(["zookeeper"]);
    expect(stat(h, "/").czxid).toBe(0n);
    // /zookeeper/config is read-only for the world and was made through setACL(-1).
    const config = h.tree.getNode("/zookeeper/config")!;
    expect(h.tree.aclOf(config)).toEqual(Ids.READ_ACL_UNSAFE);
    expect(config.aversion).toBe(-1);
  });
});

describe("create", () => {
  it("a persistent node: child stat from the zxid and time, parent's cversion, numChildren and pzxid move", () => {
    const h = new Harness();
    h.ok(createOp("/p"));
    const parentBefore = stat(h, "/p");
    const rc = h.ok(createOp("/p/c", { data: "hello" }));
    const zxid = h.lastZxid;
    expect(rc.path).toBe("/p/c");
    expect(rc.stat).toEqual({
      czxid: zxid,
      mzxid: zxid,
      ctime: zxid * 1000n,
      mtime: zxid * 1000n,
      version: 0,
      cversion: 0,
      aversion: 0,
      ephemeralOwner: 0n,
      dataLength: 5,
      numChildren: 0,
      pzxid: zxid,
    });
    expect(stat(h, "/p/c")).toEqual(rc.stat);
    const parent = stat(h, "/p");
    expect(parent.cversion).toBe(parentBefore.cversion + 1);
    expect(parent.numChildren).toBe(1);
    expect(parent.pzxid).toBe(zxid);
    // A child create touches neither the parent's data version nor its mzxid.
    expect(parent.version).toBe(parentBefore.version);
    expect(parent.mzxid).toBe(parentBefore.mzxid);
    expect(h.tree.getNode("/p/c")!.data?.toString()).toBe("hello");
  });

  it("plain create reports no stat, create2 does", () => {
    const h = new Harness();
    const plain = h.ok({ type: OpCode.create, request: { path: "/a", data: null, acl: OPEN_ACL, flags: 0 } });
    expect(plain.path).toBe("/a");
    expect(plain.stat).toBeNull();
    expect(h.ok(createOp("/b")).stat).not.toBeNull();
  });

  it("keeps null data as null and reports dataLength 0", () => {
    const h = new Harness();
    h.ok(createOp("/n", { data: null }));
    expect(h.tree.getNode("/n")!.data).toBeNull();
    expect(stat(h, "/n").dataLength).toBe(0);
  });

  it("an ephemeral node is owned by the session and listed under it", () => {
    const h = new Harness();
    const rc = h.ok(createOp("/e", { mode: CreateMode.EPHEMERAL }), ANON_S2);
    expect(rc.stat!.ephemeralOwner).toBe(S2);
    expect(h.tree.getEphemerals(S2)).toEqual(["/e"]);
    expect(h.tree.getEphemerals(S1)).toEqual([]);
    expect(h.tree.ephemeralCount).toBe(1);
  });

  it("a container stores the container marker, shows 0 to clients and is tracked", () => {
    const h = new Harness();
    const rc = h.ok(createOp("/c", { mode: CreateMode.CONTAINER }));
    expect(rc.stat!.ephemeralOwner).toBe(0n);
    expect(h.tree.getNode("/c")!.ephemeralOwner).toBe(CONTAINER_EPHEMERAL_OWNER);
    expect([...h.tree.containers]).toEqual(["/c"]);
    expect(h.tree.getEphemerals(S1)).toEqual([]);
  });

  it("a TTL node stores its ttl in the owner, shows 0 to clients and is tracked", () => {
    const h = new Harness();
    const rc = h.ok(createOp("/t", { mode: CreateMode.PERSISTENT_WITH_TTL, ttl: 5000n }));
    expect(rc.stat!.ephemeralOwner).toBe(0n);
    expect(h.tree.getNode("/t")!.ephemeralOwner).toBe(ttlOwner(5000n));
    expect([...h.tree.ttls]).toEqual(["/t"]);
  });

  it("children are allowed under containers and TTL nodes, which are not session-bound", () => {
    const h = new Harness();
    h.ok(createOp("/c", { mode: CreateMode.CONTAINER }));
    h.ok(createOp("/t", { mode: CreateMode.PERSISTENT_WITH_TTL }));
    h.ok(createOp("/c/x"));
    h.ok(createOp("/t/x"));
  });

  it("an ACL using the auth scheme becomes the caller's digest ids (never super)", () => {
    const h = new Harness();
    const withSuper = { sessionId: S1, authInfo: [...ALICE_IDS, { scheme: "super", id: "" }] };
    h.ok(createOp("/mine", { acl: CREATOR_ALL_ACL }), withSuper);
    expect(h.tree.aclOf(h.tree.getNode("/mine")!)).toEqual([{ perms: 31, id: { scheme: "digest", id: ALICE_DIGEST } }]);
  });

  it("duplicate ACL entries are stored once", () => {
    const h = new Harness();
    h.ok(createOp("/d", { acl: [...OPEN_ACL, ...OPEN_ACL] }));
    expect(h.tree.aclOf(h.tree.getNode("/d")!)).toEqual(OPEN_ACL);
  });
});

describe("sequential names", () => {
  it("append the parent's stored cversion as ten digits", () => {
    const h = new Harness();
    h.ok(createOp("/q"));
    expect(h.ok(createOp("/q/n-", { mode: CreateMode.PERSISTENT_SEQUENTIAL })).path).toBe("/q/n-0000000000");
    expect(h.ok(createOp("/q/n-", { mode: CreateMode.EPHEMERAL_SEQUENTIAL })).path).toBe("/q/n-0000000001");
    // Every child create counts, sequential or not, and the prefix does not matter.
    h.ok(createOp("/q/plain"));
    expect(h.ok(createOp("/q/other-", { mode: CreateMode.PERSISTENT_SEQUENTIAL })).path).toBe("/q/other-0000000003");
    expect(h.ok(createOp("/q/t-", { mode: CreateMode.PERSISTENT_SEQUENTIAL_WITH_TTL, ttl: 10n })).path).toBe("/q/t-0000000004");
  });

  it("continue after deletes, because deletes do not lower the stored counter", () => {
    const h = new Harness();
    h.ok(createOp("/q"));
    h.ok(createOp("/q/n-", { mode: CreateMode.PERSISTENT_SEQUENTIAL }));
    h.ok(createOp("/q/n-", { mode: CreateMode.PERSISTENT_SEQUENTIAL }));
    h.ok(deleteOp("/q/n-0000000001"));
    h.ok(deleteOp("/q/n-0000000000"));
    expect(h.ok(createOp("/q/n-", { mode: CreateMode.PERSISTENT_SEQUENTIAL })).path).toBe("/q/n-0000000002");
    // Client cversion counts creates and deletes: 3 creates + 2 deletes.
    expect(stat(h, "/q").cversion).toBe(5);
    expect(h.tree.getNode("/q")!.cversion).toBe(3);
  });

  it("a sequential create of 'parent/' names the child by the counter alone", () => {
    const h = new Harness();
    h.ok(createOp("/q"));
    expect(h.ok(createOp("/q/", { mode: CreateMode.PERSISTENT_SEQUENTIAL })).path).toBe("/q/0000000000");
    // The same path without the sequence flag is invalid.
    expect(h.run(createOp("/q/")).err).toBe(ErrorCode.BADARGUMENTS);
  });

  it("a sequential name that already exists is NODEEXISTS", () => {
    const h = new Harness();
    h.ok(createOp("/q"));
    h.ok(createOp("/q/n-0000000001"));
    // The counter is now 1, so the next sequential create collides with the node above.
    expect(h.run(createOp("/q/n-", { mode: CreateMode.PERSISTENT_SEQUENTIAL })).err).toBe(ErrorCode.NODEEXISTS);
  });
});

describe("setData and setACL", () => {
  it("setData bumps version, mzxid and mtime and leaves the rest", () => {
    const h = new Harness();
    h.ok(createOp("/a", { data: "1" }));
    const before = stat(h, "/a");
    const rc = h.ok(setDataOp("/a", "22", 0));
    const zxid = h.lastZxid;
    expect(rc.stat).toEqual({ ...before, version: 1, mzxid: zxid, mtime: zxid * 1000n, dataLength: 2 });
    expect(h.ok(setDataOp("/a", "333", -1)).stat!.version).toBe(2);
  });

  it("setACL bumps aversion only and replaces the list", () => {
    const h = new Harness();
    h.ok(createOp("/a"));
    const before = stat(h, "/a");
    const rc = h.ok(setAclOp("/a", READ_ONLY_ACL, 0));
    expect(rc.stat).toEqual({ ...before, aversion: 1 });
    expect(h.tree.aclOf(h.tree.getNode("/a")!)).toEqual(READ_ONLY_ACL);
  });

  it("check passes with the current version and changes nothing", () => {
    const h = new Harness();
    h.ok(createOp("/a"));
    h.ok(setDataOp("/a", "x"));
    const before = stat(h, "/a");
    expect(h.run(checkOp("/a", 1)).err).toBe(0);
    expect(h.run(checkOp("/a", 0)).err).toBe(ErrorCode.BADVERSION);
    expect(stat(h, "/a")).toEqual(before);
  });
});

describe("delete", () => {
  it("removes the node, bumps the parent's client cversion and pzxid, keeps its stored cversion", () => {
    const h = new Harness();
    h.ok(createOp("/p"));
    h.ok(createOp("/p/c"));
    const stored = h.tree.getNode("/p")!.cversion;
    h.ok(deleteOp("/p/c", 0));
    expect(h.tree.getNode("/p/c")).toBeUndefined();
    const parent = stat(h, "/p");
    expect(parent.numChildren).toBe(0);
    expect(parent.cversion).toBe(2);
    expect(parent.pzxid).toBe(h.lastZxid);
    expect(h.tree.getNode("/p")!.cversion).toBe(stored);
  });

  it("drops an ephemeral from its session's list and a container from the tracked set", () => {
    const h = new Harness();
    h.ok(createOp("/e", { mode: CreateMode.EPHEMERAL }));
    h.ok(createOp("/c", { mode: CreateMode.CONTAINER }));
    h.ok(createOp("/t", { mode: CreateMode.PERSISTENT_WITH_TTL }));
    h.ok(deleteOp("/e"));
    h.ok(deleteOp("/c"));
    h.ok(deleteOp("/t"));
    expect(h.tree.getEphemerals(S1)).toEqual([]);
    expect(h.tree.ephemerals.size).toBe(0);
    expect(h.tree.containers.size).toBe(0);
    expect(h.tree.ttls.size).toBe(0);
  });

  it("keeps the ACL cache's reference counts in step with the nodes using each list", () => {
    const h = new Harness();
    const base = h.tree.acls.size;
    h.ok(createOp("/x", { acl: ALICE_ONLY_ACL }), ALICE);
    h.ok(createOp("/y", { acl: ALICE_ONLY_ACL }), ALICE);
    expect(h.tree.acls.size).toBe(base + 1);
    expect(h.tree.getNode("/x")!.aclId).toBe(h.tree.getNode("/y")!.aclId);
    h.ok(setAclOp("/x", OPEN_ACL), ALICE);
    // /y still holds the alice list; the open list is now interned too.
    expect(h.tree.acls.size).toBe(base + 2);
    expect(h.tree.aclOf(h.tree.getNode("/y")!)).toEqual(ALICE_ONLY_ACL);
    h.ok(deleteOp("/y"), ALICE);
    expect(h.tree.acls.size).toBe(base + 1);
    // Setting the list a node already has must not drop it from the cache.
    h.ok(setAclOp("/x", OPEN_ACL));
    expect(h.tree.aclOf(h.tree.getNode("/x")!)).toEqual(OPEN_ACL);
    expect(h.tree.acls.size).toBe(base + 1);
  });

  it("releases the node's ACL from the cache", () => {
    const h = new Harness();
    const size = h.tree.acls.size;
    h.ok(createOp("/a", { acl: ALICE_ONLY_ACL }), ALICE);
    expect(h.tree.acls.size).toBe(size + 1);
    h.ok(deleteOp("/a"), ALICE);
    expect(h.tree.acls.size).toBe(size);
  });
});

describe("error codes", () => {
  it("NODEEXISTS for an existing path", () => {
    const h = new Harness();
    h.ok(createOp("/a"));
    expect(h.run(createOp("/a")).err).toBe(ErrorCode.NODEEXISTS);
    expect(h.run(createOp("/")).err).toBe(ErrorCode.NODEEXISTS);
  });

  it("NONODE for a missing parent or node", () => {
    const h = new Harness();
    expect(h.run(createOp("/missing/child")).err).toBe(ErrorCode.NONODE);
    expect(h.run(deleteOp("/missing")).err).toBe(ErrorCode.NONODE);
    expect(h.run(deleteOp("/missing/child")).err).toBe(ErrorCode.NONODE);
    expect(h.run(setDataOp("/missing", "x")).err).toBe(ErrorCode.NONODE);
    expect(h.run(setAclOp("/missing", OPEN_ACL)).err).toBe(ErrorCode.NONODE);
    expect(h.run(checkOp("/missing", -1)).err).toBe(ErrorCode.NONODE);
  });

  it("NOTEMPTY for a node with children", () => {
    const h = new Harness();
    h.ok(createOp("/a"));
    h.ok(createOp("/a/b"));
    expect(h.run(deleteOp("/a")).err).toBe(ErrorCode.NOTEMPTY);
    expect(h.tree.getNode("/a")).toBeDefined();
  });

  it("BADVERSION when the expected version differs; -1 matches any", () => {
    const h = new Harness();
    h.ok(createOp("/a"));
    expect(h.run(setDataOp("/a", "x", 1)).err).toBe(ErrorCode.BADVERSION);
    expect(h.run(setDataOp("/a", "x", 0)).err).toBe(0);
    expect(h.run(deleteOp("/a", 0)).err).toBe(ErrorCode.BADVERSION);
    expect(h.run(setAclOp("/a", OPEN_ACL, 1)).err).toBe(ErrorCode.BADVERSION);
    expect(h.run(setAclOp("/a", OPEN_ACL, 0)).err).toBe(0);
    expect(h.run(deleteOp("/a", 1)).err).toBe(0);
  });

  it("version checks come before the NOTEMPTY check on delete", () => {
    const h = new Harness();
    h.ok(createOp("/a"));
    h.ok(createOp("/a/b"));
    expect(h.run(deleteOp("/a", 5)).err).toBe(ErrorCode.BADVERSION);
  });

  it("NOCHILDRENFOREPHEMERALS under an ephemeral, for any mode", () => {
    const h = new Harness();
    h.ok(createOp("/e", { mode: CreateMode.EPHEMERAL }));
    for (const mode of [CreateMode.PERSISTENT, CreateMode.EPHEMERAL, CreateMode.PERSISTENT_SEQUENTIAL]) {
      expect(h.run(createOp("/e/c", { mode })).err).toBe(ErrorCode.NOCHILDRENFOREPHEMERALS);
    }
  });

  it("INVALIDACL for empty lists, unexpandable auth, unknown schemes and malformed ids", () => {
    const h = new Harness();
    h.ok(createOp("/a"));
    const bad = [
      [],
      CREATOR_ALL_ACL,
      [{ perms: 31, id: { scheme: "x509", id: "CN=a" } }],
      [{ perms: 31, id: { scheme: "digest", id: "nocolon" } }],
      [{ perms: 31, id: { scheme: "world", id: "someone" } }],
      [{ perms: 31, id: { scheme: "ip", id: "300.1.1.1" } }],
    ];
    for (const acl of bad) {
      expect(h.run(createOp("/b", { acl })).err, JSON.stringify(acl)).toBe(ErrorCode.INVALIDACL);
      expect(h.run(setAclOp("/a", acl)).err, JSON.stringify(acl)).toBe(ErrorCode.INVALIDACL);
    }
    // The ACL is checked before the parent exists, as ZooKeeper does.
    expect(h.run(createOp("/missing/b", { acl: [] })).err).toBe(ErrorCode.INVALIDACL);
  });

  it("BADARGUMENTS for malformed paths, reserved paths and bad flags", () => {
    const h = new Harness();
    h.ok(createOp("/a"));
    expect(h.run(createOp("/a/.")).err).toBe(ErrorCode.BADARGUMENTS);
    expect(h.run(createOp("/a/")).err).toBe(ErrorCode.BADARGUMENTS);
    expect(h.run(createOp("relative")).err).toBe(ErrorCode.BADARGUMENTS);
    expect(h.run(createOp("/a/b\u0000")).err).toBe(ErrorCode.BADARGUMENTS);
    expect(h.run(setDataOp("/a/", "x")).err).toBe(ErrorCode.BADARGUMENTS);
    expect(h.run(setAclOp("a", OPEN_ACL)).err).toBe(ErrorCode.BADARGUMENTS);
    expect(h.run(checkOp("/a//b", -1)).err).toBe(ErrorCode.BADARGUMENTS);
    for (const special of ["/", "/zookeeper", "/zookeeper/quota", "/zookeeper/config"]) {
      expect(h.run(deleteOp(special)).err, special).toBe(ErrorCode.BADARGUMENTS);
    }
    for (const flags of [-1, 7, 100]) {
      const write = { type: OpCode.create2, request: { path: "/f", data: null, acl: OPEN_ACL, flags } } as const;
      expect(h.run(write).err, String(flags)).toBe(ErrorCode.BADARGUMENTS);
    }
  });

  it("BADARGUMENTS for TTLs out of range or a TTL on a non-TTL mode", () => {
    const h = new Harness();
    for (const ttl of [0n, -5n, 1n << 40n]) {
      expect(h.run(createOp("/t", { mode: CreateMode.PERSISTENT_WITH_TTL, ttl })).err, String(ttl)).toBe(ErrorCode.BADARGUMENTS);
    }
    expect(h.run(createOp("/t", { mode: CreateMode.PERSISTENT_WITH_TTL, ttl: (1n << 40n) - 1n })).err).toBe(0);
    const ttlOnPersistent = {
      type: OpCode.createTTL,
      request: { path: "/u", data: null, acl: OPEN_ACL, flags: CreateMode.PERSISTENT, ttl: 100n },
    } as const;
    expect(h.run(ttlOnPersistent).err).toBe(ErrorCode.BADARGUMENTS);
  });

  it("UNIMPLEMENTED for TTL nodes when extended types are off, before the TTL is validated", () => {
    const h = new Harness({ extendedTypesEnabled: false });
    for (const mode of [CreateMode.PERSISTENT_WITH_TTL, CreateMode.PERSISTENT_SEQUENTIAL_WITH_TTL]) {
      expect(h.run(createOp("/t", { mode, ttl: 100n })).err).toBe(ErrorCode.UNIMPLEMENTED);
      expect(h.run(createOp("/t", { mode, ttl: 0n })).err).toBe(ErrorCode.UNIMPLEMENTED);
    }
    // Containers are not an extended type.
    expect(h.run(createOp("/c", { mode: CreateMode.CONTAINER })).err).toBe(0);
  });

  it("RECONFIGDISABLED for reconfig when it is off", () => {
    const h = new Harness();
    const request = { joiningServers: null, leavingServers: "3", newMembers: null, curConfigId: -1n };
    expect(h.run({ type: OpCode.reconfig, request }).err).toBe(ErrorCode.RECONFIGDISABLED);
  });

  it("NOAUTH for each operation without its permission bit", () => {
    const h = new Harness();
    // READ|ADMIN for everyone: no CREATE, DELETE or WRITE.
    h.ok(createOp("/ro", { acl: [{ perms: 1 | 16, id: { scheme: "world", id: "anyone" } }] }));
    h.ok(createOp("/open"));
    h.ok(createOp("/open/child"));
    expect(h.run(createOp("/ro/c")).err).toBe(ErrorCode.NOAUTH);
    expect(h.run(setDataOp("/ro", "x")).err).toBe(ErrorCode.NOAUTH);
    expect(h.run(checkOp("/ro", -1)).err).toBe(0);
    expect(h.run(setAclOp("/ro", [{ perms: 1, id: { scheme: "world", id: "anyone" } }])).err).toBe(0);
    // Now READ only: no ADMIN either.
    expect(h.run(setAclOp("/ro", OPEN_ACL)).err).toBe(ErrorCode.NOAUTH);
    // DELETE is checked on the parent.
    h.ok(setAclOp("/open", [{ perms: 31 & ~8, id: { scheme: "world", id: "anyone" } }]));
    expect(h.run(deleteOp("/open/child")).err).toBe(ErrorCode.NOAUTH);
    h.ok(createOp("/wo", { acl: [{ perms: 2, id: { scheme: "world", id: "anyone" } }] }));
    expect(h.run(checkOp("/wo", -1)).err).toBe(ErrorCode.NOAUTH);
  });

  it("NOAUTH is lifted by the right digest, a super id or skipAcl", () => {
    const h = new Harness();
    h.ok(createOp("/secret", { acl: ALICE_ONLY_ACL }), ALICE);
    expect(h.run(setDataOp("/secret", "x")).err).toBe(ErrorCode.NOAUTH);
    expect(h.run(setDataOp("/secret", "x"), ALICE).err).toBe(0);
    expect(h.run(setDataOp("/secret", "y"), { sessionId: S2, authInfo: [{ scheme: "super", id: "" }] }).err).toBe(0);
    const open = new Harness({ auth: { skipAcl: true } });
    open.ok(createOp("/secret", { acl: ALICE_ONLY_ACL }), ALICE);
    expect(open.run(setDataOp("/secret", "x")).err).toBe(0);
  });

  it("/zookeeper/config is read-only except for super", () => {
    const h = new Harness();
    expect(h.run(setDataOp("/zookeeper/config", "server.1=x")).err).toBe(ErrorCode.NOAUTH);
    expect(h.run(createOp("/zookeeper/config/child")).err).toBe(ErrorCode.NOAUTH);
    const root = { sessionId: S2, authInfo: [{ scheme: "super", id: "" }] };
    expect(h.run(setDataOp("/zookeeper/config", "server.1=x"), root).err).toBe(0);
  });

  it("a failed write leaves the tree and the zxid-derived stats untouched", () => {
    const h = new Harness();
    h.ok(createOp("/a"));
    const before = stat(h, "/a");
    const root = stat(h, "/");
    expect(h.run(createOp("/a")).err).toBe(ErrorCode.NODEEXISTS);
    expect(h.run(setDataOp("/a", "x", 9)).err).toBe(ErrorCode.BADVERSION);
    expect(stat(h, "/a")).toEqual(before);
    expect(stat(h, "/")).toEqual(root);
    expect(h.preparer.outstandingCount).toBe(0);
  });
});

describe("reads", () => {
  it("getAllChildrenNumber counts every descendant, the root's including the /zookeeper nodes", () => {
    const h = new Harness();
    expect(h.tree.getAllChildrenNumber("/")).toBe(3);
    h.ok(createOp("/a"));
    h.ok(createOp("/a/b"));
    h.ok(createOp("/a/b/c"));
    h.ok(createOp("/ab"));
    expect(h.tree.getAllChildrenNumber("/a")).toBe(2);
    expect(h.tree.getAllChildrenNumber("/a/b/c")).toBe(0);
    expect(h.tree.getAllChildrenNumber("/")).toBe(7);
    expect(h.tree.getAllChildrenNumber("/missing")).toBe(0);
  });

  it("getChildren and getData return the client stat alongside", () => {
    const h = new Harness();
    h.ok(createOp("/a", { data: "d" }));
    h.ok(createOp("/a/x"));
    h.ok(createOp("/a/y"));
    h.ok(deleteOp("/a/x"));
    const children = h.tree.getChildren("/a", null)!;
    expect(children.children).toEqual(["y"]);
    expect(children.stat).toEqual(stat(h, "/a"));
    expect(children.stat.cversion).toBe(3);
    expect(h.tree.getData("/a", null)!.data?.toString()).toBe("d");
    expect(h.tree.statNode("/missing", null)).toBeNull();
  });
});

describe("replaying transactions over a fuzzy snapshot", () => {
  it("a create whose node already exists is NODEEXISTS and only moves the parent's cversion and pzxid forward", () => {
    const h = new Harness();
    h.ok(createOp("/a"));
    h.ok(createOp("/a/b", { data: "kept" }));
    const header = (zxid: bigint) => ({ clientId: S1, cxid: 0, zxid, time: 0n, type: OpCode.create });
    const body = (parentCVersion: number): TxnBody => ({
      type: OpCode.create,
      txn: { path: "/a/b", data: Buffer.from("replayed"), acl: OPEN_ACL, ephemeral: false, parentCVersion },
    });
    const lower = h.tree.applyTxn(header(50n), body(1));
    expect(lower.err).toBe(ErrorCode.NODEEXISTS);
    expect(h.tree.getNode("/a")!.cversion).toBe(1);
    expect(h.tree.getNode("/a")!.pzxid).toBe(2n);
    const higher = h.tree.applyTxn(header(60n), body(4));
    expect(higher.err).toBe(ErrorCode.NODEEXISTS);
    expect(h.tree.getNode("/a")!.cversion).toBe(4);
    expect(h.tree.getNode("/a")!.pzxid).toBe(60n);
    expect(h.tree.getNode("/a/b")!.data?.toString()).toBe("kept");
    expect(h.tree.lastProcessedZxid).toBe(60n);
  });

  it("a delete of a node that is already gone still moves the parent's pzxid forward", () => {
    const h = new Harness();
    h.ok(createOp("/a"));
    const rc = h.tree.applyTxn(
      { clientId: S1, cxid: 0, zxid: 70n, time: 0n, type: OpCode.delete },
      {
        type: OpCode.delete,
        txn: { path: "/a/gone" },
      },
    );
    expect(rc.err).toBe(ErrorCode.NONODE);
    expect(h.tree.getNode("/a")!.pzxid).toBe(70n);
  });
});

describe("deleteContainer (the reaper's delete)", () => {
  it("deletes an empty container, refuses a non-empty one and a session ephemeral", () => {
    const h = new Harness();
    h.ok(createOp("/c", { mode: CreateMode.CONTAINER }));
    h.ok(createOp("/c/x"));
    h.ok(createOp("/e", { mode: CreateMode.EPHEMERAL }));
    expect(h.run({ type: OpCode.deleteContainer, path: "/c" }).err).toBe(ErrorCode.NOTEMPTY);
    expect(h.run({ type: OpCode.deleteContainer, path: "/e" }).err).toBe(ErrorCode.BADVERSION);
    expect(h.run({ type: OpCode.deleteContainer, path: "/zookeeper" }).err).toBe(ErrorCode.BADARGUMENTS);
    expect(h.run({ type: OpCode.deleteContainer, path: "/gone" }).err).toBe(ErrorCode.NONODE);
    h.ok(deleteOp("/c/x"));
    expect(h.run({ type: OpCode.deleteContainer, path: "/c" }).err).toBe(0);
    expect(h.tree.getNode("/c")).toBeUndefined();
    expect(h.tree.containers.size).toBe(0);
  });
});

describe("pipelining: writes prepared before earlier ones are applied", () => {
  it("a second create of the same path sees the first and fails with NODEEXISTS", () => {
    const h = new Harness();
    h.prepare(createOp("/a"));
    const second = h.prepare(createOp("/a"));
    expect(second.body).toEqual({ type: OpCode.error, txn: { err: ErrorCode.NODEEXISTS } });
    const [first, again] = h.applyAll();
    expect(first!.err).toBe(0);
    expect(again!.err).toBe(ErrorCode.NODEEXISTS);
  });

  it("sequential creates in flight get consecutive numbers", () => {
    const h = new Harness();
    h.ok(createOp("/q"));
    for (let i = 0; i < 3; i++) h.prepare(createOp("/q/n-", { mode: CreateMode.PERSISTENT_SEQUENTIAL }));
    expect(h.applyAll().map((o) => o.result.path)).toEqual(["/q/n-0000000000", "/q/n-0000000001", "/q/n-0000000002"]);
  });

  it("a child of a node still in flight is accepted and applies cleanly", () => {
    const h = new Harness();
    h.prepare(createOp("/a"));
    h.prepare(createOp("/a/b"));
    h.prepare(createOp("/a/b/c"));
    expect(h.applyAll().map((o) => o.err)).toEqual([0, 0, 0]);
    expect(childrenOf(h, "/a/b")).toEqual(["c"]);
  });

  it("versions advance through in-flight setData", () => {
    const h = new Harness();
    h.ok(createOp("/a"));
    h.prepare(setDataOp("/a", "1", 0));
    expect(h.prepare(setDataOp("/a", "2", 0)).body.type).toBe(OpCode.error);
    h.prepare(setDataOp("/a", "3", 1));
    expect(h.applyAll().map((o) => o.err)).toEqual([0, ErrorCode.BADVERSION, 0]);
    expect(stat(h, "/a").version).toBe(2);
  });

  it("an in-flight delete frees the path and an in-flight child blocks the parent's delete", () => {
    const h = new Harness();
    h.ok(createOp("/a"));
    h.prepare(deleteOp("/a"));
    h.prepare(createOp("/a"));
    h.prepare(createOp("/a/child"));
    h.prepare(deleteOp("/a"));
    expect(h.applyAll().map((o) => o.err)).toEqual([0, 0, 0, ErrorCode.NOTEMPTY]);
    h.prepare(deleteOp("/a/child"));
    h.prepare(deleteOp("/a"));
    expect(h.applyAll().map((o) => o.err)).toEqual([0, 0]);
  });

  it("an in-flight ephemeral parent refuses children; an in-flight ACL change applies to later writes", () => {
    const h = new Harness();
    h.prepare(createOp("/e", { mode: CreateMode.EPHEMERAL }));
    expect(h.prepare(createOp("/e/c")).body).toEqual({
      type: OpCode.error,
      txn: { err: ErrorCode.NOCHILDRENFOREPHEMERALS },
    });
    h.prepare(createOp("/s"));
    h.prepare(setAclOp("/s", ALICE_ONLY_ACL), ALICE);
    expect(h.prepare(setDataOp("/s", "x")).body.type).toBe(OpCode.error);
    expect(h.prepare(setDataOp("/s", "x"), ALICE).body.type).toBe(OpCode.setData);
    expect(h.applyAll().map((o) => o.err)).toEqual([0, ErrorCode.NOCHILDRENFOREPHEMERALS, 0, 0, ErrorCode.NOAUTH, 0]);
  });

  it("applied(zxid) retires exactly the change records up to that zxid", () => {
    const h = new Harness();
    h.prepare(createOp("/a"));
    h.prepare(createOp("/b"));
    // Each create records the node and its parent.
    expect(h.preparer.outstandingCount).toBe(4);
    h.applyNext();
    expect(h.preparer.outstandingCount).toBe(2);
    // The parent record of the second create is still the one the prep stage must see.
    expect(h.prepare(createOp("/c")).body.type).toBe(OpCode.create2);
    h.applyAll();
    expect(h.preparer.outstandingCount).toBe(0);
    expect(stat(h, "/").numChildren).toBe(4);
  });
});

describe("multi", () => {
  it("applies every op at one zxid and reports each op's result", () => {
    const h = new Harness();
    const out = h.run(multiOp(createOp("/m"), createOp("/m/a", { data: "x" }), setDataOp("/m/a", "yy", 0), checkOp("/m/a", 1), deleteOp("/m/a", 1)));
    expect(out.err).toBe(0);
    expect(errs(out.result)).toEqual([0, 0, 0, 0, 0]);
    expect(out.result.multiResult!.map((r) => r.type)).toEqual([OpCode.create2, OpCode.create2, OpCode.setData, OpCode.check, OpCode.delete]);
    expect(out.result.multiResult![2]!.stat!.version).toBe(1);
    const zxid = h.lastZxid;
    expect(stat(h, "/m").czxid).toBe(zxid);
    expect(stat(h, "/m").pzxid).toBe(zxid);
    expect(stat(h, "/m").cversion).toBe(2);
    expect(h.tree.getNode("/m/a")).toBeUndefined();
  });

  it("is all or nothing: ok ops report 0, the failing op its code, later ops RUNTIMEINCONSISTENCY", () => {
    const h = new Harness();
    h.ok(createOp("/x", { data: "keep" }));
    const rootBefore = stat(h, "/");
    const out = h.run(multiOp(createOp("/m1"), setDataOp("/x", "changed"), deleteOp("/missing"), createOp("/m2")));
    expect(errs(out.result)).toEqual([0, 0, ErrorCode.NONODE, ErrorCode.RUNTIMEINCONSISTENCY]);
    expect(out.result.multiResult!.every((r) => r.type === OpCode.error)).toBe(true);
    expect(out.result.err).toBe(ErrorCode.NONODE);
    // The txn carries the real ops up to the failure, then error txns.
    const body = out.body as Extract<TxnBody, { type: typeof OpCode.multi }>;
    expect(body.txns.map((t) => t.type)).toEqual([OpCode.create2, OpCode.setData, OpCode.error, OpCode.error]);
    expect(h.tree.getNode("/m1")).toBeUndefined();
    expect(h.tree.getNode("/m2")).toBeUndefined();
    expect(h.tree.getNode("/x")!.data?.toString()).toBe("keep");
    expect(stat(h, "/")).toEqual(rootBefore);
  });

  it("a failed multi leaves no change records behind", () => {
    const h = new Harness();
    h.ok(createOp("/q"));
    h.prepare(multiOp(createOp("/q/a"), setDataOp("/q", "x"), checkOp("/q", 7)));
    expect(h.preparer.outstandingCount).toBe(0);
    // Prepared before the failed multi is applied, these see the tree as if it never happened.
    expect(h.prepare(createOp("/q/a")).body.type).toBe(OpCode.create2);
    expect(h.prepare(setDataOp("/q", "y", 0)).body.type).toBe(OpCode.setData);
    expect(h.applyAll().map((o) => o.err)).toEqual([ErrorCode.BADVERSION, 0, 0]);
  });

  it("a failed multi gives back the sequence number its sequential create took", () => {
    const h = new Harness();
    h.ok(createOp("/q"));
    const failed = h.prepare(multiOp(createOp("/q/n-", { mode: CreateMode.PERSISTENT_SEQUENTIAL }), deleteOp("/missing")));
    expect(failed.body.type).toBe(OpCode.multi);
    // ZooKeeper drops every record of the failed multi, including the suffixed path, so the
    // next sequential create reuses the number instead of colliding with a phantom node.
    const next = h.prepare(createOp("/q/n-", { mode: CreateMode.PERSISTENT_SEQUENTIAL }));
    expect(next.body).toMatchObject({ type: OpCode.create2, txn: { path: "/q/n-0000000000" } });
    const outcomes = h.applyAll();
    expect(outcomes.map((o) => o.err)).toEqual([ErrorCode.NONODE, 0]);
    expect(childrenOf(h, "/q")).toEqual(["n-0000000000"]);
    // And nothing of the failed multi is left to shadow the tree.
    expect(h.preparer.outstandingCount).toBe(0);
    expect(h.run(createOp("/q/n-0000000000/child")).err).toBe(0);
  });

  it("rollback brings back an in-flight delete of the very name a failed sequential create took", () => {
    const h = new Harness();
    h.ok(createOp("/q"));
    h.ok(createOp("/q/a"));
    h.ok(createOp("/q/b"));
    // Created by name; the counter is now 3, so the next sequential name is this one.
    h.ok(createOp("/q/n-0000000003"));
    h.prepare(deleteOp("/q/n-0000000003"));
    h.prepare(multiOp(createOp("/q/n-", { mode: CreateMode.PERSISTENT_SEQUENTIAL }), deleteOp("/missing")));
    // The path is still on its way out, as if the failed multi had never been prepared.
    expect(h.prepare(createOp("/q/n-0000000003", { data: "again" })).body.type).toBe(OpCode.create2);
    expect(h.applyAll().map((o) => o.err)).toEqual([0, ErrorCode.NONODE, 0]);
    expect(h.tree.getNode("/q/n-0000000003")!.data?.toString()).toBe("again");
  });

  it("rollback restores the change records that were in flight before the multi", () => {
    const h = new Harness();
    h.prepare(createOp("/p"));
    h.prepare(createOp("/p/seq-", { mode: CreateMode.PERSISTENT_SEQUENTIAL }));
    h.prepare(multiOp(createOp("/p/a"), createOp("/p/seq-", { mode: CreateMode.PERSISTENT_SEQUENTIAL }), checkOp("/p", 3)));
    // The in-flight /p record (one child, counter 1) is visible again.
    const next = h.prepare(createOp("/p/seq-", { mode: CreateMode.PERSISTENT_SEQUENTIAL }));
    expect(next.body).toMatchObject({ txn: { path: "/p/seq-0000000001" } });
    expect(h.prepare(createOp("/p/a")).body.type).toBe(OpCode.create2);
    expect(h.applyAll().map((o) => o.err)).toEqual([0, 0, ErrorCode.BADVERSION, 0, 0]);
    expect(childrenOf(h, "/p")).toEqual(["a", "seq-0000000000", "seq-0000000001"]);
  });

  it("ops see earlier ops of the same multi", () => {
    const h = new Harness();
    h.ok(createOp("/d"));
    const out = h.run(multiOp(deleteOp("/d"), createOp("/d", { data: "new" }), setDataOp("/d", "newer", 0)));
    expect(errs(out.result)).toEqual([0, 0, 0]);
    expect(stat(h, "/d").version).toBe(1);
    const failing = h.run(multiOp(deleteOp("/d"), setDataOp("/d", "x")));
    expect(errs(failing.result)).toEqual([0, ErrorCode.NONODE]);
    expect(h.tree.getNode("/d")!.data?.toString()).toBe("newer");
  });
});

describe("closeSession", () => {
  it("deletes the session's ephemerals and nothing else", () => {
    const h = new Harness();
    h.ok(createOp("/p"));
    h.ok(createOp("/p/e1", { mode: CreateMode.EPHEMERAL }));
    h.ok(createOp("/p/e2-", { mode: CreateMode.EPHEMERAL_SEQUENTIAL }));
    h.ok(createOp("/p/other", { mode: CreateMode.EPHEMERAL }), ANON_S2);
    h.ok(createOp("/p/keep"));
    const out = h.close(S1);
    expect(out.body).toMatchObject({ type: OpCode.closeSession });
    const body = out.body as Extract<TxnBody, { type: typeof OpCode.closeSession }>;
    expect([...body.txn!.paths2Delete].sort()).toEqual(["/p/e1", "/p/e2-0000000001"]);
    expect(childrenOf(h, "/p")).toEqual(["keep", "other"]);
    expect(h.tree.getEphemerals(S1)).toEqual([]);
    expect(h.tree.getEphemerals(S2)).toEqual(["/p/other"]);
    const parent = stat(h, "/p");
    expect(parent.cversion).toBe(6);
    expect(parent.pzxid).toBe(h.lastZxid);
  });

  it("includes ephemerals still in flight and leaves out ones whose delete is in flight", () => {
    const h = new Harness();
    h.ok(createOp("/old", { mode: CreateMode.EPHEMERAL }));
    h.ok(createOp("/gone", { mode: CreateMode.EPHEMERAL }));
    h.prepare(createOp("/new", { mode: CreateMode.EPHEMERAL }));
    h.prepare(deleteOp("/gone"));
    const close = h.prepareClose(S1);
    const body = close.body as Extract<TxnBody, { type: typeof OpCode.closeSession }>;
    expect([...body.txn!.paths2Delete].sort()).toEqual(["/new", "/old"]);
    // Prepared after the close but before it applies: the paths already count as deleted.
    expect(h.prepare(createOp("/new"), ANON_S2).body.type).toBe(OpCode.create2);
    expect(h.applyAll().map((o) => o.err)).toEqual([0, 0, 0, 0]);
    expect([...h.tree.nodes.keys()].filter((p) => !p.startsWith("/zookeeper")).sort()).toEqual(["/", "/new"]);
    expect(stat(h, "/new").ephemeralOwner).toBe(0n);
  });

  it("does not lower the parent's child count before it is applied, as in ZooKeeper", () => {
    // PrepRequestProcessor's closeSession records the deleted paths but leaves the parents'
    // childCount alone, so deleting the parent in the same window is NOTEMPTY; once the close
    // has been applied the same delete succeeds.
    const h = new Harness();
    h.ok(createOp("/p"));
    h.ok(createOp("/p/e", { mode: CreateMode.EPHEMERAL }), ANON_S2);
    h.prepareClose(S2);
    expect(h.prepare(deleteOp("/p")).body).toEqual({ type: OpCode.error, txn: { err: ErrorCode.NOTEMPTY } });
    h.applyAll();
    expect(h.run(deleteOp("/p")).err).toBe(0);
  });

  it("treats sessions of server id 255 as sessions when extended types are off", () => {
    // Such a session id starts with the byte TTL owners use; with extended types off ZooKeeper
    // reads it as a session, so its nodes are ephemerals that the close removes.
    const session = BigInt.asIntN(64, 0xff00017f3e2a0001n);
    const h = new Harness({ extendedTypesEnabled: false });
    const who = { sessionId: session, authInfo: [] };
    const rc = h.ok(createOp("/e", { mode: CreateMode.EPHEMERAL }), who);
    expect(rc.stat!.ephemeralOwner).toBe(session);
    expect(h.tree.getEphemerals(session)).toEqual(["/e"]);
    expect(h.tree.ttls.size).toBe(0);
    expect(h.run(createOp("/e/child")).err).toBe(ErrorCode.NOCHILDRENFOREPHEMERALS);
    expect(h.tree.expiryCandidates(1n << 60n, 0n)).toEqual([]);
    h.close(session);
    expect(h.tree.getNode("/e")).toBeUndefined();
  });

  it("with no ephemerals is an empty close", () => {
    const h = new Harness();
    h.ok(createOp("/a"));
    const out = h.close(S1);
    expect(out.err).toBe(0);
    expect(out.body).toEqual({ type: OpCode.closeSession, txn: { paths2Delete: [] } });
    expect(h.tree.getNode("/a")).toBeDefined();
  });

  it("applying a close without a path list still deletes the session's ephemerals (old log format)", () => {
    const h = new Harness();
    h.ok(createOp("/e", { mode: CreateMode.EPHEMERAL }));
    h.tree.applyTxn(
      { clientId: S1, cxid: 0, zxid: 100n, time: 0n, type: OpCode.closeSession },
      {
        type: OpCode.closeSession,
        txn: null,
      },
    );
    expect(h.tree.getNode("/e")).toBeUndefined();
  });
});

describe("quotas", () => {
  /** What zkCli's setquota does: the quota node, its limits, then zero stats. */
  function setQuota(h: Harness, path: string, limits: string): void {
    h.ok(createOp(`/zookeeper/quota${path}`));
    h.ok(createOp(`/zookeeper/quota${path}/zookeeper_limits`, { data: limits }));
    h.ok(createOp(`/zookeeper/quota${path}/zookeeper_stats`, { data: "count=0,bytes=0" }));
  }

  function quotaStats(h: Harness, path: string): string {
    return h.tree.getNode(`/zookeeper/quota${path}/zookeeper_stats`)!.data!.toString();
  }

  it("counts the existing subtree when the stat node is created, then tracks create, setData and delete", () => {
    const h = new Harness();
    h.ok(createOp("/app", { data: "abc" }));
    h.ok(createOp("/app/c1", { data: "de" }));
    setQuota(h, "/app", "count=10,bytes=100");
    expect(h.tree.quotaRootOf("/app/c1")).toBe("/app");
    expect(quotaStats(h, "/app")).toBe("count=2,bytes=5");
    h.ok(createOp("/app/c2", { data: "xyz" }));
    expect(quotaStats(h, "/app")).toBe("count=3,bytes=8");
    h.ok(setDataOp("/app/c2", "x"));
    expect(quotaStats(h, "/app")).toBe("count=3,bytes=6");
    h.ok(createOp("/app/c2/deep", { data: null }));
    expect(quotaStats(h, "/app")).toBe("count=4,bytes=6");
    h.ok(deleteOp("/app/c2/deep"));
    h.ok(deleteOp("/app/c1"));
    expect(quotaStats(h, "/app")).toBe("count=2,bytes=4");
    // Nodes outside the quota'd subtree do not count.
    h.ok(createOp("/apple", { data: "zzz" }));
    expect(quotaStats(h, "/app")).toBe("count=2,bytes=4");
  });

  it("a nested quota takes over its subtree", () => {
    const h = new Harness();
    h.ok(createOp("/a"));
    h.ok(createOp("/a/b"));
    setQuota(h, "/a", "count=10");
    setQuota(h, "/a/b", "count=10");
    h.ok(createOp("/a/b/c", { data: "12" }));
    expect(quotaStats(h, "/a/b")).toBe("count=2,bytes=2");
    expect(quotaStats(h, "/a")).toBe("count=2,bytes=0");
  });

  it("a quota on /zookeeper is kept like any other; only the root is exempt", () => {
    // DataTree.getMaxPrefixWithQuota ignores the root "/" only, and zkCli refuses quotas
    // under /zookeeper/quota but not on /zookeeper itself.
    const h = new Harness({ enforceQuota: true });
    setQuota(h, "/zookeeper", "count=-1,bytes=-1=;countHardLimit=1000");
    expect(h.tree.quotaRootOf("/zookeeper/x")).toBe("/zookeeper");
    const before = StatsTrack.parse(h.tree.getNode("/zookeeper/quota/zookeeper/zookeeper_stats")!.data);
    h.ok(createOp("/zookeeper/x", { data: "ab" }));
    const after = StatsTrack.parse(h.tree.getNode("/zookeeper/quota/zookeeper/zookeeper_stats")!.data);
    expect(after.count - before.count).toBe(1n);
    expect(after.bytes - before.bytes).toBe(2n);
    expect(h.tree.quotaRootOf("/x")).toBeNull();
  });

  it("deleting the limit node removes the quota", () => {
    const h = new Harness();
    h.ok(createOp("/a"));
    setQuota(h, "/a", "count=10");
    h.ok(deleteOp("/zookeeper/quota/a/zookeeper_limits"));
    expect(h.tree.quotaRootOf("/a")).toBeNull();
    h.ok(createOp("/a/b"));
    expect(quotaStats(h, "/a")).toBe("count=1,bytes=0");
  });

  it("QUOTAEXCEEDED on hard limits only when enforceQuota is on", () => {
    const limits = "count=-1,bytes=-1=;byteHardLimit=6;countHardLimit=3";
    const h = new Harness({ enforceQuota: true });
    h.ok(createOp("/a", { data: "12" }));
    setQuota(h, "/a", limits);
    h.ok(createOp("/a/b", { data: "34" }));
    h.ok(createOp("/a/c"));
    expect(h.run(createOp("/a/d")).err).toBe(ErrorCode.QUOTAEXCEEDED);
    expect(h.run(setDataOp("/a/c", "567")).err).toBe(ErrorCode.QUOTAEXCEEDED);
    expect(h.run(setDataOp("/a/c", "56")).err).toBe(0);
    // Shrinking is always allowed.
    expect(h.run(setDataOp("/a/b", "")).err).toBe(0);
    expect(quotaStats(h, "/a")).toBe("count=3,bytes=4");

    const lax = new Harness({ enforceQuota: false });
    lax.ok(createOp("/a"));
    setQuota(lax, "/a", limits);
    for (const name of ["b", "c", "d", "e"]) lax.ok(createOp(`/a/${name}`, { data: "1234" }));
    expect(quotaStats(lax, "/a")).toBe("count=5,bytes=16");
  });

  it("soft limits never fail a write", () => {
    const h = new Harness({ enforceQuota: true });
    h.ok(createOp("/a"));
    setQuota(h, "/a", "count=1,bytes=1");
    expect(h.run(createOp("/a/b", { data: "toolong" })).err).toBe(0);
  });
});

describe("expiryCandidates (ContainerManager)", () => {
  it("a container becomes a candidate once it had a child and is empty again", () => {
    const h = new Harness();
    h.ok(createOp("/c", { mode: CreateMode.CONTAINER }));
    const far = 1_000_000_000n;
    expect(h.tree.expiryCandidates(far, 0n)).toEqual([]);
    h.ok(createOp("/c/x"));
    expect(h.tree.expiryCandidates(far, 0n)).toEqual([]);
    h.ok(deleteOp("/c/x"));
    expect(h.tree.expiryCandidates(far, 0n)).toEqual(["/c"]);
  });

  it("a never-used container expires after maxNeverUsedIntervalMs when that is set", () => {
    const h = new Harness();
    h.ok(createOp("/c", { mode: CreateMode.CONTAINER }));
    const mtime = h.tree.getNode("/c")!.mtime;
    expect(h.tree.expiryCandidates(mtime + 500n, 500n)).toEqual([]);
    expect(h.tree.expiryCandidates(mtime + 501n, 500n)).toEqual(["/c"]);
  });

  it("a TTL node is a candidate when empty and unmodified for longer than its ttl", () => {
    const h = new Harness();
    h.ok(createOp("/t", { mode: CreateMode.PERSISTENT_WITH_TTL, ttl: 100n }));
    const mtime = h.tree.getNode("/t")!.mtime;
    expect(h.tree.expiryCandidates(mtime + 100n, 0n)).toEqual([]);
    expect(h.tree.expiryCandidates(mtime + 101n, 0n)).toEqual(["/t"]);
    h.ok(createOp("/t/child"));
    expect(h.tree.expiryCandidates(mtime + 1_000_000n, 0n)).toEqual([]);
    h.ok(deleteOp("/t/child"));
    // A setData moves mtime and so postpones the expiry.
    h.ok(setDataOp("/t", "touch"));
    const touched = h.tree.getNode("/t")!.mtime;
    expect(touched).toBeGreaterThan(mtime);
    expect(h.tree.expiryCandidates(touched + 100n, 0n)).toEqual([]);
    expect(h.tree.expiryCandidates(touched + 101n, 0n)).toEqual(["/t"]);
  });

  it("ordinary and ephemeral nodes are never candidates", () => {
    const h = new Harness();
    h.ok(createOp("/p"));
    h.ok(createOp("/p/x"));
    h.ok(deleteOp("/p/x"));
    h.ok(createOp("/e", { mode: CreateMode.EPHEMERAL }));
    expect(h.tree.expiryCandidates(1n << 50n, 1n)).toEqual([]);
  });
});
