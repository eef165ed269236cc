import type { Socket } from "node:net";
import { OpCode } from "@zkts/jute";
import { type RunningServer, type ServerKind, startServer } from "@zkts/testkit";
import { afterEach, describe, expect, it } from "vitest";
import { connectRequestFrame, createFrame, openSocket } from "./limits/raw-client.js";

/**
 * maxClientCnxns under a flood: hundreds of connections from 127.0.0.1 at once, each asking
 * for a session. On zkts exactly maxClientCnxns of them get one; the others are closed at
 * once; a client on another address (127.0.0.2) is served all along; once the flood goes
 * away, 127.0.0.1 connects again. ZooKeeper 3.8 does the same except that its limit leaks
 * under a flood (its accept thread counts only connections its selector threads have already
 * registered; 90 of 400 got a session when this test was written), so on the reference the
 * count is only checked to be at least the limit.
 */

const MAX_CLIENT_CNXNS = 60;
const FLOOD = 400;

interface FloodConnection {
  socket: Socket;
  /** ms from the connect to the session reply, or null. */
  sessionAfterMs: number | null;
  /** ms from the connect to the close, or null while open. */
  closedAfterMs: number | null;
}

async function floodConnection(port: number): Promise<FloodConnection | null> {
  const startedAt = Date.now();
  let socket: Socket;
  try {
    socket = await openSocket(port);
  } catch {
    return null; // refused before the TCP handshake finished: closed as well
  }
  const result: FloodConnection = { socket, sessionAfterMs: null, closedAfterMs: null };
  socket.on("data", () => {
    result.sessionAfterMs ??= Date.now() - startedAt;
  });
  socket.on("close", () => {
    result.closedAfterMs = Date.now() - startedAt;
  });
  socket.write(connectRequestFrame());
  return result;
}

/** A round trip on a session from `localAddress`: handshake then one create. */
async function roundTripMs(port: number, localAddress: string, path: string): Promise<number> {
  const startedAt = Date.now();
  const socket = await openSocket(port, localAddress);
  try {
    await new Promise<void>((resolve, reject) => {
      let frames = 0;
      let pending = Buffer.alloc(0);
      const timer = setTimeout(() => reject(new Error(`no reply from ${localAddress} within 5 s`)), 5000);
      socket.once("close", () => reject(new Error(`${localAddress} was closed`)));
      socket.on("data", (chunk: Buffer) => {
        pending = Buffer.concat([pending, chunk]);
        while (pending.length >= 4 && pending.length >= 4 + pending.readInt32BE(0)) {
          pending = pending.subarray(4 + pending.readInt32BE(0));
          if (++frames === 1) socket.write(createFrame(1, path, Buffer.from("x")));
          else {
            clearTimeout(timer);
            resolve();
          }
        }
      });
      socket.write(connectRequestFrame());
    });
  } finally {
    socket.destroy();
  }
  return Date.now() - startedAt;
}

describe("limits: maxClientCnxns under a flood from one address", () => {
  let server: RunningServer | null = null;
  const sockets: Socket[] = [];

  afterEach(async () => {
    for (const s of sockets.splice(0)) s.destroy();
    await server?.cleanup();
    server = null;
  });

  it.each<ServerKind>(["reference", "zkts"])("%s keeps maxClientCnxns sessions, closes the rest at once, serves another address", async (kind) => {
    server = await startServer(kind, { config: { maxClientCnxns: String(MAX_CLIENT_CNXNS) } });
    const port = server.port;
    const flooding = Promise.all(Array.from({ length: FLOOD }, () => floodConnection(port)));
    const duringMs = await roundTripMs(port, "127.0.0.2", "/during-flood");
    const flood = await flooding;
    for (const c of flood) if (c !== null) sockets.push(c.socket);
    await new Promise((resolve) => setTimeout(resolve, 2000));

    const withSession = flood.filter((c) => c !== null && c.sessionAfterMs !== null && c.closedAfterMs === null);
    const closed = flood.filter((c) => c === null || c.closedAfterMs !== null);
    const slowestCloseMs = Math.max(...flood.map((c) => c?.closedAfterMs ?? 0));
    console.log(
      `${kind}: ${FLOOD} connections from 127.0.0.1: ${withSession.length} hold a session, ${closed.length} closed ` +
        `(the slowest after ${slowestCloseMs} ms); a session from 127.0.0.2 during the flood took ${duringMs} ms`,
    );
    if (kind === "zkts") expect(withSession.length).toBe(MAX_CLIENT_CNXNS);
    else expect(withSession.length).toBeGreaterThanOrEqual(MAX_CLIENT_CNXNS);
    expect(closed.length).toBe(FLOOD - withSession.length);
    expect(slowestCloseMs).toBeLessThan(3000);
    expect(duringMs).toBeLessThan(2000);

    // The slots come back once the flood's sessions go.
    for (const c of withSession) c!.socket.destroy();
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(await roundTripMs(port, "127.0.0.1", "/after-flood")).toBeLessThan(2000);
  });
});
