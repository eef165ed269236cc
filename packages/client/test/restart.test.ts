import { startServer, type RunningServer } from "@zkts/testkit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ZkClient } from "../src/index.js";
import { EventRecorder, open, uniquePath } from "./helpers.js";
import { targets } from "./targets.js";

/**
 * A server restart in the middle of a session: the client rides it out on the same session,
 * and a watch set before the restart is re-registered and fires afterwards. Sessions and the
 * zxid must survive the restart, which needs the server's storage: zkts has none yet (its
 * storage is a separate issue), and after a restart it closes every reconnect because the
 * client's lastZxidSeen is ahead of its zxid, as ZooKeeper does. Add "zkts" here once it
 * persists; the connection-cut tests in session.test.ts cover both servers meanwhile.
 */
const persistentTargets = targets.filter((kind) => kind === "reference");

describe.each(persistentTargets)("a server restart under a live session, against %s", (kind) => {
  let server: RunningServer;
  let client: ZkClient;

  beforeAll(async () => {
    server = await startServer(kind);
    client = await open(server.connectString, { sessionTimeoutMs: 30_000, reconnectDelayMsMin: 50, reconnectDelayMsMax: 500 });
  });

  afterAll(async () => {
    await client?.close();
    await server?.cleanup();
  });

  it("keeps the session and its watches across the restart", async () => {
    const path = uniquePath("restart");
    const sessionId = client.sessionId;
    const watcher = new EventRecorder();
    expect(await client.exists(path, watcher.listener)).toBeNull();
    const disconnected = client.once("disconnected");
    const outcome = Promise.race([
      client.once("connected").then((e) => `connected to session 0x${e.sessionId.toString(16)}`),
      client.once("expired").then((e) => `expired: ${e.reason}`),
    ]);
    await server.restart();
    await disconnected;
    expect(await outcome).toBe(`connected to session 0x${sessionId.toString(16)}`);
    await client.create(path);
    expect((await watcher.waitFor(1))[0]).toMatchObject({ type: "NodeCreated", path });
  });
});
