import { CuttableProxy } from "@zkts/testkit";
import { startTestCluster, startTestServer } from "@zkts/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ConnectionState, type ZkClient, ZkError, connect, exponentialBackoff, statJson } from "../src/index.js";
import { killSession, open, uniquePath } from "./support.js";
import { startTarget, targets, type TargetServer } from "./targets.js";

/** Records the client's derived connection states in order. */
function stateLog(client: ZkClient): { states: ConnectionState[]; next(state: ConnectionState, timeoutMs?: number): Promise<void> } {
  const states: ConnectionState[] = [];
  const waiters: { state: ConnectionState; resolve: () => void }[] = [];
  client.on("state", (event) => {
    states.push(event.state);
    for (const w of waiters.filter((w) => w.state === event.state)) {
      waiters.splice(waiters.indexOf(w), 1);
      w.resolve();
    }
  });
  return {
    states,
    next: (state, timeoutMs = 15_000) =>
      new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no ${state} within ${timeoutMs} ms; states so far ${states.join(",")}`)), timeoutMs);
        waiters.push({ state, resolve: () => (clearTimeout(timer), resolve()) });
      }),
  };
}

describe.each(targets)("connection states, retries and disposal against %s", (kind) => {
  let server: TargetServer;

  beforeAll(async () => {
    server = await startTarget(kind);
  });
  afterAll(async () => {
    await server?.cleanup();
  });

  it("goes connected, suspended, reconnected, then lost when the session dies behind a cut link", async () => {
    const proxy = await CuttableProxy.start({ host: server.host, port: server.port });
    try {
      const client = await open(proxy.connectString, { reconnectDelayMsMin: 20, reconnectDelayMsMax: 100 });
      const log = stateLog(client);
      expect(client.connectionState).toBe("connected");

      const suspended = log.next("suspended");
      proxy.block();
      await suspended;
      const reconnected = log.next("reconnected");
      proxy.unblock();
      await reconnected;

      proxy.block();
      await killSession(client, server.connectString);
      const lost = log.next("lost");
      proxy.unblock();
      await lost;
      expect(log.states).toEqual(["suspended", "reconnected", "suspended", "lost"]);
      expect(client.connectionState).toBe("lost");
      await client.close();
    } finally {
      await proxy.close();
    }
  });

  it("retries an idempotent read whose connection dropped, with the client's retryPolicy; without one it fails", async () => {
    const path = uniquePath("retry");
    const plain = await open(server.connectString);
    const retrying = await open(server.connectString, { retryPolicy: exponentialBackoff({ baseDelayMs: 20, maxRetries: 10 }) });
    try {
      await plain.create(path, "value");
      const failing = plain.getData(path);
      plain.severConnection();
      await expect(failing).rejects.toMatchObject({ codeName: "CONNECTIONLOSS", outcomeUnknown: true });

      const retried = retrying.getData(path);
      retrying.severConnection();
      expect((await retried).data.toString()).toBe("value");

      // Writes are not retried by the client, even with a policy.
      const write = retrying.setData(path, "other");
      retrying.severConnection();
      await expect(write).rejects.toBeInstanceOf(ZkError);
    } finally {
      await plain.close();
      await retrying.close();
    }
  });

  it("closes the session at the end of an `await using` block", async () => {
    let escaped: ZkClient;
    {
      await using client = await open(server.connectString);
      escaped = client;
      expect(client.state).toBe("connected");
    }
    expect(escaped.state).toBe("closed");
  });

  it("returns Stats that serialise to JSON", async () => {
    const client = await open(server.connectString);
    try {
      const path = uniquePath("json");
      const { stat } = await client.create(path, "12345", { mode: "EPHEMERAL" });
      const parsed = JSON.parse(JSON.stringify({ stat }));
      expect(parsed.stat).toEqual(statJson(stat));
      expect(parsed.stat.dataLength).toBe(5);
      expect(parsed.stat.ephemeralOwner).toMatch(/^-?\d+$/);
      expect(typeof parsed.stat.ctime).toBe("number");
    } finally {
      await client.close();
    }
  });
});

describe("connection states on @zkts/testing servers", () => {
  it("reports lost when the test server expires the session, and suspended/reconnected across a restart", async () => {
    await using server = await startTestServer();
    const client = await connect(server.connectString, { sessionTimeoutMs: 10_000, reconnectDelayMsMin: 10, reconnectDelayMsMax: 50 });
    const log = stateLog(client);
    const reconnected = log.next("reconnected");
    await server.restart();
    await reconnected;
    expect(log.states).toEqual(["suspended", "reconnected"]);

    const lost = log.next("lost");
    await server.expireSession(client.sessionId);
    await lost;
    await expect(client.getData("/")).rejects.toMatchObject({ codeName: "SESSIONEXPIRED" });
    await client.close();
  });

  it("moves to another member when its own is partitioned away, keeping the session", async () => {
    await using cluster = await startTestCluster({ members: 3 });
    const client = await connect(cluster.connectString, { sessionTimeoutMs: 10_000, reconnectDelayMsMin: 10, reconnectDelayMsMax: 100 });
    try {
      const sessionId = client.sessionId;
      const path = uniquePath("partitioned");
      await client.create(path, "before");
      const server = `${client.currentServer?.host}:${client.currentServer?.port}`;
      const member = cluster.members.find((m) => m.connectString === server)!;
      const log = stateLog(client);
      const reconnected = log.next("reconnected");
      cluster.partition(member.id);
      await reconnected;
      expect(log.states).toEqual(["suspended", "reconnected"]);
      expect(client.sessionId).toBe(sessionId);
      expect(`${client.currentServer?.host}:${client.currentServer?.port}`).not.toBe(server);
      await client.setData(path, "after");
      cluster.heal();
      await cluster.waitServing();
    } finally {
      await client.close();
    }
  });
});
