// Sends hand-made requests with a null (length -1) in one string, buffer or vector field each
// through the recording proxy, so the golden file holds ZooKeeper's own answers to them. The
// frames are written from jute primitives here, not with the codec's records, so the codec's
// golden test does not check the records against themselves.
import { connect } from "node:net";
import { Framer, JuteWriter } from "@zkts/jute";
import { DROP_PATH } from "./recording-proxy.mjs";

const NULL = null;
const root = "/golden-nulls";

/** One connection through the proxy that sends frames and waits for the reply to each xid. */
async function open(port, { passwd = Buffer.alloc(16) } = {}) {
  const socket = connect({ host: "127.0.0.1", port });
  await new Promise((resolve, reject) => {
    socket.once("connect", resolve);
    socket.once("error", reject);
  });
  const framer = new Framer();
  const waiting = new Map();
  let handshake;
  const handshakeDone = new Promise((resolve) => (handshake = resolve));
  let closed = false;
  socket.on("data", (chunk) =>
    framer.push(chunk, (payload) => {
      if (handshake !== null) {
        handshake();
        handshake = null;
        return;
      }
      const xid = payload.readInt32BE(0);
      const resolve = waiting.get(xid);
      waiting.delete(xid);
      resolve?.(payload.readInt32BE(12));
    }),
  );
  socket.on("close", () => {
    closed = true;
    for (const resolve of waiting.values()) resolve("closed");
    waiting.clear();
  });
  socket.on("error", () => {});
  // ConnectRequest{protocolVersion, lastZxidSeen, timeOut, sessionId, passwd} + readOnly.
  send(socket, (w) => {
    w.writeInt(0);
    w.writeLong(0n);
    w.writeInt(10000);
    w.writeLong(0n);
    w.writeBuffer(passwd);
    w.writeBool(false);
  });
  await withTimeout(handshakeDone, "handshake");
  let nextXid = 1;
  return {
    /** Sends header + body; resolves with the reply's err, or "closed". */
    request(type, body, xid = nextXid++) {
      if (closed) return Promise.resolve("closed");
      const reply = new Promise((resolve) => waiting.set(xid, resolve));
      send(socket, (w) => {
        w.writeInt(xid);
        w.writeInt(type);
        body?.(w);
      });
      return withTimeout(reply, `reply to opcode ${type}`);
    },
    get closed() {
      return closed;
    },
    destroy: () => socket.destroy(),
  };
}

function send(socket, body) {
  const w = new JuteWriter();
  w.beginFrame();
  body(w);
  w.endFrame();
  socket.write(w.toBuffer());
}

function withTimeout(promise, what) {
  let timer;
  return Promise.race([
    promise.finally(() => clearTimeout(timer)),
    new Promise((_, reject) => (timer = setTimeout(() => reject(new Error(`timed out waiting for ${what}`)), 10_000))),
  ]);
}

// Request bodies, field by field as zookeeper.jute lays them out.
const acl = (perms, scheme, id) => (w) => {
  w.writeInt(perms);
  w.writeUstring(scheme);
  w.writeUstring(id);
};
const aclList = (entries) => (w) => {
  if (entries === NULL) return w.writeInt(-1);
  w.writeInt(entries.length);
  for (const entry of entries) entry(w);
};
const create =
  (path, data, entries, flags = 0) =>
  (w) => {
    w.writeUstring(path);
    w.writeBuffer(data);
    aclList(entries)(w);
    w.writeInt(flags);
  };
const pathOnly = (path) => (w) => w.writeUstring(path);
const pathAndBool = (path, flag) => (w) => {
  w.writeUstring(path);
  w.writeBool(flag);
};
const pathAndInt = (path, value) => (w) => {
  w.writeUstring(path);
  w.writeInt(value);
};
const stringList = (items) => (w) => {
  if (items === NULL) return w.writeInt(-1);
  w.writeInt(items.length);
  for (const item of items) w.writeUstring(item);
};
const multiHeader =
  (type, done = false) =>
  (w) => {
    w.writeInt(type);
    w.writeBool(done);
    w.writeInt(-1);
  };
const multi = (ops) => (w) => {
  for (const [type, body] of ops) {
    multiHeader(type)(w);
    body(w);
  }
  multiHeader(-1, true)(w);
};
const auth = (scheme, credentials) => (w) => {
  w.writeInt(0);
  w.writeUstring(scheme);
  w.writeBuffer(credentials);
};

const OPEN = acl(31, "world", "anyone");

/** Drives every null probe; prints one line per request with the error code it got. */
export async function driveNullFields(port) {
  const lines = [];
  const log = async (label, result) => lines.push(`${label}: ${await result}`);

  const a = await open(port);
  await log("auth digest", a.request(100, auth("digest", Buffer.from("golden:secret")), -4));
  await log("create auth:null", a.request(1, create(root, NULL, [acl(31, "auth", NULL)])));
  await log("getACL", a.request(6, pathOnly(root)));
  await log("getData null data", a.request(4, pathAndBool(root, false)));
  await log(
    "setData null data",
    a.request(5, (w) => (w.writeUstring(root), w.writeBuffer(NULL), w.writeInt(-1))),
  );
  await log("create2 null path", a.request(15, create(NULL, NULL, [OPEN])));
  await log(
    "createTTL null path",
    a.request(21, (w) => (create(NULL, NULL, [OPEN], 5)(w), w.writeLong(1000n))),
  );
  await log("create world:null", a.request(1, create(`${root}/w`, NULL, [acl(31, "world", NULL)])));
  await log("create null:anyone", a.request(1, create(`${root}/s`, NULL, [acl(31, NULL, "anyone")])));
  await log("create null acl list", a.request(1, create(`${root}/l`, NULL, NULL)));
  await log("delete null path", a.request(2, pathAndInt(NULL, -1)));
  await log(
    "setData null path",
    a.request(5, (w) => (w.writeUstring(NULL), w.writeBuffer(Buffer.from("x")), w.writeInt(-1))),
  );
  await log(
    "setACL null path",
    a.request(7, (w) => (w.writeUstring(NULL), aclList([OPEN])(w), w.writeInt(-1))),
  );
  await log("check null path", a.request(13, pathAndInt(NULL, -1)));
  await log("exists null path", a.request(3, pathAndBool(NULL, true)));
  await log("getData null path", a.request(4, pathAndBool(NULL, false)));
  await log("getChildren null path", a.request(8, pathAndBool(NULL, false)));
  await log("getChildren2 null path", a.request(12, pathAndBool(NULL, false)));
  await log("getACL null path", a.request(6, pathOnly(NULL)));
  await log("getAllChildrenNumber null path", a.request(104, pathOnly(NULL)));
  await log("getEphemerals null prefix", a.request(103, pathOnly(NULL)));
  await log("sync null path", a.request(9, pathOnly(NULL)));
  await log("checkWatches null path", a.request(17, pathAndInt(NULL, 3)));
  await log("removeWatches null path", a.request(18, pathAndInt(NULL, 3)));
  await log(
    "setWatches null paths",
    a.request(101, (w) => (w.writeLong(0n), stringList([root, NULL])(w), stringList([])(w), stringList(NULL)(w)), -8),
  );
  await log("multi auth:null", a.request(14, multi([[1, create(`${root}/m`, NULL, [acl(31, "auth", NULL)])]])));
  await log(
    "multiRead null path",
    a.request(
      22,
      multi([
        [4, pathAndBool(root, false)],
        [4, pathAndBool(NULL, false)],
      ]),
    ),
  );
  await log("multi null path", a.request(14, multi([[2, pathAndInt(NULL, -1)]])));
  await log("delete", a.request(2, pathAndInt(`${root}`, -1)));
  await log("closeSession", a.request(-11, null));

  // A persistent watch on a null path is filed where nothing reaches it, and ZooKeeper then
  // fails to close the connection on closeSession; this connection is cut by the proxy instead.
  const b = await open(port, { passwd: NULL });
  await log("addWatch null path", b.request(106, pathAndInt(NULL, 0)));
  await log(
    "setWatches2 null persistent path",
    b.request(
      105,
      (w) => {
        w.writeLong(0n);
        for (const list of [[], [], [], [NULL], []]) stringList(list)(w);
      },
      -8,
    ),
  );
  await log("drop", b.request(3, pathAndBool(DROP_PATH, false)));

  for (const [label, scheme, credentials] of [
    ["auth null scheme", NULL, Buffer.from("golden:secret")],
    ["auth digest null credentials", "digest", NULL],
  ]) {
    const c = await open(port);
    await log(label, c.request(100, auth(scheme, credentials), -4));
    await log(`${label}, then`, c.request(3, pathAndBool("/", false)));
    c.destroy();
  }
  return lines.join("\n");
}
