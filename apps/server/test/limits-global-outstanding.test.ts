import { setTimeout as sleep } from "node:timers/promises";
import { OpCode } from "@zkts/jute";
import { type RunningServer, type ServerKind, startServer } from "@zkts/testkit";
import { afterEach, describe, expect, it } from "vitest";
import { mntrValue } from "./fuzz/server-probe.js";
import { RawSession } from "./conformance/raw-session.js";
import { connectRequestFrame, getDataFrame, openSocket, pipelinedCreates } from "./limits/raw-client.js";

/**
 * globalOutstandingLimit, read as ZooKeeper 3.8 reads it (zookeeper.globalOutstandingLimit,
 * from zoo.cfg). Run on the reference, 3.8 refuses nothing (no THROTTLEDOP, no error): once
 * more requests than the limit are in flight it stops reading from every connection that has
 * one of its own in flight, so `zk_outstanding_requests` stays near the limit plus one request
 * per connection. zkts must do the same; with the default limit the same load goes far past it.
 * Requests parked behind a client that does not read its replies are not counted (zkts only:
 * ZooKeeper has no such parking), so such a client cannot throttle everyone else.
 */

const CONNECTIONS = 20;
const CREATES_PER_CONNECTION = 300;

async function outstandingWhileLoaded(server: RunningServer): Promise<{ max: number; errors: Map<number, number> }> {
  let max = 0;
  let loading = true;
  const sampling = (async () => {
    while (loading) {
      max = Math.max(max, await mntrValue(server.host, server.port, "zk_outstanding_requests"));
      await sleep(10);
    }
  })();
  try {
    const errors = await pipelinedCreates(server.port, CONNECTIONS, CREATES_PER_CONNECTION);
    return { max, errors };
  } finally {
    loading = false;
    await sampling;
  }
}

describe("limits: globalOutstandingLimit", () => {
  let server: RunningServer | null = null;

  afterEach(async () => {
    await server?.cleanup();
    server = null;
  });

  it.each<ServerKind>(["reference", "zkts"])("%s with globalOutstandingLimit=10 holds requests in flight near 10 and answers all", async (kind) => {
    const limit = 10;
    server = await startServer(kind, { config: { globalOutstandingLimit: String(limit) } });
    const { max, errors } = await outstandingWhileLoaded(server);
    console.log(`${kind} globalOutstandingLimit=${limit}: at most ${max} outstanding; replies by error code ${JSON.stringify([...errors])}`);
    expect([...errors]).toEqual([[0, CONNECTIONS * CREATES_PER_CONNECTION]]);
    expect(max).toBeLessThanOrEqual(limit + 2 * CONNECTIONS);
  });

  it("zkts does not count the requests of a client that does not read its replies", async () => {
    const limit = 10;
    server = await startServer("zkts", { config: { globalOutstandingLimit: String(limit) } });
    const setup = await RawSession.connect(server.port);
    const big = Buffer.alloc(1_000_000, 0x62);
    const created = await setup.request(OpCode.create, (w) => {
      w.writeUstring("/big");
      w.writeBuffer(big);
      w.writeInt(1);
      w.writeInt(31);
      w.writeUstring("world");
      w.writeUstring("anyone");
      w.writeInt(0);
    });
    expect(created.err).toBe(0);
    setup.drop();
    const greedy = await openSocket(server.port);
    greedy.pause();
    greedy.write(connectRequestFrame());
    await sleep(300);
    greedy.write(Buffer.concat(Array.from({ length: 500 }, (_, i) => getDataFrame(i + 1, "/big"))));
    await sleep(500);
    try {
      const { max, errors } = await outstandingWhileLoaded(server);
      console.log(`zkts globalOutstandingLimit=${limit} beside a client not reading 500 getData: at most ${max} outstanding`);
      expect([...errors]).toEqual([[0, CONNECTIONS * CREATES_PER_CONNECTION]]);
      expect(max).toBeLessThanOrEqual(limit + 2 * CONNECTIONS);
    } finally {
      greedy.destroy();
    }
  });

  it("zkts with the default limit (1000) lets the same load put hundreds in flight", async () => {
    server = await startServer("zkts");
    const { max, errors } = await outstandingWhileLoaded(server);
    console.log(`zkts default globalOutstandingLimit: at most ${max} outstanding`);
    expect([...errors]).toEqual([[0, CONNECTIONS * CREATES_PER_CONNECTION]]);
    expect(max).toBeGreaterThan(200);
    expect(max).toBeLessThanOrEqual(1000 + 2 * CONNECTIONS);
  });
});
