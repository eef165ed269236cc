import type { Socket } from "node:net";
import { type RunningServer, type ServerKind, startServer, startZkts } from "@zkts/testkit";
import { afterEach, describe, expect, it } from "vitest";
import { closedWithin, connectRequestFrame, openSocket } from "./limits/raw-client.js";

/**
 * A connection that never completes its session handshake is closed after ZooKeeper's
 * sessionless connection timeout (zookeeper.nio.sessionlessCnxnTimeout, 10 s by default,
 * readable from zoo.cfg as `nio.sessionlessCnxnTimeout` or with its `zookeeper.` prefix).
 * ZooKeeper 3.8 closes such a connection between one and two timeouts after its last byte
 * (its expiry queue works in buckets of the timeout); zkts closes it one timeout after the
 * accept, even when the client trickles bytes, which ZooKeeper lets live on.
 */

const TIMEOUT_MS = 2000;

type Probe = "silent" | "half a ConnectRequest" | "a complete ConnectRequest";

async function probe(port: number, kind: Probe): Promise<Socket> {
  const socket = await openSocket(port);
  socket.on("data", () => undefined);
  if (kind === "half a ConnectRequest") socket.write(connectRequestFrame().subarray(0, 20));
  if (kind === "a complete ConnectRequest") socket.write(connectRequestFrame(30_000));
  return socket;
}

describe("limits: connections that never complete a handshake", () => {
  let server: RunningServer | null = null;
  const sockets: Socket[] = [];

  afterEach(async () => {
    for (const s of sockets.splice(0)) s.destroy();
    await server?.cleanup();
    server = null;
  });

  const cases: [ServerKind, string][] = [
    ["reference", "nio.sessionlessCnxnTimeout"],
    ["zkts", "nio.sessionlessCnxnTimeout"],
    ["zkts", "zookeeper.nio.sessionlessCnxnTimeout"],
  ];
  it.each(cases)("%s with %s=2000 closes a silent and a half-handshaken connection, keeps a session", async (kind, key) => {
    server = await startServer(kind, { config: { [key]: String(TIMEOUT_MS) } });
    const kinds: Probe[] = ["silent", "half a ConnectRequest", "a complete ConnectRequest"];
    const opened = await Promise.all(kinds.map((k) => probe(server!.port, k)));
    sockets.push(...opened);
    const closedAfterMs = await Promise.all(opened.map((s) => closedWithin(s, 3 * TIMEOUT_MS)));
    console.log(`${kind} ${key}=${TIMEOUT_MS}: ${kinds.map((k, i) => `${k} closed after ${closedAfterMs[i]} ms`).join(", ")}`);
    for (const ms of closedAfterMs.slice(0, 2)) {
      expect(ms).not.toBeNull();
      expect(ms!).toBeGreaterThanOrEqual(TIMEOUT_MS - 200);
      expect(ms!).toBeLessThanOrEqual(2 * TIMEOUT_MS + 1000);
    }
    expect(closedAfterMs[2]).toBeNull();
  });

  it("zkts closes a connection after the default 10 s, and a client trickling a byte a second after the timeout", async () => {
    server = await startZkts();
    const silent = await probe(server.port, "silent");
    const trickling = await openSocket(server.port);
    sockets.push(silent, trickling);
    // A length prefix announcing a 1000-byte ConnectRequest, then one byte a second.
    trickling.write(Buffer.from([0, 0, 3, 232]));
    const trickle = setInterval(() => trickling.write(Buffer.from([0])), 1000);
    try {
      const [silentMs, tricklingMs] = await Promise.all([closedWithin(silent, 15_000), closedWithin(trickling, 15_000)]);
      console.log(`zkts default: silent closed after ${silentMs} ms, trickling after ${tricklingMs} ms`);
      for (const ms of [silentMs, tricklingMs]) {
        expect(ms).not.toBeNull();
        expect(ms!).toBeGreaterThanOrEqual(9800);
        expect(ms!).toBeLessThanOrEqual(11_500);
      }
    } finally {
      clearInterval(trickle);
    }
  });
});
