import { Toxiproxy } from "toxiproxy-node-client";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { type ToxiproxyServer, startToxiproxyServer } from "../src/index.js";
import { TestClient, type TestServer, startEchoServer, startTestServer } from "./toxiproxy-support.js";

// The lab's Toxiproxy answers Toxiproxy 2.12's HTTP API as toxiproxy-node-client expects it:
// every call here goes through that client, against proxies carrying real TCP traffic.

let server: ToxiproxyServer;
let toxiproxy: Toxiproxy;
let echo: TestServer;
const clients: TestClient[] = [];

beforeAll(async () => {
  server = await startToxiproxyServer({ port: 0, seed: 5 });
  console.log(`toxiproxy seed ${server.seed}`);
  toxiproxy = new Toxiproxy(server.url);
  echo = await startEchoServer();
});

afterEach(async () => {
  for (const client of clients.splice(0)) client.close();
  for (const proxy of Object.values(await toxiproxy.getAll())) await proxy.remove();
});

afterAll(async () => {
  await echo.close();
  await server.close();
});

async function connect(address: string): Promise<TestClient> {
  const client = await TestClient.connect(address);
  clients.push(client);
  return client;
}

const listenPort = (listen: string): number => Number(listen.slice(listen.lastIndexOf(":") + 1));

describe("the lab's Toxiproxy speaks Toxiproxy's HTTP API", () => {
  it("answers /version", async () => {
    expect(JSON.parse(await toxiproxy.getVersion())).toEqual({ version: expect.stringMatching(/^2\.12\.0/) });
  });

  it("creates a proxy on the port it picked, lists it, shows it, and carries traffic", async () => {
    const proxy = await toxiproxy.createProxy({ name: "db", listen: "127.0.0.1:0", upstream: echo.address });
    expect(proxy.enabled).toBe(true);
    expect(proxy.listen).toMatch(/^127\.0\.0\.1:\d+$/);
    expect(listenPort(proxy.listen)).toBeGreaterThan(0);
    const all = await toxiproxy.getAll();
    expect(Object.keys(all)).toEqual(["db"]);
    expect((await toxiproxy.get("db")).toJson()).toEqual({ name: "db", listen: proxy.listen, upstream: echo.address, enabled: true });
    const client = await connect(proxy.listen);
    await client.roundTrip("through the proxy");
    expect(client.bytes.toString()).toBe("through the proxy");
  });

  it("answers 409 for a second proxy of the same name and 404 for unknown proxies and toxics", async () => {
    const proxy = await toxiproxy.createProxy({ name: "twice", listen: "127.0.0.1:0", upstream: echo.address });
    await expect(toxiproxy.createProxy({ name: "twice", listen: "127.0.0.1:0", upstream: echo.address })).rejects.toThrow(/409/);
    await expect(toxiproxy.get("nobody")).rejects.toThrow(/404/);
    await expect(proxy.getToxic("nothing")).rejects.toThrow(/404/);
    await proxy.addToxic({ name: "lag", type: "latency", stream: "upstream", toxicity: 1, attributes: { latency: 1, jitter: 0 } });
    await expect(proxy.addToxic({ name: "lag", type: "latency", stream: "downstream", toxicity: 1, attributes: { latency: 1, jitter: 0 } })).rejects.toThrow(
      /409/,
    );
  });

  it("answers 400 for a bad body, a missing field, an unknown toxic type or stream", async () => {
    await expect(toxiproxy.createProxy({ name: "no-upstream", listen: "127.0.0.1:0", upstream: "" })).rejects.toThrow(/400/);
    const proxy = await toxiproxy.createProxy({ name: "strict", listen: "127.0.0.1:0", upstream: echo.address });
    await expect(proxy.addToxic({ name: "x", type: "down", stream: "upstream", toxicity: 1, attributes: {} })).rejects.toThrow(/400/);
    await expect(proxy.addToxic({ name: "x", type: "latency", stream: "sideways" as never, toxicity: 1, attributes: {} })).rejects.toThrow(/400/);
    await expect(proxy.addToxic({ name: "x", type: "latency", stream: "upstream", toxicity: 1, attributes: { latency: "slow" } })).rejects.toThrow(/400/);
  });

  it("sends errors as upstream does, {error, status}", async () => {
    // The client reports only the status, so the body is read here with fetch.
    const response = await fetch(`${server.url}/proxies/nobody`);
    expect(response.status).toBe(404);
    expect(await response.json()).toEqual({ error: "proxy not found", status: 404 });
  });

  it("fills in a toxic's defaults: downstream, toxicity 1, name type_stream, every attribute", async () => {
    const proxy = await toxiproxy.createProxy({ name: "defaults", listen: "127.0.0.1:0", upstream: echo.address });
    const toxic = await proxy.addToxic({ type: "latency", attributes: { latency: 10 } } as never);
    expect(toxic.toJson()).toEqual({ name: "latency_downstream", type: "latency", stream: "downstream", toxicity: 1, attributes: { latency: 10, jitter: 0 } });
    const updated = await toxic.update({ ...toxic.toJson(), toxicity: 0.5, attributes: { jitter: 3 } } as never);
    expect(updated.toJson()).toEqual({
      name: "latency_downstream",
      type: "latency",
      stream: "downstream",
      toxicity: 0.5,
      attributes: { latency: 10, jitter: 3 },
    });
    const shown = (await fetch(`${server.url}/proxies/defaults`).then((r) => r.json())) as { toxics: unknown[] };
    expect(shown.toxics).toEqual([updated.toJson()]);
  });

  it("populates proxies, keeping those whose listen and upstream did not change", async () => {
    const made = await toxiproxy.populate([
      { name: "a", listen: "127.0.0.1:0", upstream: echo.address },
      { name: "b", listen: "127.0.0.1:0", upstream: echo.address, enabled: false },
    ]);
    expect(Object.keys(made).sort()).toEqual(["a", "b"]);
    expect(made.a?.enabled).toBe(true);
    expect(made.b?.enabled).toBe(false);
    const a = made.a!;
    await a.addToxic({ name: "kept", type: "latency", stream: "downstream", toxicity: 1, attributes: { latency: 1, jitter: 0 } });
    const client = await connect(a.listen);
    await client.roundTrip("hi");
    const again = await toxiproxy.populate([{ name: "a", listen: a.listen, upstream: echo.address }]);
    expect(again.a?.listen).toBe(a.listen);
    expect((await (await toxiproxy.get("a")).getToxic("kept")).name).toBe("kept");
    await client.roundTrip("still open");
    await expect(toxiproxy.populate([{ name: "c", upstream: echo.address } as never, { name: "", upstream: "x:1" } as never])).rejects.toThrow(/400/);
    await expect(toxiproxy.get("c")).rejects.toThrow(/404/);
  });

  it("a disabled proxy refuses connections and drops the ones it had; enabled again it listens on the same port", async () => {
    const proxy = await toxiproxy.createProxy({ name: "flaky", listen: "127.0.0.1:0", upstream: echo.address });
    const client = await connect(proxy.listen);
    await client.roundTrip("up");
    const disabled = await proxy.update({ enabled: false, listen: proxy.listen, upstream: proxy.upstream });
    expect(disabled.enabled).toBe(false);
    expect(disabled.listen).toBe(proxy.listen);
    expect(await client.until(() => client.closed, 2000)).toBe(true);
    expect(await TestClient.refusal(proxy.listen)).toBe("ECONNREFUSED");
    const enabled = await disabled.update({ enabled: true, listen: proxy.listen, upstream: proxy.upstream });
    expect(enabled.listen).toBe(proxy.listen);
    await (await connect(proxy.listen)).roundTrip("back");
  });

  it("changing the upstream restarts the proxy: its connections close and new ones reach the new upstream", async () => {
    const other: TestServer = await startTestServer((socket) => socket.end("other"));
    try {
      const proxy = await toxiproxy.createProxy({ name: "moving", listen: "127.0.0.1:0", upstream: echo.address });
      const client = await connect(proxy.listen);
      await client.roundTrip("old");
      const moved = await proxy.update({ enabled: true, listen: proxy.listen, upstream: other.address });
      expect(moved.upstream).toBe(other.address);
      expect(await client.until(() => client.closed, 2000)).toBe(true);
      const next = await connect(moved.listen);
      expect(await next.until(() => next.closed, 2000)).toBe(true);
      expect(next.bytes.toString()).toBe("other");
    } finally {
      await other.close();
    }
  });

  it("reset enables every proxy and removes every toxic", async () => {
    const proxy = await toxiproxy.createProxy({ name: "messy", listen: "127.0.0.1:0", upstream: echo.address });
    await proxy.addToxic({ name: "cut", type: "timeout", stream: "upstream", toxicity: 1, attributes: { timeout: 0 } });
    await proxy.update({ enabled: false, listen: proxy.listen, upstream: proxy.upstream });
    await toxiproxy.reset();
    const shown = (await fetch(`${server.url}/proxies/messy`).then((r) => r.json())) as { enabled: boolean; toxics: unknown[] };
    expect(shown).toMatchObject({ enabled: true, toxics: [] });
    await (await connect(proxy.listen)).roundTrip("clean");
  });

  it("closes a client whose upstream cannot be reached", async () => {
    const nothing = await startTestServer(() => {});
    const unreachable = nothing.address;
    await nothing.close();
    const proxy = await toxiproxy.createProxy({ name: "dead-end", listen: "127.0.0.1:0", upstream: unreachable });
    const client = await connect(proxy.listen);
    expect(await client.until(() => client.closed, 2000)).toBe(true);
    expect(client.bytes.length).toBe(0);
  });

  it("deletes a proxy: 404 afterwards and its port refuses", async () => {
    const proxy = await toxiproxy.createProxy({ name: "gone", listen: "127.0.0.1:0", upstream: echo.address });
    await proxy.remove();
    await expect(toxiproxy.get("gone")).rejects.toThrow(/404/);
    await expect(proxy.remove()).rejects.toThrow(/404/);
    expect(await TestClient.refusal(proxy.listen)).toBe("ECONNREFUSED");
  });
});

describe("the lab's Toxiproxy started with proxies (upstream's -config)", () => {
  it("creates them before it answers, and carries traffic through them", async () => {
    const proxies = JSON.stringify([{ name: "from-file", listen: "127.0.0.1:0", upstream: echo.address, enabled: true }]);
    const started = await startToxiproxyServer({ port: 0, seed: 1, proxies });
    try {
      const listed = await new Toxiproxy(started.url).getAll();
      expect(Object.keys(listed)).toEqual(["from-file"]);
      const client = await connect(listed["from-file"]!.listen);
      await client.roundTrip("forwarded");
      expect(client.bytes.toString()).toBe("forwarded");
    } finally {
      await started.close();
    }
  });

  it("refuses to start when one cannot be made", async () => {
    await expect(startToxiproxyServer({ port: 0, proxies: JSON.stringify([{ name: "no-upstream", listen: "127.0.0.1:0" }]) })).rejects.toThrow(/upstream/);
    await expect(startToxiproxyServer({ port: 0, proxies: "not json" })).rejects.toThrow(/proxies to create at start/);
  });
});
