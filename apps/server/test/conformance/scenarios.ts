import { CreateMode, OpCode, WatcherType, AddWatchMode, type ACL } from "@zkts/jute";
import { createHash } from "node:crypto";
import { OPEN_ACL, type Recorder } from "./recorder.js";

export interface Scenario {
  name: string;
  run(r: Recorder, root: string): Promise<void>;
}

const b = (s: string) => Buffer.from(s);

export function digestId(user: string, password: string): string {
  return `${user}:${createHash("sha1").update(`${user}:${password}`).digest("base64")}`;
}

/** The super user both servers are configured with. */
export const SUPER_PASSWORD = "letmein";
export const SUPER_DIGEST = digestId("super", SUPER_PASSWORD);

export const scenarios: Scenario[] = [
  {
    name: "create-modes",
    async run(r, root) {
      await r.open("A");
      await r.create2("A", root, b("root"));
      await r.create2("A", `${root}/p`, b("persistent"));
      await r.create2("A", `${root}/e`, b("ephemeral"), CreateMode.EPHEMERAL);
      await r.create2("A", `${root}/s-`, b("1"), CreateMode.PERSISTENT_SEQUENTIAL);
      await r.create("A", `${root}/s-`, b("2"), CreateMode.PERSISTENT_SEQUENTIAL);
      await r.create2("A", `${root}/es-`, null, CreateMode.EPHEMERAL_SEQUENTIAL);
      await r.createContainer("A", `${root}/c`, b("container"));
      await r.createTTL("A", `${root}/ttl`, b("ttl"), CreateMode.PERSISTENT_WITH_TTL, 60000n);
      await r.createTTL("A", `${root}/ttls-`, b("ttl"), CreateMode.PERSISTENT_SEQUENTIAL_WITH_TTL, 60000n);
      await r.create("A", `${root}/empty`, Buffer.alloc(0));
      await r.create("A", `${root}/null`, null);
      for (const child of ["p", "e", "s-0000000002", "c", "ttl", "empty", "null"]) await r.exists("A", `${root}/${child}`);
      await r.getData("A", `${root}/null`);
      await r.getData("A", `${root}/empty`);
      await r.getChildren2("A", root);
      await r.getChildren("A", root);
      await r.exists("A", `${root}/missing`);
      await r.getData("A", `${root}/missing`);
      await r.getChildren("A", `${root}/missing`);
      await r.close("A");
    },
  },
  {
    name: "create-errors",
    async run(r, root) {
      await r.open("A");
      await r.create("A", root, null);
      await r.create("A", `${root}/x/y`, null);
      await r.create("A", root, null);
      await r.create("A", `${root}/eph`, null, CreateMode.EPHEMERAL);
      await r.create("A", `${root}/eph/child`, null);
      await r.create("A", `${root}/noacl`, null, 0, []);
      await r.create("A", `${root}/badscheme`, null, 0, [{ perms: 31, id: { scheme: "nosuch", id: "x" } }]);
      await r.create("A", `${root}/baddigest`, null, 0, [{ perms: 31, id: { scheme: "digest", id: "nocolon" } }]);
      await r.create("A", `${root}/badip`, null, 0, [{ perms: 31, id: { scheme: "ip", id: "300.1.1.1" } }]);
      await r.create("A", `${root}/authnone`, null, 0, [{ perms: 31, id: { scheme: "auth", id: "" } }]);
      for (const path of ["relative", `${root}/`, `${root}//x`, `${root}/./x`, `${root}/../x`, `${root}/a\u0001b`, ""]) {
        await r.create("A", path, null);
      }
      await r.create("A", `${root}/flags`, null, 9);
      await r.create("A", `${root}/ttlcreate`, null, CreateMode.PERSISTENT_WITH_TTL);
      await r.createTTL("A", `${root}/ttl0`, null, CreateMode.PERSISTENT_WITH_TTL, 0n);
      await r.createTTL("A", `${root}/ttlbig`, null, CreateMode.PERSISTENT_WITH_TTL, 1n << 41n);
      await r.createTTL("A", `${root}/ttlmode`, null, CreateMode.PERSISTENT, 1000n);
      await r.create("A", "/", null);
      await r.create("A", "/zookeeper", null);
      await r.create("A", "/zookeeper/extra", null);
      await r.close("A");
    },
  },
  {
    name: "delete-and-versions",
    async run(r, root) {
      await r.open("A");
      await r.create("A", root, b("v0"));
      await r.create("A", `${root}/child`, b("c"));
      await r.delete("A", root);
      await r.delete("A", `${root}/nope`);
      await r.setData("A", root, b("v1"));
      await r.setData("A", root, b("v2"), 1);
      await r.setData("A", root, b("v3"), 1);
      await r.setData("A", `${root}/nope`, b("x"));
      await r.setData("A", `bad`, b("x"));
      await r.delete("A", `${root}/child`, 5);
      await r.delete("A", `${root}/child`, 0);
      await r.delete("A", "/");
      await r.delete("A", "/zookeeper");
      await r.delete("A", "/zookeeper/config");
      await r.delete("A", "relative");
      await r.getData("A", root);
      await r.delete("A", root, 2);
      await r.close("A");
    },
  },
  {
    name: "sequential-counters",
    async run(r, root) {
      await r.open("A");
      await r.create("A", root, null);
      await r.create("A", `${root}/n-`, null, CreateMode.PERSISTENT_SEQUENTIAL);
      await r.create("A", `${root}/n-`, null, CreateMode.PERSISTENT_SEQUENTIAL);
      await r.delete("A", `${root}/n-0000000000`);
      await r.delete("A", `${root}/n-0000000001`);
      await r.exists("A", root);
      await r.create("A", `${root}/n-`, null, CreateMode.PERSISTENT_SEQUENTIAL);
      await r.create("A", `${root}/plain`, null);
      await r.create("A", `${root}/`, null, CreateMode.PERSISTENT_SEQUENTIAL);
      await r.create("A", `${root}/e-`, null, CreateMode.EPHEMERAL_SEQUENTIAL);
      await r.getChildren2("A", root);
      await r.create("A", `${root}/n-0000000005`, null);
      await r.create("A", `${root}/n-`, null, CreateMode.PERSISTENT_SEQUENTIAL);
      await r.getChildren2("A", root);
      await r.close("A");
    },
  },
  {
    name: "standard-watches",
    async run(r, root) {
      await r.open("A");
      await r.open("B");
      await r.create("A", root, b("d"));
      await r.getData("B", root, true);
      await r.exists("B", `${root}/kid`, true);
      await r.getChildren("B", root, true);
      await r.getData("A", root, true);
      await r.setData("A", root, b("d2"));
      await r.setData("A", root, b("d3"));
      await r.create("A", `${root}/kid`, b("k"));
      await r.getData("B", `${root}/kid`, true);
      await r.getChildren("B", `${root}/kid`, true);
      await r.exists("A", `${root}/kid`, true);
      await r.delete("A", `${root}/kid`);
      await r.exists("B", `${root}/gone`, true);
      await r.checkWatches("B", `${root}/gone`, WatcherType.Data);
      await r.checkWatches("B", `${root}/gone`, WatcherType.Children);
      await r.removeWatches("B", `${root}/gone`, WatcherType.Data);
      await r.removeWatches("B", `${root}/gone`, WatcherType.Data);
      await r.getChildren("B", root, true);
      await r.checkWatches("B", root, WatcherType.Children);
      await r.checkWatches("B", root, WatcherType.Any);
      await r.removeWatches("B", root, WatcherType.Any);
      await r.create("A", `${root}/quiet`, null);
      await r.close("B");
      await r.close("A");
    },
  },
  {
    name: "persistent-watches",
    async run(r, root) {
      await r.open("A");
      await r.open("B");
      await r.create("A", root, null);
      await r.addWatch("B", root, AddWatchMode.PERSISTENT);
      await r.addWatch("B", `${root}/tree`, AddWatchMode.PERSISTENT_RECURSIVE);
      await r.create("A", `${root}/tree`, b("t"));
      await r.create("A", `${root}/tree/a`, b("a"));
      await r.create("A", `${root}/tree/a/b`, b("b"));
      await r.setData("A", `${root}/tree/a/b`, b("b2"));
      await r.setData("A", `${root}/tree/a/b`, b("b3"));
      await r.setData("A", root, b("r"));
      await r.setData("A", root, b("r2"));
      await r.create("A", `${root}/other`, null);
      await r.delete("A", `${root}/tree/a/b`);
      await r.delete("A", `${root}/other`);
      await r.checkWatches("B", `${root}/tree`, WatcherType.Any);
      await r.checkWatches("B", `${root}/tree/a`, WatcherType.Any);
      await r.removeWatches("B", `${root}/tree`, WatcherType.Any);
      await r.setData("A", `${root}/tree/a`, b("a2"));
      await r.getData("B", root, true);
      await r.setData("A", root, b("r3"));
      await r.setData("A", root, b("r4"));
      await r.close("B");
      await r.close("A");
    },
  },
  {
    name: "multi",
    async run(r, root) {
      await r.open("A");
      await r.open("B");
      await r.create("A", root, null);
      await r.exists("B", `${root}/m1`, true);
      await r.multi("A", [
        { type: OpCode.create, request: { path: `${root}/m1`, data: b("1"), acl: OPEN_ACL, flags: 0 } },
        { type: OpCode.create2, request: { path: `${root}/m2`, data: b("2"), acl: OPEN_ACL, flags: 0 } },
        { type: OpCode.create, request: { path: `${root}/s-`, data: null, acl: OPEN_ACL, flags: 2 } },
        { type: OpCode.create, request: { path: `${root}/s-`, data: null, acl: OPEN_ACL, flags: 2 } },
        { type: OpCode.setData, request: { path: `${root}/m1`, data: b("1b"), version: 0 } },
        { type: OpCode.check, request: { path: `${root}/m2`, version: 0 } },
        { type: OpCode.delete, request: { path: `${root}/m2`, version: -1 } },
      ]);
      await r.getChildren2("A", root);
      await r.getData("B", `${root}/m1`, true);
      await r.multi("A", [
        { type: OpCode.setData, request: { path: `${root}/m1`, data: b("never"), version: -1 } },
        { type: OpCode.create, request: { path: `${root}/m3`, data: null, acl: OPEN_ACL, flags: 0 } },
        { type: OpCode.check, request: { path: `${root}/m1`, version: 99 } },
        { type: OpCode.delete, request: { path: `${root}/m1`, version: -1 } },
      ]);
      await r.multi("A", [
        { type: OpCode.create, request: { path: `${root}/m4`, data: null, acl: OPEN_ACL, flags: 0 } },
        { type: OpCode.create, request: { path: `${root}/m4`, data: null, acl: OPEN_ACL, flags: 0 } },
      ]);
      await r.multi("A", [{ type: OpCode.create, request: { path: `${root}/nope/x`, data: null, acl: OPEN_ACL, flags: 0 } }]);
      await r.multi("A", []);
      await r.getData("A", `${root}/m1`);
      await r.exists("A", `${root}/m3`);
      await r.multiRead("A", [
        { type: OpCode.getData, request: { path: `${root}/m1`, watch: false } },
        { type: OpCode.getChildren, request: { path: root, watch: false } },
        { type: OpCode.getData, request: { path: `${root}/missing`, watch: false } },
      ]);
      await r.multi("A", [
        { type: OpCode.createContainer, request: { path: `${root}/mc`, data: null, acl: OPEN_ACL, flags: 4 } },
        { type: OpCode.createTTL, request: { path: `${root}/mt`, data: null, acl: OPEN_ACL, flags: 5, ttl: 5000n } },
      ]);
      await r.close("B");
      await r.close("A");
    },
  },
  {
    name: "acls-and-auth",
    async run(r, root) {
      const alice = digestId("alice", "pw1");
      const acl: ACL[] = [
        { perms: 31, id: { scheme: "digest", id: alice } },
        { perms: 1, id: { scheme: "world", id: "anyone" } },
      ];
      await r.open("A");
      await r.open("B");
      await r.auth("A", "digest", "alice:pw1");
      await r.whoAmI("A");
      await r.create("A", root, b("secret"), 0, acl);
      await r.getACL("A", root);
      await r.getACL("B", root);
      await r.getData("B", root);
      await r.setData("B", root, b("nope"));
      await r.create("B", `${root}/kid`, null);
      await r.create("A", `${root}/kid`, null, 0, [{ perms: 31, id: { scheme: "auth", id: "" } }]);
      await r.getACL("A", `${root}/kid`);
      await r.getData("B", `${root}/kid`);
      await r.delete("B", `${root}/kid`);
      await r.create("A", `${root}/ip`, null, 0, [{ perms: 31, id: { scheme: "ip", id: "127.0.0.1" } }]);
      await r.getData("B", `${root}/ip`);
      await r.create("A", `${root}/net`, null, 0, [{ perms: 31, id: { scheme: "ip", id: "10.0.0.0/8" } }]);
      await r.getData("B", `${root}/net`);
      await r.create("A", `${root}/wonly`, null, 0, [{ perms: 2, id: { scheme: "world", id: "anyone" } }]);
      await r.getData("B", `${root}/wonly`);
      await r.exists("B", `${root}/wonly`);
      await r.getChildren("B", `${root}/wonly`);
      await r.setData("B", `${root}/wonly`, b("w"));
      await r.getACL("B", `${root}/wonly`);
      await r.setACL("B", `${root}/wonly`, OPEN_ACL);
      await r.setACL("A", root, OPEN_ACL, 5);
      await r.setACL("A", root, acl, 0);
      await r.setACL("A", root, [], -1);
      await r.auth("B", "digest", "alice:wrong");
      await r.getData("B", `${root}/kid`);
      await r.auth("B", "digest", `super:${SUPER_PASSWORD}`);
      await r.whoAmI("B");
      await r.getData("B", `${root}/kid`);
      await r.getACL("B", `${root}/kid`);
      await r.delete("B", `${root}/kid`);
      await r.auth("B", "nosuchscheme", "x");
      await r.close("A");
    },
  },
  {
    name: "session-expiry-and-reattach",
    async run(r, root) {
      await r.open("W");
      await r.create("W", root, null);
      const short = await r.open("S", { timeoutMs: 1000 });
      await r.create("S", `${root}/eph`, b("mine"), CreateMode.EPHEMERAL);
      await r.getEphemerals("S", "/");
      await r.exists("W", `${root}/eph`, true);
      await r.getChildren("W", root, true);
      const id = short.sessionId;
      const passwd = short.passwd;
      r.drop("S");
      r.note("S dropped its connection");
      const again = await r.open("S2", { sessionId: id, passwd, timeoutMs: 1000 });
      r.record({ session: "S2", note: `reattached to the same session: ${again.sessionId === id}` });
      await r.exists("S2", `${root}/eph`);
      r.drop("S2");
      const wrong = await r.open("S3", { sessionId: id, passwd: Buffer.alloc(16, 7), timeoutMs: 1000 });
      r.record({
        session: "S3",
        note: `wrong password closes: ${await Promise.race([wrong.whenClosed().then(() => true), new Promise((res) => setTimeout(() => res(false), 3000))])}`,
      });
      r.drop("S3");
      await r.awaitEvents("W", 2);
      await r.exists("W", `${root}/eph`);
      const late = await r.open("S4", { sessionId: id, passwd, timeoutMs: 1000 });
      r.record({
        session: "S4",
        note: `expired session closes: ${await Promise.race([late.whenClosed().then(() => true), new Promise((res) => setTimeout(() => res(false), 3000))])}`,
      });
      r.drop("S4");
      await r.open("T", { timeoutMs: 100 });
      await r.open("U", { timeoutMs: 10000000 });
      await r.close("T");
      await r.close("U");
      await r.close("W");
    },
  },
  {
    name: "set-watches-on-reconnect",
    async run(r, root) {
      await r.open("A");
      await r.create("A", root, null);
      await r.create("A", `${root}/same`, b("x"));
      await r.create("A", `${root}/changed`, b("x"));
      await r.create("A", `${root}/deleted`, b("x"));
      const mark = await r.exists("A", root);
      await r.setData("A", `${root}/changed`, b("y"));
      await r.delete("A", `${root}/deleted`);
      await r.create("A", `${root}/born`, null);
      await r.open("B");
      await r.setWatches(
        "B",
        mark.zxid,
        [`${root}/same`, `${root}/changed`, `${root}/deleted`],
        [`${root}/born`, `${root}/unborn`],
        [root, `${root}/same`, `${root}/deleted`],
      );
      await r.setWatches2("B", mark.zxid, [`${root}/same`], [`${root}/rec`]);
      await r.setData("A", `${root}/same`, b("z"));
      await r.create("A", `${root}/unborn`, null);
      await r.create("A", `${root}/rec`, null);
      await r.create("A", `${root}/rec/kid`, null);
      await r.close("B");
      await r.close("A");
    },
  },
  {
    name: "misc-ops",
    async run(r, root) {
      await r.open("A");
      await r.create("A", root, null);
      await r.create("A", `${root}/a`, null);
      await r.create("A", `${root}/a/b`, null);
      await r.create("A", `${root}/e1`, null, CreateMode.EPHEMERAL);
      await r.getAllChildrenNumber("A", root);
      await r.getAllChildrenNumber("A", `${root}/a/b`);
      await r.getAllChildrenNumber("A", `${root}/zz`);
      await r.getEphemerals("A", root);
      await r.getEphemerals("A", `${root}/a`);
      await r.getEphemerals("A", "");
      await r.sync("A", root);
      await r.sync("A", "/whatever");
      await r.whoAmI("A");
      await r.reconfig("A");
      await r.getData("A", "/zookeeper/config");
      await r.getACL("A", "/zookeeper/config");
      await r.getChildren2("A", "/zookeeper");
      await r.exists("A", "/zookeeper/quota");
      await r.exists("A", `${root}/nul\u0000l`);
      await r.getData("A", "relative");
      await r.close("A");
    },
  },
  {
    name: "quotas",
    async run(r, root) {
      await r.open("A");
      await r.create("A", root, b("12345"));
      await r.create("A", `${root}/a`, b("123"));
      await r.create("A", `/zookeeper/quota${root}`, null);
      await r.create("A", `/zookeeper/quota${root}/zookeeper_limits`, b("count=5,bytes=-1"));
      await r.create("A", `/zookeeper/quota${root}/zookeeper_stats`, b("count=0,bytes=0"));
      await r.getData("A", `/zookeeper/quota${root}/zookeeper_stats`);
      await r.create("A", `${root}/b`, b("1234567"));
      await r.setData("A", `${root}/a`, b("1"));
      await r.delete("A", `${root}/b`);
      await r.getData("A", `/zookeeper/quota${root}/zookeeper_stats`);
      await r.close("A");
    },
  },
  {
    name: "large-data-and-maxbuffer",
    async run(r, root) {
      await r.open("A");
      await r.open("B");
      await r.create("A", root, null);
      await r.create("A", `${root}/big`, Buffer.alloc(1000 * 1000, 7));
      await r.getData("A", `${root}/big`);
      await r.setData("A", `${root}/big`, Buffer.alloc(1024 * 1024 - 200, 8));
      await r.exists("A", `${root}/big`);
      const a = r.session("A");
      const before = a.closed;
      await r.setData("A", `${root}/big`, Buffer.alloc(1024 * 1024, 9));
      r.record({
        session: "A",
        note: `connection closed by oversized frame: ${!before && (await Promise.race([a.whenClosed().then(() => true), new Promise((res) => setTimeout(() => res(false), 3000))]))}`,
      });
      r.drop("A");
      await r.exists("B", `${root}/big`);
      await r.close("B");
    },
  },
  {
    name: "malformed-frames",
    async run(r, root) {
      await r.open("A");
      await r.open("B");
      await r.create("A", root, null);
      const a = r.session("A");
      a.writeRaw(Buffer.from([0xff, 0xff, 0xff, 0xf0, 1, 2, 3]));
      r.record({
        session: "A",
        note: `closed after negative length: ${await Promise.race([a.whenClosed().then(() => true), new Promise((res) => setTimeout(() => res(false), 3000))])}`,
      });
      r.drop("A");
      await r.exists("B", root);
      const b2 = r.session("B");
      await r.send("B", OpCode.getData, (w) => w.writeInt(5));
      r.record({ session: "B", note: `still open after a truncated body: ${!b2.closed}` });
      await r.send("B", 9999, null, "unknown-op");
      r.record({
        session: "B",
        note: `closed after an unknown op: ${await Promise.race([b2.whenClosed().then(() => true), new Promise((res) => setTimeout(() => res(false), 3000))])}`,
      });
      r.drop("B");
      await r.open("C");
      await r.exists("C", root);
      await r.close("C");
    },
  },
  {
    name: "top-level-check",
    async run(r, root) {
      await r.open("A");
      await r.create("A", root, b("v"));
      await r.check("A", root, 0);
      r.drop("A");
      await r.open("B");
      await r.check("B", root, 7);
      r.drop("B");
    },
  },
  {
    name: "sasl-without-a-sasl-provider",
    async run(r, root) {
      await r.open("A");
      await r.create("A", root, null);
      await r.send("A", OpCode.sasl, (w) => w.writeBuffer(Buffer.from("token")), "sasl");
      const a = r.session("A");
      r.record({ session: "A", note: `still open after sasl: ${!a.closed}` });
      if (!a.closed) await r.exists("A", root);
      r.drop("A");
    },
  },
  {
    name: "watch-checks-across-sessions-and-types",
    async run(r, root) {
      await r.open("A");
      await r.open("B");
      await r.create("A", root, null);
      await r.exists("A", root, true);
      await r.checkWatches("A", root, WatcherType.Data);
      await r.checkWatches("B", root, WatcherType.Data);
      await r.removeWatches("B", root, WatcherType.Data);
      await r.addWatch("A", root, AddWatchMode.PERSISTENT_RECURSIVE);
      await r.checkWatches("A", root, WatcherType.Persistent);
      await r.checkWatches("A", root, WatcherType.PersistentRecursive);
      await r.removeWatches("A", root, WatcherType.PersistentRecursive);
      await r.checkWatches("A", root, 9);
      await r.close("B");
      await r.close("A");
    },
  },
];
