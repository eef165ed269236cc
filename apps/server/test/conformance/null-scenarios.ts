import {
  type ACL,
  AddWatchMode,
  AddWatchRequest,
  AuthPacket,
  CheckVersionRequest,
  CheckWatchesRequest,
  CreateRequest,
  CreateTTLRequest,
  DeleteRequest,
  ExistsRequest,
  GetACLRequest,
  GetAllChildrenNumberRequest,
  GetChildren2Request,
  GetChildrenRequest,
  GetDataRequest,
  GetEphemeralsRequest,
  type JuteWriter,
  type MultiOp,
  OpCode,
  RemoveWatchesRequest,
  SetACLRequest,
  SetDataRequest,
  SetWatches,
  SetWatches2,
  SyncRequest,
  WatcherType,
  Xid,
  errorCodeName,
  writeMultiRequest,
} from "@zkts/jute";
import type { ConnectOptions } from "./raw-session.js";
import { OPEN_ACL, type Recorder } from "./recorder.js";
import { type Scenario, digestId } from "./scenarios.js";

/**
 * Requests with a null (length −1) in one string, buffer or vector field each, as clients send
 * them (kazoo writes every empty string that way). ZooKeeper's reader accepts −1 everywhere and
 * its request processors then answer, fail with MARSHALLINGERROR, or drop the connection,
 * field by field; each probe below records which, and whether the connection survived.
 */

type Body = (w: JuteWriter) => void;

/**
 * Sends one request and records the reply, then whether the server kept the connection: a
 * follow-up exists either answers or fails with CONNECTIONLOSS when the server has closed it.
 * A closed session is reopened under the same name so the scenario can go on.
 */
async function probe(r: Recorder, session: string, label: string, type: number, body: Body | null): Promise<void> {
  await r.send(session, type, body, label);
  await followUp(r, session, label);
}

async function followUp(r: Recorder, session: string, label: string): Promise<void> {
  const after = await r.session(session).request(OpCode.exists, (w) => ExistsRequest.write(w, { path: "/", watch: false }));
  const open = after.err === 0;
  r.record({ session, note: `after ${label}: connection ${open ? "open" : "closed"}` });
  if (!open) {
    r.drop(session);
    await r.open(session);
  }
}

async function authProbe(r: Recorder, session: string, label: string, scheme: string | null, auth: Buffer | null) {
  const reply = await r.session(session).request(OpCode.auth, (w) => AuthPacket.write(w, { type: 0, scheme, auth }), Xid.auth);
  r.record({ session, op: label, err: errorCodeName.get(reply.err) ?? reply.err });
  await followUp(r, session, label);
}

/**
 * Closes a session and records whether the server closed the connection within two seconds
 * (ZooKeeper 3.8 fails to for a session holding a watch on a null path).
 */
async function closeAndNote(r: Recorder, name: string): Promise<void> {
  const session = r.session(name);
  await r.send(name, OpCode.closeSession, null, "closeSession");
  const closed = await Promise.race([session.whenClosed().then(() => true), new Promise((res) => setTimeout(() => res(false), 2000))]);
  r.record({ session: name, note: `connection closed by server after closeSession: ${closed}` });
  r.drop(name);
}

/** Opens a session, or records that the server closed the connection during the handshake. */
async function openOrNote(r: Recorder, name: string, options: ConnectOptions) {
  try {
    return await r.open(name, options);
  } catch (err) {
    r.record({ session: name, note: `handshake failed: ${(err as Error).message}` });
    return null;
  }
}

const acl = (perms: number, scheme: string | null, id: string | null): ACL => ({ perms, id: { scheme, id } });

const createWith =
  (path: string | null, data: Buffer | null, aclList: ACL[] | null, flags = 0): Body =>
  (w) =>
    CreateRequest.write(w, { path, data, acl: aclList, flags });

export const nullScenarios: Scenario[] = [
  {
    // kazoo's CREATOR_ALL_ACL is ACL(31, Id("auth", "")), and kazoo sends the empty id as null.
    name: "null-id-in-auth-acl",
    async run(r, root) {
      await r.open("A");
      await r.open("B");
      await authProbe(r, "A", "auth digest", "digest", Buffer.from("alice:pw1"));
      await probe(r, "A", "create auth:null", OpCode.create, createWith(root, Buffer.from("x"), [acl(31, "auth", null)]));
      await r.getACL("A", root);
      await r.getData("A", root);
      await r.getData("B", root);
      await probe(r, "B", "create auth:null unauthenticated", OpCode.create, createWith(`${root}/b`, null, [acl(31, "auth", null)]));
      await probe(r, "A", "create2 auth:null", OpCode.create2, createWith(`${root}/c2`, null, [acl(31, "auth", null)]));
      await probe(r, "A", "setACL auth:null", OpCode.setACL, (w) => SetACLRequest.write(w, { path: `${root}/c2`, acl: [acl(1, "auth", null)], version: -1 }));
      await r.getACL("A", `${root}/c2`);
      await probe(r, "A", "create world:anyone + auth:null", OpCode.create, createWith(`${root}/mixed`, null, [...OPEN_ACL, acl(31, "auth", null)]));
      await r.getACL("A", `${root}/mixed`);
      await r.close("A");
      await r.close("B");
    },
  },
  {
    name: "null-ids-in-other-acls",
    async run(r, root) {
      await r.open("A");
      await r.create("A", root, null);
      const cases: [string, ACL[] | null][] = [
        ["world:null", [acl(31, "world", null)]],
        ["digest:null", [acl(31, "digest", null)]],
        ["ip:null", [acl(31, "ip", null)]],
        ["null:anyone", [acl(31, null, "anyone")]],
        ["null:null", [acl(31, null, null)]],
        ["nosuch:null", [acl(31, "nosuch", null)]],
        ["null acl list", null],
        ["world:anyone then null:null", [...OPEN_ACL, acl(31, null, null)]],
        ["null:null then world:anyone", [acl(31, null, null), ...OPEN_ACL]],
        ["digest id then digest:null", [acl(31, "digest", digestId("u", "p")), acl(31, "digest", null)]],
      ];
      for (const [label, list] of cases) {
        await probe(r, "A", `create ${label}`, OpCode.create, createWith(`${root}/n`, null, list));
      }
      await probe(r, "A", "setACL null acl list", OpCode.setACL, (w) => SetACLRequest.write(w, { path: root, acl: null, version: -1 }));
      await probe(r, "A", "setACL world:null", OpCode.setACL, (w) => SetACLRequest.write(w, { path: root, acl: [acl(31, "world", null)], version: -1 }));
      await r.getChildren("A", root);
      await r.close("A");
    },
  },
  {
    name: "null-paths-in-writes",
    async run(r, root) {
      await r.open("A");
      await r.create("A", root, null);
      await probe(r, "A", "create", OpCode.create, createWith(null, null, OPEN_ACL));
      await probe(r, "A", "create2", OpCode.create2, createWith(null, null, OPEN_ACL));
      await probe(r, "A", "create sequential", OpCode.create, createWith(null, null, OPEN_ACL, 2));
      await probe(r, "A", "createContainer", OpCode.createContainer, createWith(null, null, OPEN_ACL, 4));
      await probe(r, "A", "createTTL", OpCode.createTTL, (w) => CreateTTLRequest.write(w, { path: null, data: null, acl: OPEN_ACL, flags: 5, ttl: 1000n }));
      await probe(r, "A", "delete", OpCode.delete, (w) => DeleteRequest.write(w, { path: null, version: -1 }));
      await probe(r, "A", "setData", OpCode.setData, (w) => SetDataRequest.write(w, { path: null, data: null, version: -1 }));
      await probe(r, "A", "setACL", OpCode.setACL, (w) => SetACLRequest.write(w, { path: null, acl: OPEN_ACL, version: -1 }));
      await probe(r, "A", "check", OpCode.check, (w) => CheckVersionRequest.write(w, { path: null, version: 0 }));
      await r.getChildren("A", root);
      await r.close("A");
    },
  },
  {
    name: "null-data",
    async run(r, root) {
      await r.open("A");
      await probe(r, "A", "create null data", OpCode.create2, createWith(root, null, OPEN_ACL));
      await r.getData("A", root);
      await r.setData("A", root, Buffer.from("x"));
      await probe(r, "A", "setData null data", OpCode.setData, (w) => SetDataRequest.write(w, { path: root, data: null, version: -1 }));
      await r.getData("A", root);
      await r.setData("A", root, Buffer.alloc(0));
      await r.getData("A", root);
      await r.multi("A", [
        { type: OpCode.create, request: { path: `${root}/m`, data: null, acl: OPEN_ACL, flags: 0 } },
        { type: OpCode.setData, request: { path: root, data: null, version: -1 } },
      ]);
      await r.multiRead("A", [
        { type: OpCode.getData, request: { path: `${root}/m`, watch: false } },
        { type: OpCode.getData, request: { path: root, watch: false } },
      ]);
      await r.close("A");
    },
  },
  {
    name: "null-paths-in-reads",
    async run(r, root) {
      await r.open("A");
      await r.create("A", root, null);
      await r.create("A", `${root}/eph`, null, 1);
      const read = (label: string, type: number, body: Body) => probe(r, "A", label, type, body);
      await read("exists", OpCode.exists, (w) => ExistsRequest.write(w, { path: null, watch: false }));
      await read("exists watch", OpCode.exists, (w) => ExistsRequest.write(w, { path: null, watch: true }));
      await read("getData", OpCode.getData, (w) => GetDataRequest.write(w, { path: null, watch: false }));
      await read("getChildren", OpCode.getChildren, (w) => GetChildrenRequest.write(w, { path: null, watch: false }));
      await read("getChildren2", OpCode.getChildren2, (w) => GetChildren2Request.write(w, { path: null, watch: true }));
      await read("getACL", OpCode.getACL, (w) => GetACLRequest.write(w, { path: null }));
      await read("getAllChildrenNumber", OpCode.getAllChildrenNumber, (w) => GetAllChildrenNumberRequest.write(w, { path: null }));
      await read("getEphemerals", OpCode.getEphemerals, (w) => GetEphemeralsRequest.write(w, { prefixPath: null }));
      await read("sync", OpCode.sync, (w) => SyncRequest.write(w, { path: null }));
      await read("removeWatches before a null-path watch", OpCode.removeWatches, (w) => RemoveWatchesRequest.write(w, { path: null, type: WatcherType.Data }));
      await read("addWatch", OpCode.addWatch, (w) => AddWatchRequest.write(w, { path: null, mode: AddWatchMode.PERSISTENT }));
      await read("addWatch recursive", OpCode.addWatch, (w) => AddWatchRequest.write(w, { path: null, mode: AddWatchMode.PERSISTENT_RECURSIVE }));
      await read("checkWatches", OpCode.checkWatches, (w) => CheckWatchesRequest.write(w, { path: null, type: WatcherType.Any }));
      await read("removeWatches", OpCode.removeWatches, (w) => RemoveWatchesRequest.write(w, { path: null, type: WatcherType.Any }));
      await r.create("A", `${root}/after`, null);
      await closeAndNote(r, "A");
    },
  },
  {
    name: "null-watch-lists",
    async run(r, root) {
      await r.open("A");
      await r.open("W");
      const mark = await r.create("A", root, null);
      const zxid = mark.zxid;
      const empty: string[] = [];
      const setWatches = (label: string, data: (string | null)[] | null, exist: (string | null)[] | null, child: (string | null)[] | null) =>
        probe(r, "W", label, OpCode.setWatches, (w) =>
          SetWatches.write(w, { relativeZxid: zxid, dataWatches: data, existWatches: exist, childWatches: child }),
        );
      await setWatches("setWatches null data path", [null], empty, empty);
      await setWatches("setWatches null exist path", empty, [null], empty);
      await setWatches("setWatches null child path", empty, empty, [null]);
      await setWatches("setWatches path then null", [root, null], empty, empty);
      await setWatches("setWatches null data list", null, empty, empty);
      await setWatches("setWatches null exist list", empty, null, empty);
      await setWatches("setWatches null child list", empty, empty, null);
      const setWatches2 = (label: string, persistent: (string | null)[] | null, recursive: (string | null)[] | null) =>
        probe(r, "W", label, OpCode.setWatches2, (w) =>
          SetWatches2.write(w, {
            relativeZxid: zxid,
            dataWatches: empty,
            existWatches: empty,
            childWatches: empty,
            persistentWatches: persistent,
            persistentRecursiveWatches: recursive,
          }),
        );
      await setWatches2("setWatches2 null persistent path", [null], empty);
      await setWatches2("setWatches2 null recursive path", empty, [null]);
      await setWatches2("setWatches2 null persistent list", null, empty);
      await setWatches2("setWatches2 null recursive list", empty, null);
      await r.setData("A", root, Buffer.from("fire"));
      await r.create("A", `${root}/kid`, null);
      await closeAndNote(r, "W");
      await r.close("A");
    },
  },
  {
    name: "null-paths-in-multi",
    async run(r, root) {
      await r.open("A");
      await r.create("A", root, null);
      const multi = (label: string, type: number, ops: MultiOp[]) => probe(r, "A", label, type, (w) => writeMultiRequest(w, ops));
      await multi("multi create auth:null", OpCode.multi, [
        { type: OpCode.create, request: { path: `${root}/a`, data: null, acl: [acl(31, "auth", null)], flags: 0 } },
      ]);
      await multi("multi create world:null", OpCode.multi, [
        { type: OpCode.create, request: { path: `${root}/w`, data: null, acl: [acl(31, "world", null)], flags: 0 } },
      ]);
      await multi("multiRead getData", OpCode.multiRead, [
        { type: OpCode.getData, request: { path: root, watch: false } },
        { type: OpCode.getData, request: { path: null, watch: false } },
        { type: OpCode.getData, request: { path: root, watch: false } },
      ]);
      await multi("multiRead getChildren", OpCode.multiRead, [
        { type: OpCode.getChildren, request: { path: root, watch: false } },
        { type: OpCode.getChildren, request: { path: null, watch: false } },
      ]);
      await r.getChildren("A", root);
      // ZooKeeper takes a zxid for each of these before failing on the null path and logs no txn
      // for it; the replies name the last zxid applied, and only later zxids show the gap.
      await multi("multi create", OpCode.multi, [
        { type: OpCode.create, request: { path: `${root}/ok`, data: null, acl: OPEN_ACL, flags: 0 } },
        { type: OpCode.create, request: { path: null, data: null, acl: OPEN_ACL, flags: 0 } },
      ]);
      await multi("multi delete", OpCode.multi, [{ type: OpCode.delete, request: { path: null, version: -1 } }]);
      await multi("multi setData", OpCode.multi, [{ type: OpCode.setData, request: { path: null, data: null, version: -1 } }]);
      await multi("multi check", OpCode.multi, [
        { type: OpCode.check, request: { path: root, version: -1 } },
        { type: OpCode.check, request: { path: null, version: -1 } },
      ]);
      await r.exists("A", root);
      await r.close("A");
    },
  },
  {
    name: "null-auth-packet",
    async run(r, root) {
      await r.open("A");
      await r.create("A", root, null);
      await authProbe(r, "A", "auth digest empty credentials", "digest", Buffer.alloc(0));
      await authProbe(r, "A", "auth ip null credentials", "ip", null);
      await r.whoAmI("A");
      await authProbe(r, "A", "auth null scheme", null, Buffer.from("alice:pw1"));
      await authProbe(r, "A", "auth digest null credentials", "digest", null);
      await authProbe(r, "A", "auth null scheme and credentials", null, null);
      await authProbe(r, "A", "auth zkts null option", "zkts", null);
      await r.whoAmI("A");
      await r.close("A");
    },
  },
  {
    name: "null-connect-password",
    async run(r, root) {
      const opened = await openOrNote(r, "A", { passwd: null });
      if (opened === null) return;
      await r.create("A", root, null);
      const id = opened.sessionId;
      r.drop("A");
      const resumed = await openOrNote(r, "B", { sessionId: id, passwd: null });
      if (resumed !== null) {
        r.record({ session: "B", note: `resume with a null password: timeOut ${resumed.timeOut}` });
        r.drop("B");
      }
      await r.open("C");
      await r.exists("C", root);
      await r.delete("C", root);
      await r.close("C");
    },
  },
];
