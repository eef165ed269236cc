import { existsSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { fourLetterWord, runKazoo, startServer, type RunningServer } from "../src/index.js";
import { zktsServerMain } from "../src/paths.js";

// The same harness path the integration suites use for zkts; needs apps/server built (the root
// `npm test` builds every package first).
let server: RunningServer;

beforeAll(async () => {
  const main = zktsServerMain();
  expect(existsSync(main), `${main} (build apps/server first)`).toBe(true);
  server = await startServer("zkts");
});

afterAll(async () => {
  await server?.cleanup();
});

describe("startZkts", () => {
  it("starts node apps/server/dist/main.js --config <zoo.cfg> and waits for srvr", async () => {
    expect(server.kind).toBe("zkts");
    expect(server.connectString).toBe(`127.0.0.1:${server.port}`);
    expect(await fourLetterWord(server.host, server.port, "srvr")).toMatch(/Zookeeper version:/);
  });

  it("serves a real client", async () => {
    const result = await runKazoo(`
from kazoo.client import KazooClient
zk = KazooClient(hosts="${server.connectString}", timeout=10)
zk.start(timeout=15)
zk.create("/testkit-zkts", b"hello")
print("DATA", zk.get("/testkit-zkts")[0].decode())
zk.stop()
`);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain("DATA hello");
  });

  it("stops and restarts on the same port", async () => {
    await server.stop();
    expect(server.pid).toBeNull();
    await expect(fourLetterWord(server.host, server.port, "srvr")).rejects.toThrow();
    await server.restart();
    expect(await fourLetterWord(server.host, server.port, "srvr")).toMatch(/Zookeeper version:/);
  });
});
