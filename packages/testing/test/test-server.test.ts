import { existsSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { type TestServer, startTestServer } from "../src/index.js";
import { CreateMode, type NzcClient, call, nextState, nzcConnect, sessionIdOf } from "./nzc.js";

const servers: TestServer[] = [];
const clients: NzcClient[] = [];
afterEach(async () => {
  for (const c of clients.splice(0)) c.close();
  for (const s of servers.splice(0)) await s.close();
});

async function server(options: Parameters<typeof startTestServer>[0] = {}): Promise<TestServer> {
  const s = await startTestServer(options);
  servers.push(s);
  return s;
}

async function client(connectString: string): Promise<NzcClient> {
  const c = await nzcConnect(connectString);
  clients.push(c);
  return c;
}

describe.each([
  ["a temporary data directory", false],
  ["memory", true],
] as const)("startTestServer in %s", (_name, inMemory) => {
  it("is ready in tens of milliseconds on a port of its own, and serves node-zookeeper-client", async () => {
    const startsMs: number[] = [];
    for (let i = 0; i < 5; i++) {
      const startedAt = performance.now();
      const s = await server({ inMemory });
      startsMs.push(performance.now() - startedAt);
      expect(s.port).toBeGreaterThan(0);
      expect(s.connectString).toBe(`127.0.0.1:${s.port}`);
    }
    const sorted = [...startsMs].sort((a, b) => a - b);
    const median = sorted[Math.floor(sorted.length / 2)]!;
    console.log(
      `startTestServer (${inMemory ? "in memory" : "temp dir"}): ${startsMs.map((ms) => ms.toFixed(1)).join(", ")} ms; median ${median.toFixed(1)} ms`,
    );
    expect(median).toBeLessThan(200);

    const zk = await client(servers[0]!.connectString);
    expect(await call<string>((cb) => zk.create("/app", Buffer.from("v1"), cb))).toBe("/app");
    expect((await call<Buffer>((cb) => zk.getData("/app", cb))).toString()).toBe("v1");
  });

  it("restarts on the same port with the same data, and the session survives", async () => {
    const s = await server({ inMemory });
    const zk = await client(s.connectString);
    const sessionId = sessionIdOf(zk);
    await call((cb) => zk.create("/kept", Buffer.from("before"), cb));
    await call((cb) => zk.create("/kept/mine", Buffer.from(""), CreateMode.EPHEMERAL, cb));
    const port = s.port;

    const reconnected = nextState(zk, "SYNC_CONNECTED");
    await s.restart();
    console.log(`restart (${inMemory ? "in memory" : "temp dir"}): ${s.startMs.toFixed(1)} ms`);
    await reconnected;
    expect(s.port).toBe(port);
    expect(sessionIdOf(zk)).toBe(sessionId);
    expect((await call<Buffer>((cb) => zk.getData("/kept", cb))).toString()).toBe("before");
    expect(await call((cb) => zk.exists("/kept/mine", cb))).not.toBeNull();
  });

  it("expireSession ends the session as a timeout would: the client hears EXPIRED and its ephemerals go", async () => {
    const s = await server({ inMemory });
    const doomed = await client(s.connectString);
    const observer = await client(s.connectString);
    await call((cb) => doomed.create("/eph", Buffer.from(""), CreateMode.EPHEMERAL, cb));
    let deleted!: Promise<string>;
    // The watch must be set before the expiry: wait for the exists reply.
    await call((cb) => {
      deleted = new Promise<string>((resolve) => observer.exists("/eph", (event: { getName(): string }) => resolve(event.getName()), cb));
    });
    const expired = nextState(doomed, "EXPIRED");

    expect(s.sessionIds()).toContain(sessionIdOf(doomed));
    await s.expireSession(sessionIdOf(doomed));
    expect(s.sessionIds()).not.toContain(sessionIdOf(doomed));
    expect(await deleted).toBe("NODE_DELETED");
    await expired;
    expect(s.sessionIds()).toContain(sessionIdOf(observer));
    await expect(s.expireSession(sessionIdOf(doomed))).rejects.toThrow(/no live session/);
  });
});

describe("startTestServer data directories", () => {
  it("removes its temporary directory at close, keeps a given one, and disposes with await using", async () => {
    let temp: string | null;
    {
      await using s = await startTestServer();
      temp = s.dataDir;
      expect(temp !== null && existsSync(temp)).toBe(true);
    }
    expect(existsSync(temp!)).toBe(false);

    const given = await mkdtemp(join(tmpdir(), "zkts-testing-given-"));
    try {
      const first = await startTestServer({ dataDir: given });
      const zk = await nzcConnect(first.connectString);
      await call((cb) => zk.create("/durable", Buffer.from("on disk"), cb));
      zk.close();
      await first.close();
      expect(existsSync(given)).toBe(true);

      // A second server on the same directory recovers what the first one wrote.
      const second = await startTestServer({ dataDir: given });
      const again = await nzcConnect(second.connectString);
      expect((await call<Buffer>((cb) => again.getData("/durable", cb))).toString()).toBe("on disk");
      again.close();
      await second.close();
    } finally {
      await rm(given, { recursive: true, force: true });
    }
  });

  it("a stopped server refuses connections until started again", async () => {
    const s = await server();
    await s.stop();
    expect(s.server).toBeNull();
    await expect(nzcConnect(s.connectString, 4000, 1000)).rejects.toThrow(/did not connect/);
    await s.start();
    const zk = await client(s.connectString);
    expect(await call((cb) => zk.exists("/", cb))).not.toBeNull();
  });
});
