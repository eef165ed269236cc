// A TCP proxy on 127.0.0.1 that forwards bytes unchanged between ZooKeeper clients and one
// upstream server while cutting each direction into frames and labelling them: the handshake,
// then RequestHeader xid/type for client frames and ReplyHeader xid/err for server frames, with
// the reply's opcode resolved from the request that used the same xid.
//
// A client can ask the proxy to cut its connection (to record a reconnect with SetWatches) by
// calling exists on DROP_PATH: that request is recorded but not forwarded, and both sockets are
// destroyed at once, so the client sees a connection loss before it sends anything else.
import { createServer, connect } from "node:net";
import { ExistsRequest, Framer, OpCode, ReplyHeader, RequestHeader, Xid, opCodeName } from "@zkts/jute";

export const DROP_PATH = "/golden-drop-connection";

export function startRecordingProxy(upstreamPort) {
  const connections = [];
  const live = new Set();
  const server = createServer((client) => {
    const conn = { index: connections.length, frames: [] };
    connections.push(conn);
    const upstream = connect({ host: "127.0.0.1", port: upstreamPort });
    live.add(client);
    live.add(upstream);
    const state = { xidToOp: new Map(), handshake: { c2s: false, s2c: false }, drop: false };
    const c2s = new Framer();
    const s2c = new Framer();

    // Forward frame by frame rather than chunk by chunk, so a drop request is never forwarded.
    client.on("data", (chunk) => {
      if (conn.dropped) return;
      c2s.push(chunk, (payload) => {
        if (conn.dropped) return;
        const frame = labelClientFrame(state, Buffer.from(payload));
        conn.frames.push(frame);
        if (state.drop) {
          conn.dropped = true;
          client.destroy();
          upstream.destroy();
          return;
        }
        upstream.write(withLength(payload));
      });
    });
    upstream.on("data", (chunk) => {
      s2c.push(chunk, (payload) => conn.frames.push(labelServerFrame(state, Buffer.from(payload))));
      client.write(chunk);
    });
    const closeBoth = () => {
      client.destroy();
      upstream.destroy();
      live.delete(client);
      live.delete(upstream);
    };
    client.on("close", closeBoth);
    upstream.on("close", closeBoth);
    client.on("error", closeBoth);
    upstream.on("error", closeBoth);
  });

  return new Promise((resolve) => {
    server.listen({ host: "127.0.0.1", port: 0 }, () => {
      resolve({
        port: server.address().port,
        connections,
        close: () =>
          new Promise((done) => {
            for (const socket of live) socket.destroy();
            server.close(() => done());
          }),
      });
    });
  });
}

function withLength(payload) {
  const prefix = Buffer.alloc(4);
  prefix.writeInt32BE(payload.length);
  return Buffer.concat([prefix, payload]);
}

function labelClientFrame(state, payload) {
  if (!state.handshake.c2s) {
    state.handshake.c2s = true;
    return { dir: "c2s", kind: "connect", hex: payload.toString("hex") };
  }
  const { xid, type } = RequestHeader.decode(payload.subarray(0, 8));
  state.xidToOp.set(xid, type);
  if (type === OpCode.exists) {
    const { path } = ExistsRequest.decode(payload.subarray(8));
    if (path === DROP_PATH) state.drop = true;
  }
  return { dir: "c2s", xid, opcode: type, op: opCodeName.get(type) ?? `unknown(${type})`, hex: payload.toString("hex") };
}

function labelServerFrame(state, payload) {
  if (!state.handshake.s2c) {
    state.handshake.s2c = true;
    return { dir: "s2c", kind: "connectResponse", hex: payload.toString("hex") };
  }
  const { xid, err } = ReplyHeader.decode(payload.subarray(0, 16));
  const opcode = xid === Xid.notification ? OpCode.notification : state.xidToOp.get(xid);
  return {
    dir: "s2c",
    xid,
    opcode: opcode ?? null,
    op: opcode === undefined ? "unknown" : (opCodeName.get(opcode) ?? `unknown(${opcode})`),
    err,
    hex: payload.toString("hex"),
  };
}
