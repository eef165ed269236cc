import { type Socket, connect } from "node:net";
import { OpCode } from "@zkts/jute";
import { Bytes, frame } from "../fuzz/bytes.js";

/**
 * Hand-built client frames and sockets for the resource-limit tests: clients that misbehave on
 * purpose (never read, never finish a handshake, open hundreds of connections), which no real
 * client library can be made to do.
 */

const OPEN_ACL_UNSAFE = (b: Bytes) => b.int(1).int(31).str("world").str("anyone");

/** A ConnectRequest for a new session, as its frame. */
export function connectRequestFrame(timeoutMs = 30_000): Buffer {
  return frame(new Bytes().int(0).long(0n).int(timeoutMs).long(0n).str(Buffer.alloc(16)).bool(false).build());
}

export function getDataFrame(xid: number, path: string): Buffer {
  return frame(new Bytes().int(xid).int(OpCode.getData).str(path).bool(false).build());
}

export function createFrame(xid: number, path: string, data: Buffer): Buffer {
  const b = new Bytes().int(xid).int(OpCode.create).str(path).str(data);
  return frame(OPEN_ACL_UNSAFE(b).int(0).build());
}

/** addWatch in mode PERSISTENT_RECURSIVE (1). */
export function addRecursiveWatchFrame(xid: number, path: string): Buffer {
  return frame(new Bytes().int(xid).int(OpCode.addWatch).str(path).int(1).build());
}

/** A connected socket to 127.0.0.1:port (from `localAddress` when given), errors swallowed. */
export function openSocket(port: number, localAddress?: string): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: "127.0.0.1", port, ...(localAddress === undefined ? {} : { localAddress }) });
    socket.once("connect", () => {
      socket.removeListener("error", reject);
      socket.on("error", () => undefined);
      resolve(socket);
    });
    socket.once("error", reject);
  });
}

/** Resolves with how long the socket took to close, or null if it is still open after `withinMs`. */
export function closedWithin(socket: Socket, withinMs: number): Promise<number | null> {
  const startedAt = Date.now();
  if (socket.destroyed || socket.readyState === "closed") return Promise.resolve(0);
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(null), withinMs);
    socket.once("close", () => {
      clearTimeout(timer);
      resolve(Date.now() - startedAt);
    });
    // A paused socket never sees the peer's FIN; reading is needed to notice the close.
    socket.resume();
  });
}

/**
 * Opens `connections` sessions, lets each pipeline `perConnection` creates in one write, and
 * resolves with the error code of every reply once all are answered.
 */
export async function pipelinedCreates(port: number, connections: number, perConnection: number): Promise<Map<number, number>> {
  const errors = new Map<number, number>();
  const sockets = await Promise.all(Array.from({ length: connections }, () => openSocket(port)));
  try {
    await Promise.all(
      sockets.map(
        (socket, c) =>
          new Promise<void>((resolve, reject) => {
            let pending = Buffer.alloc(0);
            let handshakeReplySeen = false;
            let answered = 0;
            socket.once("close", () => reject(new Error(`connection ${c} closed after ${answered} replies`)));
            socket.on("data", (chunk: Buffer) => {
              pending = Buffer.concat([pending, chunk]);
              while (pending.length >= 4 && pending.length >= 4 + pending.readInt32BE(0)) {
                const length = pending.readInt32BE(0);
                if (handshakeReplySeen) {
                  const err = pending.readInt32BE(16); // after length, xid and zxid
                  errors.set(err, (errors.get(err) ?? 0) + 1);
                  if (++answered === perConnection) resolve();
                } else {
                  handshakeReplySeen = true;
                  const requests = [];
                  for (let i = 1; i <= perConnection; i++) requests.push(createFrame(i, `/load-${c}-${i}`, Buffer.alloc(100)));
                  socket.write(Buffer.concat(requests));
                }
                pending = pending.subarray(4 + length);
              }
            });
            socket.write(connectRequestFrame());
          }),
      ),
    );
  } finally {
    for (const socket of sockets) socket.destroy();
  }
  return errors;
}
