import { describe, expect, it } from "vitest";
import { CreateMode, ErrorCode, EventType, KeeperState, OpCode, Perms, WatcherType, Xid, type MultiOp, type MultiResult } from "../src/index.js";
import { decodeConnection, loadGolden, type Decoded } from "./support/golden.js";

// Frames captured from real clients talking to Apache ZooKeeper 3.8 (see
// scripts/record-golden.mjs). Every frame must decode with the record its opcode selects and
// encode back to exactly the captured bytes.

const files = ["kazoo", "zkcli", "java", "climt", "nulls"] as const;
const decoded = Object.fromEntries(files.map((name) => [name, loadGolden(name).connections.map((c) => decodeConnection(c.frames))])) as Record<
  (typeof files)[number],
  Decoded[][]
>;

const all = (name: (typeof files)[number]) => decoded[name].flat();
const requests = (name: (typeof files)[number], opcode: number) => all(name).filter((d) => d.frame.dir === "c2s" && d.opcode === opcode);
const replies = (name: (typeof files)[number], opcode: number) => all(name).filter((d) => d.frame.dir === "s2c" && d.opcode === opcode);
const body = <T>(d: Decoded | undefined): T => {
  expect(d, "frame present").toBeDefined();
  return d!.body as T;
};

describe.each(files)("golden frames from %s", (name) => {
  const golden = loadGolden(name);

  it("were recorded against ZooKeeper 3.8", () => {
    expect(golden.recordedWith).toMatch(/Zookeeper version: 3\.8\./);
    expect(golden.connections.length).toBeGreaterThan(0);
  });

  it("decode and re-encode byte for byte", () => {
    for (const [index, connection] of decoded[name].entries()) {
      for (const d of connection) {
        const label = `${name} connection ${index} ${d.frame.dir} xid ${d.frame.xid} ${d.frame.op ?? d.frame.kind}`;
        expect(d.reencoded.toString("hex"), label).toBe(d.payload.toString("hex"));
      }
    }
  });

  it("resolve every reply to the opcode the recorder saw", () => {
    for (const d of all(name)) {
      if (d.frame.kind !== undefined) continue;
      expect(d.opcode, `xid ${d.frame.xid}`).toBe(d.frame.opcode);
      if (d.frame.dir === "s2c") expect(d.header!.err).toBe(d.frame.err);
    }
  });

  it("open every connection with the handshake", () => {
    for (const connection of decoded[name]) {
      expect(connection[0]!.frame.kind).toBe("connect");
      const request = body<{ protocolVersion: number; passwd: Buffer; readOnlyByteSent: boolean }>(connection[0]);
      expect(request.protocolVersion).toBe(0);
      expect(request.readOnlyByteSent).toBe(true);
      const response = connection.find((d) => d.frame.kind === "connectResponse");
      const reply = body<{ protocolVersion: number; sessionId: bigint; passwd: Buffer; timeOut: number }>(response);
      expect(reply.passwd.length).toBe(16);
      // Either a live session, or the expired-session reply (all zero) to a stale resume.
      if (reply.sessionId === 0n) expect(reply).toMatchObject({ timeOut: 0, passwd: Buffer.alloc(16) });
      else expect(reply.timeOut).toBeGreaterThan(0);
    }
  });

  it("send error replies as a bare ReplyHeader (a multi failing on a null path aside)", () => {
    for (const d of all(name).filter((d) => d.frame.dir === "s2c" && d.header?.err !== 0 && d.frame.kind === undefined)) {
      if (d.header!.err === ErrorCode.MARSHALLINGERROR && (d.opcode === OpCode.multi || d.opcode === OpCode.multiRead)) continue;
      expect(d.payload.length).toBe(16);
    }
  });
});

describe("known values in the kazoo capture", () => {
  it("negotiates the 2 s session kazoo asked for", () => {
    const connect = body<{ timeOut: number; sessionId: bigint; passwd: Buffer; readOnly: boolean }>(all("kazoo")[0]);
    expect(connect).toMatchObject({ timeOut: 2000, sessionId: 0n, readOnly: false });
    expect(connect.passwd).toEqual(Buffer.alloc(16));
    expect(body<{ timeOut: number }>(all("kazoo")[1]).timeOut).toBe(2000);
  });

  it("creates with the flags of each mode and the open ACL", () => {
    const creates = requests("kazoo", OpCode.create).map((d) => body<{ path: string; flags: number; acl: unknown }>(d));
    const flagsOf = (path: string) => creates.find((c) => c.path === path)?.flags;
    expect(flagsOf("/golden-kazoo")).toBe(CreateMode.PERSISTENT);
    expect(flagsOf("/golden-kazoo/ephemeral")).toBe(CreateMode.EPHEMERAL);
    expect(flagsOf("/golden-kazoo/seq-")).toBe(CreateMode.PERSISTENT_SEQUENTIAL);
    expect(flagsOf("/golden-kazoo/eseq-")).toBe(CreateMode.EPHEMERAL_SEQUENTIAL);
    expect(creates[0]!.acl).toEqual([{ perms: Perms.ALL, id: { scheme: "world", id: "anyone" } }]);
    const seqReply = replies("kazoo", OpCode.create).map((d) => body<{ path: string }>(d).path);
    expect(seqReply).toContain("/golden-kazoo/seq-0000000002");
    const create2 = body<{ path: string; stat: { dataLength: number; version: number } }>(replies("kazoo", OpCode.create2)[0]);
    expect(create2).toMatchObject({ path: "/golden-kazoo/with-stat", stat: { dataLength: 2, version: 0 } });
  });

  it("delivers notifications with xid -1 and zxid -1", () => {
    const events = replies("kazoo", OpCode.notification);
    for (const e of events) expect(e.header).toMatchObject({ xid: Xid.notification, zxid: -1n, err: 0 });
    expect(events.map((e) => e.body)).toEqual(
      expect.arrayContaining([
        { type: EventType.NodeDataChanged, state: KeeperState.SyncConnected, path: "/golden-kazoo/persistent" },
        { type: EventType.NodeCreated, state: KeeperState.SyncConnected, path: "/golden-kazoo/not-yet" },
        { type: EventType.NodeChildrenChanged, state: KeeperState.SyncConnected, path: "/golden-kazoo" },
      ]),
    );
  });

  it("sends digest auth with xid -4 and sets a digest ACL", () => {
    const auth = requests("kazoo", OpCode.auth)[0]!;
    expect(auth.header!.xid).toBe(Xid.auth);
    expect(body<{ type: number; scheme: string; auth: Buffer }>(auth)).toEqual({ type: 0, scheme: "digest", auth: Buffer.from("golden:secret") });
    const setAcl = body<{ acl: { perms: number; id: { scheme: string; id: string } }[] }>(requests("kazoo", OpCode.setACL)[0]);
    expect(setAcl.acl).toHaveLength(1);
    expect(setAcl.acl[0]!.perms).toBe(Perms.ALL);
    expect(setAcl.acl[0]!.id.scheme).toBe("digest");
    expect(setAcl.acl[0]!.id.id).toMatch(/^golden:[A-Za-z0-9+/]{27}=$/);
  });

  it("reports a failed multi with err 0 in the header and error results inside", () => {
    const multis = replies("kazoo", OpCode.multi);
    expect(multis).toHaveLength(2);
    const ok = body<MultiResult[]>(multis[0]);
    expect(ok.map((r) => r.type)).toEqual([OpCode.create, OpCode.setData, OpCode.check, OpCode.delete]);
    expect(multis[1]!.header!.err).toBe(0);
    expect(body<MultiResult[]>(multis[1])).toEqual([
      { type: OpCode.error, err: ErrorCode.OK },
      { type: OpCode.error, err: ErrorCode.BADVERSION },
      { type: OpCode.error, err: ErrorCode.RUNTIMEINCONSISTENCY },
    ]);
    const request = body<MultiOp[]>(requests("kazoo", OpCode.multi)[1]);
    expect(request.map((op) => op.type)).toEqual([OpCode.create, OpCode.check, OpCode.create]);
  });

  it("echoes readOnly=false to a read-only capable client of a read-write server", () => {
    const [, readOnlyClient] = decoded.kazoo;
    expect(body<{ readOnly: boolean; readOnlyByteSent: boolean }>(readOnlyClient![0])).toMatchObject({ readOnly: true, readOnlyByteSent: true });
    expect(readOnlyClient![1]!.payload.length).toBe(37);
    expect(body<{ readOnly: boolean }>(readOnlyClient![1]).readOnly).toBe(false);
  });

  it("answers a resume with a wrong password with the expired-session handshake and nothing else", () => {
    const main = decoded.kazoo[0]!;
    const stale = decoded.kazoo[2]!;
    const sessionId = body<{ sessionId: bigint }>(main[1]).sessionId;
    const request = body<{ sessionId: bigint; passwd: Buffer }>(stale[0]);
    expect(request.sessionId).toBe(sessionId);
    expect(request.passwd.equals(body<{ passwd: Buffer }>(main[1]).passwd)).toBe(false);
    expect(body(stale[1])).toEqual({ protocolVersion: 0, timeOut: 0, sessionId: 0n, passwd: Buffer.alloc(16), readOnly: false });
    expect(stale).toHaveLength(2);
  });

  it("answers a missing node with NONODE and pings with xid -2", () => {
    expect(replies("kazoo", OpCode.getData).some((d) => d.header!.err === ErrorCode.NONODE)).toBe(true);
    expect(replies("kazoo", OpCode.exists).some((d) => d.header!.err === ErrorCode.NONODE)).toBe(true);
    expect(replies("kazoo", OpCode.setData).some((d) => d.header!.err === ErrorCode.BADVERSION)).toBe(true);
    const pings = requests("kazoo", OpCode.ping);
    expect(pings.length).toBeGreaterThan(0);
    for (const p of pings) expect(p.payload.toString("hex")).toBe("fffffffe0000000b");
    expect(replies("kazoo", OpCode.ping)[0]!.header).toMatchObject({ xid: Xid.ping, err: 0 });
    const close = requests("kazoo", OpCode.closeSession);
    expect(close).toHaveLength(2);
    expect(close[0]!.payload.length).toBe(8);
  });
});

describe("known values in the zkCli capture", () => {
  it("creates containers, TTL and sequential TTL nodes with their opcodes and flags", () => {
    const container = body<{ path: string; flags: number }>(requests("zkcli", OpCode.createContainer)[0]);
    expect(container).toMatchObject({ path: "/golden-zkcli/container", flags: CreateMode.CONTAINER });
    const ttls = requests("zkcli", OpCode.createTTL).map((d) => body<{ path: string; flags: number; ttl: bigint }>(d));
    expect(ttls).toEqual([
      expect.objectContaining({ path: "/golden-zkcli/ttl", flags: CreateMode.PERSISTENT_WITH_TTL, ttl: 60000n }),
      expect.objectContaining({ path: "/golden-zkcli/ttlseq-", flags: CreateMode.PERSISTENT_SEQUENTIAL_WITH_TTL, ttl: 60000n }),
    ]);
    // Clients see ephemeralOwner 0 for TTL nodes.
    const ttlReply = body<{ path: string; stat: { ephemeralOwner: bigint } }>(replies("zkcli", OpCode.createTTL)[0]);
    expect(ttlReply.stat.ephemeralOwner).toBe(0n);
  });

  it("reconnects with the same session and restores watches with SetWatches, then SetWatches2", () => {
    const [first, second, third] = decoded.zkcli;
    const sessionId = body<{ sessionId: bigint }>(first!.find((d) => d.frame.kind === "connectResponse")).sessionId;
    for (const connection of [second!, third!]) expect(body<{ sessionId: bigint }>(connection[0]).sessionId).toBe(sessionId);
    const setWatches = body<{ dataWatches: string[]; existWatches: string[]; childWatches: string[]; relativeZxid: bigint }>(
      requests("zkcli", OpCode.setWatches)[0],
    );
    expect(setWatches.dataWatches).toContain("/golden-zkcli/eph");
    expect(setWatches.existWatches).toContain("/golden-zkcli/later");
    expect(setWatches.childWatches).toContain("/golden-zkcli");
    expect(setWatches.relativeZxid).toBeGreaterThan(0n);
    const setWatches2 = body<{ persistentWatches: string[]; persistentRecursiveWatches: string[] }>(requests("zkcli", OpCode.setWatches2)[0]);
    expect(setWatches2.persistentWatches).toEqual(["/golden-zkcli/container"]);
    expect(setWatches2.persistentRecursiveWatches).toEqual(["/golden-zkcli/later"]);
  });

  it("registers persistent and recursive watches with addWatch, answered by an ErrorResponse body", () => {
    const modes = requests("zkcli", OpCode.addWatch).map((d) => body<{ path: string; mode: number }>(d));
    expect(modes).toEqual([
      { path: "/golden-zkcli/container", mode: 0 },
      { path: "/golden-zkcli/later", mode: 1 },
    ]);
    for (const reply of replies("zkcli", OpCode.addWatch)) expect(reply.body).toEqual({ err: 0 });
  });

  it("answers getEphemerals, getAllChildrenNumber and whoAmI", () => {
    expect(body<{ ephemerals: string[] }>(replies("zkcli", OpCode.getEphemerals)[0]).ephemerals).toEqual([
      "/golden-zkcli/eph",
      "/golden-zkcli/eseq-0000000002",
    ]);
    expect(body<{ totalNumber: number }>(replies("zkcli", OpCode.getAllChildrenNumber)[0]).totalNumber).toBe(7);
    const who = body<{ clientInfo: { authScheme: string; user: string }[] }>(replies("zkcli", OpCode.whoAmI)[0]).clientInfo;
    expect(who).toEqual(
      expect.arrayContaining([
        { authScheme: "digest", user: "golden" },
        { authScheme: "ip", user: "127.0.0.1" },
      ]),
    );
  });

  it("refuses reconfig on a standalone server and reports errors in the header", () => {
    const reconfig = body<{ leavingServers: string | null; joiningServers: string | null; curConfigId: bigint }>(requests("zkcli", OpCode.reconfig)[0]);
    expect(reconfig).toMatchObject({ leavingServers: "7", joiningServers: null, newMembers: null, curConfigId: -1n });
    expect(replies("zkcli", OpCode.reconfig)[0]!.header!.err).toBe(ErrorCode.RECONFIGDISABLED);
    expect(replies("zkcli", OpCode.delete).some((d) => d.header!.err === ErrorCode.BADVERSION)).toBe(true);
  });

  it("fires persistent and recursive watch notifications after reconnecting", () => {
    const events = replies("zkcli", OpCode.notification).map((d) => d.body);
    expect(events).toEqual(
      expect.arrayContaining([
        { type: EventType.NodeChildrenChanged, state: KeeperState.SyncConnected, path: "/golden-zkcli/container" },
        { type: EventType.NodeDataChanged, state: KeeperState.SyncConnected, path: "/golden-zkcli/later" },
        { type: EventType.NodeDataChanged, state: KeeperState.SyncConnected, path: "/golden-zkcli/eph" },
      ]),
    );
  });

  it("deletes recursively with a multi of deletes", () => {
    const ops = body<MultiOp[]>(requests("zkcli", OpCode.multi).at(-1));
    expect(ops.length).toBeGreaterThan(1);
    for (const op of ops) expect(op.type).toBe(OpCode.delete);
    const results = body<MultiResult[]>(replies("zkcli", OpCode.multi).at(-1));
    expect(results.map((r) => r.type)).toEqual(ops.map(() => OpCode.delete));
  });
});

describe("known values in the Java client capture", () => {
  it("sends reads as multiRead and gets per-op results, errors included", () => {
    const reqs = requests("java", OpCode.multiRead).map((d) => body<MultiOp[]>(d));
    expect(reqs).toEqual([
      [
        { type: OpCode.getData, request: { path: "/golden-java/a", watch: false } },
        { type: OpCode.getChildren, request: { path: "/golden-java", watch: false } },
      ],
      [
        { type: OpCode.getChildren, request: { path: "/golden-java", watch: false } },
        { type: OpCode.getData, request: { path: "/golden-java/missing", watch: false } },
      ],
    ]);
    const [ok, partial] = replies("java", OpCode.multiRead).map((d) => body<MultiResult[]>(d));
    expect(ok![0]).toMatchObject({ type: OpCode.getData, data: Buffer.from("a") });
    expect(ok![1]).toEqual({ type: OpCode.getChildren, children: ["a"] });
    expect(partial).toEqual([
      { type: OpCode.getChildren, children: ["a"] },
      { type: OpCode.error, err: ErrorCode.NONODE },
    ]);
  });

  it("answers TTL and container creates inside multi with create2 results", () => {
    const ops = body<MultiOp[]>(requests("java", OpCode.multi)[0]);
    expect(ops.map((op) => op.type)).toEqual([OpCode.createTTL, OpCode.createContainer, OpCode.create, OpCode.check, OpCode.setData, OpCode.delete]);
    expect(ops[0]).toMatchObject({ request: { path: "/golden-java/m-ttl", flags: CreateMode.PERSISTENT_WITH_TTL, ttl: 60000n } });
    expect(ops[1]).toMatchObject({ request: { path: "/golden-java/m-container", flags: CreateMode.CONTAINER } });
    const results = body<MultiResult[]>(replies("java", OpCode.multi)[0]);
    expect(results.map((r) => r.type)).toEqual([OpCode.create2, OpCode.create2, OpCode.create, OpCode.check, OpCode.setData, OpCode.delete]);
    expect(results[2]).toEqual({ type: OpCode.create, path: "/golden-java/m-seq-0000000003" });
  });

  it("removes one specific watcher with checkWatches", () => {
    const check = body<{ path: string; type: number }>(requests("java", OpCode.checkWatches)[0]);
    expect(check).toEqual({ path: "/golden-java/a", type: WatcherType.Data });
    expect(replies("java", OpCode.checkWatches)[0]!.header!.err).toBe(ErrorCode.OK);
  });
});

describe("known values in the cli_mt (C client) capture", () => {
  it("creates with flags for each mode and the container/TTL opcodes", () => {
    const creates = requests("climt", OpCode.create).map((d) => body<{ path: string; flags: number }>(d));
    expect(creates).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ path: "/golden-c", flags: CreateMode.PERSISTENT }),
        expect.objectContaining({ path: "/golden-c/e", flags: CreateMode.EPHEMERAL }),
        expect.objectContaining({ path: "/golden-c/s-", flags: CreateMode.PERSISTENT_SEQUENTIAL }),
      ]),
    );
    expect(body<{ flags: number }>(requests("climt", OpCode.createContainer)[0]).flags).toBe(CreateMode.CONTAINER);
    expect(body<{ ttl: bigint; flags: number }>(requests("climt", OpCode.createTTL)[0])).toMatchObject({ ttl: 60000n, flags: CreateMode.PERSISTENT_WITH_TTL });
  });

  it("sets an exist watch on a missing node, and a child watch (ls) that fires on a delete", () => {
    const exists = requests("climt", OpCode.exists).map((d) => body<{ path: string; watch: boolean }>(d));
    expect(exists).toEqual(expect.arrayContaining([{ path: "/golden-c/nothere", watch: true }]));
    expect(requests("climt", OpCode.getChildren).map((d) => body<{ watch: boolean }>(d).watch)).toContain(true);
    const events = replies("climt", OpCode.notification).map((d) => d.body);
    expect(events).toContainEqual({ type: EventType.NodeChildrenChanged, state: KeeperState.SyncConnected, path: "/golden-c" });
  });
});

describe("coverage of the captures", () => {
  it("holds requests and successful replies for every client opcode a 3.8 client sends", () => {
    const expected = [
      "create",
      "delete",
      "exists",
      "getData",
      "setData",
      "getACL",
      "setACL",
      "getChildren",
      "sync",
      "ping",
      "getChildren2",
      "multi",
      "create2",
      "reconfig",
      "checkWatches",
      "removeWatches",
      "createContainer",
      "createTTL",
      "multiRead",
      "auth",
      "setWatches",
      "getEphemerals",
      "getAllChildrenNumber",
      "setWatches2",
      "addWatch",
      "whoAmI",
      "closeSession",
    ] as const;
    const everything = files.flatMap((name) => all(name));
    for (const op of expected) {
      const opcode = OpCode[op];
      expect(
        everything.some((d) => d.frame.dir === "c2s" && d.opcode === opcode),
        `${op} request`,
      ).toBe(true);
      const okReply = everything.some((d) => d.frame.dir === "s2c" && d.opcode === opcode && d.header!.err === 0);
      // reconfig is refused on a standalone server; its error reply is covered instead.
      if (op !== "reconfig") expect(okReply, `${op} reply`).toBe(true);
    }
    expect(everything.some((d) => d.opcode === OpCode.notification)).toBe(true);
  });
});

describe("known values in the capture of null fields", () => {
  type Reply = Decoded & { header: { err: number } };
  /** The reply to the request whose body satisfies `match`, on any connection. */
  const replyTo = (opcode: number, match: (body: any) => boolean): Reply => {
    for (const connection of decoded.nulls) {
      const request = connection.find((d) => d.frame.dir === "c2s" && d.opcode === opcode && match(d.body));
      if (request === undefined) continue;
      const reply = connection.find(
        (d) => d.frame.dir === "s2c" && d.header?.xid === request.header!.xid && connection.indexOf(d) > connection.indexOf(request),
      );
      expect(reply, `reply to opcode ${opcode}`).toBeDefined();
      return reply as Reply;
    }
    throw new Error(`no request of opcode ${opcode} matches`);
  };

  it("expands kazoo's CREATOR_ALL_ACL, Id(\"auth\", null), to the creator's digest id", () => {
    const creates = requests("nulls", OpCode.create).map((d) => body<{ path: string; acl: unknown }>(d));
    const kazoo = creates.find((c) => c.path === "/golden-creator-acl")!;
    expect(kazoo.acl).toEqual([{ perms: Perms.ALL, id: { scheme: "auth", id: null } }]);
    expect(replyTo(OpCode.create, (b) => b.path === "/golden-creator-acl").header.err).toBe(ErrorCode.OK);
    const acl = body<{ acl: { perms: number; id: { scheme: string; id: string } }[] }>(replyTo(OpCode.getACL, (b) => b.path === "/golden-creator-acl")).acl;
    expect(acl).toHaveLength(1);
    expect(acl[0]!.id.scheme).toBe("digest");
    expect(acl[0]!.id.id).toMatch(/^golden:[A-Za-z0-9+/]{27}=$/);
  });

  it("answers each null field as ZooKeeper's request processors do", () => {
    const errOf = (opcode: number, match: (body: any) => boolean) => replyTo(opcode, match).header.err;
    expect(errOf(OpCode.create2, (b) => b.path === null)).toBe(ErrorCode.MARSHALLINGERROR);
    expect(errOf(OpCode.create, (b) => b.acl === null)).toBe(ErrorCode.INVALIDACL);
    expect(errOf(OpCode.create, (b) => b.acl?.[0]?.id.scheme === "world" && b.acl[0].id.id === null)).toBe(ErrorCode.MARSHALLINGERROR);
    expect(errOf(OpCode.create, (b) => b.acl?.[0]?.id.scheme === null)).toBe(ErrorCode.INVALIDACL);
    expect(errOf(OpCode.delete, (b) => b.path === null)).toBe(ErrorCode.MARSHALLINGERROR);
    expect(errOf(OpCode.setData, (b) => b.path === null)).toBe(ErrorCode.BADARGUMENTS);
    expect(errOf(OpCode.setACL, (b) => b.path === null)).toBe(ErrorCode.BADARGUMENTS);
    expect(errOf(OpCode.check, (b) => b.path === null)).toBe(ErrorCode.BADARGUMENTS);
    expect(errOf(OpCode.getData, (b) => b.path === null)).toBe(ErrorCode.MARSHALLINGERROR);
    expect(errOf(OpCode.removeWatches, (b) => b.path === null)).toBe(ErrorCode.NOWATCHER);
    expect(errOf(OpCode.setWatches, (b) => b.dataWatches?.includes(null))).toBe(ErrorCode.MARSHALLINGERROR);
    expect(errOf(OpCode.auth, (b) => b.scheme === null)).toBe(ErrorCode.AUTHFAILED);
    expect(errOf(OpCode.auth, (b) => b.scheme === "digest" && b.auth === null)).toBe(ErrorCode.AUTHFAILED);
  });

  it("writes nulls back in replies: sync's path, a node's null data", () => {
    expect(body(replyTo(OpCode.sync, (b) => b.path === null))).toEqual({ path: null });
    expect(body<{ data: Buffer | null }>(replyTo(OpCode.getData, (b) => b.path === "/golden-nulls")).data).toBeNull();
  });

  it("answers a multiRead failing on a null path with the results before it, and a multi with none", () => {
    const multiRead = replyTo(OpCode.multiRead, () => true);
    expect(multiRead.header.err).toBe(ErrorCode.MARSHALLINGERROR);
    expect(body<MultiResult[]>(multiRead).map((r) => r.type)).toEqual([OpCode.getData]);
    const failed = replyTo(OpCode.multi, (ops: MultiOp[]) => ops.some((op) => op.request.path === null));
    expect(failed.header.err).toBe(ErrorCode.MARSHALLINGERROR);
    expect(failed.body).toEqual([]);
  });

  it("opens a session for a null connect password", () => {
    const nullPassword = decoded.nulls.find((c) => body<{ passwd: Buffer | null }>(c[0]).passwd === null)!;
    expect(body<{ timeOut: number }>(nullPassword[1]).timeOut).toBeGreaterThan(0);
  });
});
