// Handshakes and requests of three client generations, written byte by byte (not with the
// project's codec, so the codec cannot vouch for itself):
//   3.4  ConnectRequest without the readOnly byte; create, getData, exists, ping, close
//   3.5  ConnectRequest with readOnly; create2, createContainer, createTTL, setWatches
//   3.6  as 3.5 plus addWatch (persistent, recursive), getEphemerals, getAllChildrenNumber
// Usage: node protocol-versions.mjs host:port 3.4|3.5|3.6
import { connect } from "node:net";

const [host, portText] = process.argv[2].split(":");
const generation = process.argv[3];
const ROOT = `/matrix-protocol-${generation.replace(".", "-")}`;
const out = (...parts) => console.log(parts.join(" "));

const int = (n) => {
  const b = Buffer.alloc(4);
  b.writeInt32BE(n);
  return b;
};
const long = (n) => {
  const b = Buffer.alloc(8);
  b.writeBigInt64BE(BigInt(n));
  return b;
};
const bool = (v) => Buffer.from([v ? 1 : 0]);
const string = (s) => Buffer.concat([int(Buffer.byteLength(s)), Buffer.from(s)]);
const buffer = (b) => Buffer.concat([int(b.length), b]);
const openAcl = Buffer.concat([int(1), int(31), string("world"), string("anyone")]);

class Reader {
  constructor(buf) {
    this.buf = buf;
    this.at = 0;
  }
  int() {
    const v = this.buf.readInt32BE(this.at);
    this.at += 4;
    return v;
  }
  long() {
    const v = this.buf.readBigInt64BE(this.at);
    this.at += 8;
    return v;
  }
  bool() {
    return this.buf[this.at++] !== 0;
  }
  buffer() {
    const n = this.int();
    if (n < 0) return null;
    const v = this.buf.subarray(this.at, this.at + n);
    this.at += n;
    return v;
  }
  string() {
    const b = this.buffer();
    return b === null ? null : b.toString();
  }
  stat() {
    const [czxid, mzxid, ctime, mtime] = [this.long(), this.long(), this.long(), this.long()];
    const [version, cversion, aversion] = [this.int(), this.int(), this.int()];
    const ephemeralOwner = this.long();
    const [dataLength, numChildren] = [this.int(), this.int()];
    const pzxid = this.long();
    const shown = { version, cversion, aversion, ephemeral: ephemeralOwner !== 0n, dataLength, numChildren };
    void [czxid, mzxid, ctime, mtime, pzxid];
    return JSON.stringify(shown);
  }
  rest() {
    return this.buf.length - this.at;
  }
}

/** One session: frames are length-prefixed; replies are matched by xid, events queued. */
async function openSession(withReadOnlyByte) {
  const socket = connect(Number(portText), host);
  await new Promise((resolve, reject) => {
    socket.once("connect", resolve);
    socket.once("error", reject);
  });
  let pending = Buffer.alloc(0);
  const frames = [];
  let wake = null;
  let closed = false;
  socket.on("data", (chunk) => {
    pending = Buffer.concat([pending, chunk]);
    while (pending.length >= 4 && pending.length >= 4 + pending.readInt32BE(0)) {
      const length = pending.readInt32BE(0);
      frames.push(pending.subarray(4, 4 + length));
      pending = pending.subarray(4 + length);
    }
    wake?.();
  });
  socket.on("close", () => {
    closed = true;
    wake?.();
  });
  socket.on("error", () => {});
  const nextFrame = async () => {
    const deadline = Date.now() + 10000;
    while (frames.length === 0) {
      if (closed) return null;
      if (Date.now() > deadline) throw new Error("no frame within 10 s");
      await new Promise((resolve) => {
        wake = resolve;
        setTimeout(resolve, 200);
      });
    }
    return frames.shift();
  };
  const send = (body) => socket.write(Buffer.concat([int(body.length), body]));
  const connectBody = [int(0), long(0), int(10000), long(0), buffer(Buffer.alloc(16))];
  if (withReadOnlyByte) connectBody.push(bool(false));
  send(Buffer.concat(connectBody));
  const response = await nextFrame();
  const r = new Reader(response);
  const protocolVersion = r.int();
  const timeout = r.int();
  const sessionId = r.long();
  const passwd = r.buffer();
  const readOnly = r.rest() > 0 ? String(r.bool()) : "absent";
  out(
    "connect response",
    `bytes=${response.length}`,
    `protocolVersion=${protocolVersion}`,
    `timeout=${timeout}`,
    `session=${sessionId !== 0n ? "assigned" : "none"}`,
    `passwd=${passwd?.length}`,
    `readOnly=${readOnly}`,
    `left=${r.rest()}`,
  );
  let xid = 0;
  const events = [];
  const request = async (op, body, fixedXid) => {
    const id = fixedXid ?? ++xid;
    send(Buffer.concat([int(id), int(op), body]));
    for (;;) {
      const frame = await nextFrame();
      if (frame === null) return { err: "closed", reader: null };
      const reader = new Reader(frame);
      const replyXid = reader.int();
      reader.long();
      const err = reader.int();
      if (replyXid === -1) {
        events.push(`event type=${reader.int()} state=${reader.int()} path=${reader.string()}`);
        continue;
      }
      if (replyXid !== id) throw new Error(`reply xid ${replyXid}, expected ${id}`);
      return { err, reader };
    }
  };
  const drainEvents = async (count) => {
    const deadline = Date.now() + 5000;
    while (events.length < count && Date.now() < deadline) {
      const frame = await nextFrame();
      if (frame === null) break;
      const reader = new Reader(frame);
      if (reader.int() !== -1) throw new Error("unexpected reply while waiting for events");
      reader.long();
      reader.int();
      events.push(`event type=${reader.int()} state=${reader.int()} path=${reader.string()}`);
    }
    return events.splice(0);
  };
  const close = async () => {
    const reply = await request(-11, Buffer.alloc(0));
    const end = await nextFrame();
    out("closeSession", reply.err, end === null ? "connection closed" : "frame after close");
    socket.destroy();
  };
  return { request, drainEvents, close };
}

const OP = {
  create: 1,
  delete: 2,
  exists: 3,
  getData: 4,
  setData: 5,
  getChildren: 8,
  ping: 11,
  create2: 15,
  createContainer: 19,
  createTTL: 21,
  setWatches: 101,
  getEphemerals: 103,
  getAllChildrenNumber: 104,
  addWatch: 106,
};
const createBody = (path, data, flags) => Buffer.concat([string(path), buffer(Buffer.from(data)), openAcl, int(flags)]);

async function main() {
  const s = await openSession(generation !== "3.4");
  let reply = await s.request(OP.create, createBody(ROOT, "root", 0));
  out("create", reply.err, reply.reader?.string());
  reply = await s.request(OP.create, createBody(`${ROOT}/e`, "", 1));
  out("create ephemeral", reply.err, reply.reader?.string());
  reply = await s.request(OP.getData, Buffer.concat([string(ROOT), bool(true)]));
  out("getData watch", reply.err, reply.reader?.buffer()?.toString(), reply.reader?.stat());
  reply = await s.request(OP.setData, Buffer.concat([string(ROOT), buffer(Buffer.from("v1")), int(0)]));
  out("setData", reply.err, reply.reader?.stat());
  out(...(await s.drainEvents(1)));
  reply = await s.request(OP.exists, Buffer.concat([string(`${ROOT}/missing`), bool(false)]));
  out("exists missing", reply.err);
  reply = await s.request(OP.ping, Buffer.alloc(0), -2);
  out("ping", reply.err);

  if (generation !== "3.4") {
    reply = await s.request(OP.create2, createBody(`${ROOT}/c2`, "two", 0));
    out("create2", reply.err, reply.reader?.string(), reply.reader?.stat());
    reply = await s.request(OP.createContainer, createBody(`${ROOT}/box`, "", 4));
    out("createContainer", reply.err, reply.reader?.string(), reply.reader?.stat());
    reply = await s.request(OP.createTTL, Buffer.concat([createBody(`${ROOT}/ttl`, "", 5), long(60000)]));
    out("createTTL without extended types", reply.err);
    const watches = Buffer.concat([long(0), int(1), string(`${ROOT}/c2`), int(1), string(`${ROOT}/later`), int(1), string(ROOT)]);
    reply = await s.request(OP.setWatches, watches, -8);
    out("setWatches", reply.err);
    await s.request(OP.create, createBody(`${ROOT}/later`, "", 0));
    await s.request(OP.setData, Buffer.concat([string(`${ROOT}/c2`), buffer(Buffer.from("x")), int(-1)]));
    out((await s.drainEvents(3)).sort().join(" | "));
  }
  if (generation === "3.6") {
    reply = await s.request(OP.addWatch, Buffer.concat([string(ROOT), int(1)]));
    out("addWatch persistent recursive", reply.err);
    await s.request(OP.create, createBody(`${ROOT}/later/deep`, "", 0));
    await s.request(OP.delete, Buffer.concat([string(`${ROOT}/later/deep`), int(-1)]));
    out((await s.drainEvents(2)).join(" | "));
    reply = await s.request(OP.getEphemerals, string(ROOT));
    const count = reply.reader?.int() ?? 0;
    out(
      "getEphemerals",
      reply.err,
      Array.from({ length: count }, () => reply.reader.string())
        .sort()
        .join(","),
    );
    reply = await s.request(OP.getAllChildrenNumber, string(ROOT));
    out("getAllChildrenNumber", reply.err, reply.reader?.int());
  }

  reply = await s.request(OP.getChildren, Buffer.concat([string(ROOT), bool(false)]));
  const count = reply.reader?.int() ?? 0;
  const children = Array.from({ length: count }, () => reply.reader.string()).sort();
  out("children", reply.err, children.join(","));
  for (const child of children) await s.request(OP.delete, Buffer.concat([string(`${ROOT}/${child}`), int(-1)]));
  reply = await s.request(OP.delete, Buffer.concat([string(ROOT), int(-1)]));
  out("delete root", reply.err);
  await s.close();
  out("done");
}

setTimeout(() => {
  out("TIMEOUT");
  process.exit(2);
}, 30000).unref();
main().catch((err) => {
  out("FAILED", err?.stack ?? err);
  process.exit(1);
});
