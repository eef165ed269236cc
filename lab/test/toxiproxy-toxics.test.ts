import { performance } from "node:perf_hooks";
import { type Proxy, Toxiproxy } from "toxiproxy-node-client";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { LINK_BYTES_HELD_MAX, type ToxiproxyServer, startToxiproxyServer } from "../src/index.js";
import { TestClient, type TestServer, sleep, startEchoServer, startTestServer } from "./toxiproxy-support.js";

// Every toxic measured on real bytes: a real TCP server behind a proxy of the lab's Toxiproxy
// on 127.0.0.1, configured only through toxiproxy-node-client, as the lab will drive it.

const SEED = 20261;
let server: ToxiproxyServer;
let toxiproxy: Toxiproxy;
let echo: TestServer;
const others: TestServer[] = [];
const clients: TestClient[] = [];
let proxyCount = 0;

beforeAll(async () => {
  server = await startToxiproxyServer({ host: "127.0.0.1", port: 0, seed: SEED });
  console.log(`toxiproxy seed ${server.seed}`);
  toxiproxy = new Toxiproxy(server.url);
  echo = await startEchoServer();
});

afterEach(async () => {
  for (const client of clients.splice(0)) client.close();
  for (const proxy of Object.values(await toxiproxy.getAll())) await proxy.remove();
  for (const other of others.splice(0)) await other.close();
});

afterAll(async () => {
  await echo.close();
  await server.close();
});

async function proxyTo(upstream: string): Promise<Proxy> {
  return toxiproxy.createProxy({ name: `p${++proxyCount}`, listen: "127.0.0.1:0", upstream });
}

async function client(proxy: Proxy): Promise<TestClient> {
  const connected = await TestClient.connect(proxy.listen);
  clients.push(connected);
  return connected;
}

/** A server that sends `bytes` to each client as it connects, then closes if asked. */
async function sender(bytes: Buffer, thenClose: boolean): Promise<TestServer> {
  const started = await startTestServer((socket) => {
    socket.write(bytes);
    if (thenClose) socket.end();
  });
  others.push(started);
  return started;
}

const payload = (length: number): Buffer => Buffer.from(Array.from({ length }, (_, i) => i % 251));

describe("the lab's Toxiproxy applies each toxic to real traffic", () => {
  it("latency delays each direction by its amount, on connections already open, until removed", async () => {
    const proxy = await proxyTo(echo.address);
    const c = await client(proxy);
    const baseline = await c.roundTrip("ping");
    await proxy.addToxic({ name: "slow_down", type: "latency", stream: "downstream", toxicity: 1, attributes: { latency: 100, jitter: 0 } });
    const downstreamOnly = await c.roundTrip("ping");
    await proxy.addToxic({ name: "slow_up", type: "latency", stream: "upstream", toxicity: 1, attributes: { latency: 50, jitter: 0 } });
    const bothWays = await c.roundTrip("ping");
    await (await proxy.getToxic("slow_down")).remove();
    await (await proxy.getToxic("slow_up")).remove();
    const healed = await c.roundTrip("ping");
    console.log(
      `round trip ms: baseline ${baseline.toFixed(1)}, +100 down ${downstreamOnly.toFixed(1)}, +50 up ${bothWays.toFixed(1)}, removed ${healed.toFixed(1)}`,
    );
    expect(baseline).toBeLessThan(90);
    // A few ms of slack under each delay: Toxiproxy's timers and ours are not the same clock.
    expect(downstreamOnly).toBeGreaterThanOrEqual(95);
    expect(downstreamOnly).toBeLessThan(195); // applied once, not twice
    expect(bothWays).toBeGreaterThanOrEqual(145);
    expect(bothWays).toBeLessThan(295);
    expect(healed).toBeLessThan(90);
  });

  it("latency keeps the order of the bytes and updates take effect", async () => {
    const proxy = await proxyTo(echo.address);
    const toxic = await proxy.addToxic({ name: "jittery", type: "latency", stream: "downstream", toxicity: 1, attributes: { latency: 20, jitter: 15 } });
    const c = await client(proxy);
    const sent = Array.from({ length: 50 }, (_, i) => `<${i}>`).join("");
    for (let i = 0; i < 50; i++) c.socket.write(`<${i}>`);
    expect(await c.until(() => c.bytes.length >= sent.length, 3000)).toBe(true);
    expect(c.bytes.toString()).toBe(sent);
    await toxic.update({ ...toxic.toJson(), attributes: { latency: 150, jitter: 0 } });
    expect(await c.roundTrip("x")).toBeGreaterThanOrEqual(145);
  });

  it("bandwidth holds the measured rate to its rate", async () => {
    const bytes = payload(100_000);
    const proxy = await proxyTo((await sender(bytes, false)).address);
    await proxy.addToxic({ name: "narrow", type: "bandwidth", stream: "downstream", toxicity: 1, attributes: { rate: 200 } });
    const c = await client(proxy);
    expect(await c.until(() => c.bytes.length >= bytes.length, 3000)).toBe(true);
    const elapsedMs = performance.now() - c.opened;
    const kbPerSecond = bytes.length / elapsedMs; // bytes per ms = KB/s
    console.log(`bandwidth 200 KB/s: 100000 bytes in ${elapsedMs.toFixed(0)} ms = ${kbPerSecond.toFixed(0)} KB/s`);
    expect(c.bytes.equals(bytes)).toBe(true);
    expect(kbPerSecond).toBeGreaterThan(130);
    expect(kbPerSecond).toBeLessThan(220);
  });

  it("timeout 0 is a silent black hole: nothing arrives, nothing closes, and removing it closes the connection", async () => {
    const proxy = await proxyTo(echo.address);
    const c = await client(proxy);
    await c.roundTrip("before");
    const receivedBefore = echo.received.length;
    await proxy.addToxic({ name: "cut_up", type: "timeout", stream: "upstream", toxicity: 1, attributes: { timeout: 0 } });
    await proxy.addToxic({ name: "cut_down", type: "timeout", stream: "downstream", toxicity: 1, attributes: { timeout: 0 } });
    c.socket.write("into the void");
    await sleep(400);
    expect(c.bytes.toString()).toBe("before");
    expect(echo.received.length).toBe(receivedBefore);
    expect(c.closed).toBe(false);
    const removedAt = performance.now();
    await (await proxy.getToxic("cut_down")).remove();
    expect(await c.until(() => c.closed, 2000)).toBe(true);
    console.log(`closed ${((c.closedAtMs ?? 0) - removedAt).toFixed(1)} ms after the timeout toxic was removed`);
    expect(c.bytes.toString()).toBe("before");
  });

  it("timeout 0 with hold_close keeps a close from crossing the black hole until the toxic is removed", async () => {
    let serverSide: import("node:net").Socket | undefined;
    let serverSawEnd = false;
    const server = await startTestServer((socket) => {
      serverSide = socket;
      socket.on("end", () => {
        serverSawEnd = true;
      });
    });
    others.push(server);
    const proxy = await proxyTo(server.address);
    const c = await client(proxy);
    await c.until(() => serverSide !== undefined, 2000);
    for (const stream of ["upstream", "downstream"] as const) {
      await proxy.addToxic({ name: `hold_${stream}`, type: "timeout", stream, toxicity: 1, attributes: { timeout: 0, hold_close: 1 } });
    }
    c.socket.end();
    await sleep(400);
    expect(serverSawEnd).toBe(false);
    await (await proxy.getToxic("hold_upstream")).remove();
    await (await proxy.getToxic("hold_downstream")).remove();
    for (let i = 0; i < 40 && !serverSide!.destroyed && !serverSawEnd; i++) await sleep(50);
    expect(serverSawEnd || serverSide!.destroyed).toBe(true);
  });

  it("timeout with a duration closes the connection when it expires", async () => {
    const proxy = await proxyTo(echo.address);
    await proxy.addToxic({ name: "expire", type: "timeout", stream: "downstream", toxicity: 1, attributes: { timeout: 200 } });
    const c = await client(proxy);
    expect(await c.until(() => c.closed, 2000)).toBe(true);
    const lifeMs = (c.closedAtMs ?? 0) - c.opened;
    expect(lifeMs).toBeGreaterThanOrEqual(195);
    expect(lifeMs).toBeLessThan(600);
  });

  it("reset_peer resets the connection: the client sees ECONNRESET", async () => {
    const proxy = await proxyTo(echo.address);
    await proxy.addToxic({ name: "rst", type: "reset_peer", stream: "downstream", toxicity: 1, attributes: { timeout: 100 } });
    const c = await client(proxy);
    const sentAt = performance.now();
    c.socket.write("hello");
    expect(await c.until(() => c.closed, 2000)).toBe(true);
    expect(c.error?.code).toBe("ECONNRESET");
    expect((c.closedAtMs ?? 0) - sentAt).toBeGreaterThanOrEqual(99);
    expect(c.bytes.length).toBe(0);
  });

  it("slicer delivers in small chunks, every byte in order", async () => {
    const bytes = payload(600);
    const plain = await client(await proxyTo((await sender(bytes, false)).address));
    expect(await plain.until(() => plain.bytes.length >= bytes.length, 2000)).toBe(true);
    const proxy = await proxyTo((await sender(bytes, false)).address);
    await proxy.addToxic({
      name: "slices",
      type: "slicer",
      stream: "downstream",
      toxicity: 1,
      // 8 ms between slices: a reader that stalls (a loaded machine, a collection) for less than
      // that still sees each slice as its own chunk, so the count below does not depend on load.
      attributes: { average_size: 10, size_variation: 4, delay: 8000 },
    });
    const c = await client(proxy);
    expect(await c.until(() => c.bytes.length >= bytes.length, 6000)).toBe(true);
    const sizes = c.chunks.map((chunk) => chunk.length).sort((a, b) => a - b);
    console.log(`slicer: ${plain.chunks.length} chunk(s) without, ${c.chunks.length} with; median ${sizes[sizes.length >> 1]} bytes`);
    expect(c.bytes.equals(bytes)).toBe(true);
    expect(plain.chunks.length).toBeLessThanOrEqual(2);
    expect(c.chunks.length).toBeGreaterThanOrEqual(25); // about 60 slices sent
    expect(sizes[sizes.length >> 1]).toBeLessThanOrEqual(14);
  });

  it("limit_data passes exactly its bytes, then closes", async () => {
    const proxy = await proxyTo((await sender(payload(5000), false)).address);
    await proxy.addToxic({ name: "cap", type: "limit_data", stream: "downstream", toxicity: 1, attributes: { bytes: 1000 } });
    const c = await client(proxy);
    expect(await c.until(() => c.closed, 2000)).toBe(true);
    expect(c.bytes.equals(payload(5000).subarray(0, 1000))).toBe(true);
  });

  it("slow_close delays the close, not the data", async () => {
    const plain = await client(await proxyTo((await sender(Buffer.from("bye"), true)).address));
    expect(await plain.until(() => plain.closed, 2000)).toBe(true);
    const proxy = await proxyTo((await sender(Buffer.from("bye"), true)).address);
    await proxy.addToxic({ name: "linger", type: "slow_close", stream: "downstream", toxicity: 1, attributes: { delay: 300 } });
    const c = await client(proxy);
    expect(await c.until(() => c.bytes.length === 3, 2000)).toBe(true);
    const dataMs = performance.now() - c.opened;
    expect(await c.until(() => c.closed, 2000)).toBe(true);
    const closeMs = (c.closedAtMs ?? 0) - c.opened;
    console.log(
      `slow_close 300: close after ${closeMs.toFixed(0)} ms (data after ${dataMs.toFixed(0)} ms; ${((plain.closedAtMs ?? 0) - plain.opened).toFixed(0)} ms without)`,
    );
    expect((plain.closedAtMs ?? 0) - plain.opened).toBeLessThan(100);
    expect(dataMs).toBeLessThan(100);
    expect(closeMs).toBeGreaterThanOrEqual(299);
    expect(closeMs).toBeLessThan(600);
  });

  it("toxicity 0 never applies", async () => {
    const proxy = await proxyTo(echo.address);
    await proxy.addToxic({ name: "never", type: "timeout", stream: "downstream", toxicity: 0, attributes: { timeout: 0 } });
    for (let i = 0; i < 10; i++) {
      const c = await client(proxy);
      expect(await c.roundTrip(`hello ${i}`)).toBeLessThan(500);
    }
  });

  it("toxicity is rolled per connection from the seed: the same seed affects the same connections", async () => {
    const patterns: string[] = [];
    for (const run of [0, 1]) {
      const own = await startToxiproxyServer({ port: 0, seed: 77 });
      try {
        const api = new Toxiproxy(own.url);
        const proxy = await api.createProxy({ name: "coin", listen: "127.0.0.1:0", upstream: echo.address });
        await proxy.addToxic({ name: "coin", type: "limit_data", stream: "downstream", toxicity: 0.5, attributes: { bytes: 0 } });
        let pattern = "";
        for (let i = 0; i < 24; i++) {
          const c = await TestClient.connect(proxy.listen);
          c.socket.write("x");
          await c.until(() => c.bytes.length > 0 || c.closed, 2000);
          pattern += c.bytes.length > 0 ? "." : "X";
          c.close();
        }
        patterns.push(pattern);
        console.log(`seed 77 run ${run}: ${pattern} (X = limited)`);
      } finally {
        await own.close();
      }
    }
    expect(patterns[1]).toBe(patterns[0]);
    const affected = [...(patterns[0] ?? "")].filter((mark) => mark === "X").length;
    expect(affected).toBeGreaterThanOrEqual(4);
    expect(affected).toBeLessThanOrEqual(20);
  });

  it("a slowed link holds a bounded number of bytes and pushes back on the sender", async () => {
    const sink = await startTestServer(() => {});
    others.push(sink);
    const piece = Buffer.alloc(64 << 10, 7);
    const pieces = 256; // 16 MiB, written in pieces so the sender's backlog shows what was taken
    const offered = piece.length * pieces;
    const taken = async (c: TestClient, waitMs: number): Promise<number> => {
      for (let i = 0; i < pieces; i++) c.socket.write(piece);
      await c.until(() => c.socket.writableLength === 0, waitMs);
      return offered - c.socket.writableLength;
    };
    let startedAt = performance.now();
    const plainTaken = await taken(await client(await proxyTo(sink.address)), 8000);
    const plainMs = performance.now() - startedAt;

    const proxy = await proxyTo(sink.address);
    await proxy.addToxic({ name: "stall", type: "latency", stream: "upstream", toxicity: 1, attributes: { latency: 10_000, jitter: 0 } });
    startedAt = performance.now();
    const stalledTaken = await taken(await client(proxy), 1000);
    const mib = (bytes: number): string => (bytes / 2 ** 20).toFixed(1);
    console.log(
      `16 MiB offered: a plain link took it all (${mib(plainTaken)} MiB in ${plainMs.toFixed(0)} ms); a stalled one took ${mib(stalledTaken)} MiB in ${(performance.now() - startedAt).toFixed(0)} ms (the proxy holds at most ${mib(LINK_BYTES_HELD_MAX)} MiB a direction, the rest is in kernel buffers)`,
    );
    expect(plainTaken).toBe(offered);
    expect(stalledTaken).toBeLessThan(8 << 20);
  });
});
