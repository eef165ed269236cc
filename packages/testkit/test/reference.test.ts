import { existsSync, readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { launch } from "../src/server.js";
import { referenceLauncher } from "../src/reference.js";
import { fourLetterWord, freePort, runCliMt, runKazoo, runZkCli, startReferenceZooKeeper, startServer, type RunningServer } from "../src/index.js";

// One reference server for the whole file: JVM start-up dominates the cost on a small machine.
let zk: RunningServer;

beforeAll(async () => {
  zk = await startReferenceZooKeeper({ config: { extendedTypesEnabled: "true" } });
});

afterAll(async () => {
  await zk?.cleanup();
});

describe("startReferenceZooKeeper", () => {
  it("answers srvr on loopback with the generated zoo.cfg", async () => {
    expect(zk.kind).toBe("reference");
    expect(zk.host).toBe("127.0.0.1");
    expect(zk.connectString).toBe(`127.0.0.1:${zk.port}`);
    const srvr = await fourLetterWord(zk.host, zk.port, "srvr");
    expect(srvr).toMatch(/Zookeeper version: 3\.8\./);
    expect(srvr).toMatch(/Mode: standalone/);
    const cfg = readFileSync(zk.configPath, "utf8");
    expect(cfg).toContain(`clientPort=${zk.port}\n`);
    expect(cfg).toContain("clientPortAddress=127.0.0.1\n");
    expect(cfg).toContain("4lw.commands.whitelist=*\n");
    expect(cfg).toContain("admin.enableServer=false\n");
    expect(cfg).toContain("extendedTypesEnabled=true\n");
  });

  it("honours the whitelist: conf reports our dataDir", async () => {
    const conf = await fourLetterWord(zk.host, zk.port, "conf");
    expect(conf).toContain(`dataDir=${zk.dataDir}`);
  });
});

describe("clients", () => {
  it("kazoo creates and reads a znode", async () => {
    const result = await runKazoo(`
from kazoo.client import KazooClient
zk = KazooClient(hosts="${zk.connectString}", timeout=10)
zk.start(timeout=15)
zk.create("/kazoo-node", b"from-kazoo")
data, stat = zk.get("/kazoo-node")
print("DATA", data.decode(), stat.version)
zk.stop()
`);
    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
    expect(result.stdout).toContain("DATA from-kazoo 0");
  });

  it("zkCli runs one command from arguments and reports failure in the exit code", async () => {
    const created = await runZkCli(zk.connectString, ["create /zkcli-node one"]);
    expect(created.code).toBe(0);
    expect(created.output).toContain("Created /zkcli-node");
    expect(created.output).not.toContain("SLF4J");
    const missing = await runZkCli(zk.connectString, ["get /no-such-node"]);
    expect(missing.code).toBe(1);
    expect(missing.output).toContain("Node does not exist: /no-such-node");
  });

  it("zkCli runs several commands in one session on stdin", async () => {
    const result = await runZkCli(zk.connectString, ['create /zkcli-multi "two words"', "get /zkcli-multi", "create -t 60000 /zkcli-ttl x", "ls /"]);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain("two words");
    // TTL nodes need extendedTypesEnabled; proves the zoo.cfg key reaches the server.
    expect(result.output).toContain("Created /zkcli-ttl");
    expect(result.stdout).toMatch(/\[.*zkcli-multi.*\]/);
  });

  it("cli_mt creates and reads a znode", async () => {
    const result = await runCliMt(zk.connectString, ["create /climt-node", "get /climt-node"]);
    expect(result.code).toBe(0);
    expect(result.output).toMatch(/\[\/climt-node\]: rc = 0/);
    expect(result.output).toMatch(/\/climt-node: rc = 0/);
    expect(result.output).not.toContain("/zookeeper");
  });

  it("cli_mt runs commands in one session, including ones batch mode never finishes", async () => {
    const result = await runCliMt(zk.connectString, [
      "create +e /climt-ephemeral",
      "exists /climt-ephemeral",
      "wexists /climt-absent",
      "addauth digest u:p",
      "get /climt-ephemeral",
      "get /climt-absent",
    ]);
    expect(result.code).toBe(0);
    // The ephemeral node is still there for the later get: same session.
    expect(result.output).toMatch(/\/climt-ephemeral: rc = 0/);
    expect(result.output).toContain("Error -101 for /climt-absent");
    expect(result.output).toMatch(/\/climt-absent: rc = -101/);
    expect((result.output ?? "").match(/Got a new session id/g)).toHaveLength(1);
  });

  it("reads back what another client wrote", async () => {
    const result = await runKazoo(`
from kazoo.client import KazooClient
zk = KazooClient(hosts="${zk.connectString}", timeout=10)
zk.start(timeout=15)
print("ZKCLI", zk.get("/zkcli-node")[0].decode())
print("CHILDREN", sorted(zk.get_children("/")))
zk.stop()
`);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain("ZKCLI one");
    expect(result.stdout).toMatch(/CHILDREN .*'climt-node'/);
  });
});

describe("lifecycle", () => {
  it("restart keeps port and data; kill and stop end the process; cleanup removes the dataDir", async () => {
    const server = await startServer("reference", { tickTime: 500 });
    try {
      expect(readFileSync(server.configPath, "utf8")).toContain("tickTime=500\n");
      const made = await runZkCli(server.connectString, ["create /survives x"]);
      expect(made.code).toBe(0);
      await server.kill();
      expect(server.pid).toBeNull();
      await expect(fourLetterWord(server.host, server.port, "srvr")).rejects.toThrow();
      await server.restart();
      expect(server.pid).not.toBeNull();
      const read = await runZkCli(server.connectString, ["get /survives"]);
      expect(read.code).toBe(0);
      expect(read.stdout).toContain("x");
      await server.stop();
      await expect(fourLetterWord(server.host, server.port, "srvr")).rejects.toThrow();
    } finally {
      await server.cleanup();
    }
    expect(existsSync(server.dataDir)).toBe(false);
  });

  it("refuses a port that is already in use instead of trusting another server's srvr", async () => {
    await expect(startReferenceZooKeeper({ port: zk.port })).rejects.toThrow(/already in use/);
  });

  it("retries on a fresh port when the port it picked is taken", async () => {
    const picks = [zk.port, await freePort()];
    const server = await launch(referenceLauncher, {}, async () => picks.shift()!);
    try {
      expect(picks).toEqual([]);
      expect(server.port).not.toBe(zk.port);
      expect(await fourLetterWord(server.host, server.port, "srvr")).toMatch(/Mode: standalone/);
    } finally {
      await server.cleanup();
    }
  });

  it("fails with the log tail when the server exits during start-up", async () => {
    await expect(startReferenceZooKeeper({ config: { syncLimit: "not-a-number" }, startTimeoutMs: 30_000 })).rejects.toThrow(
      /exited with code \d+ before answering srvr[\s\S]*log tail[\s\S]*not-a-number/,
    );
  });
});

describe("system-property-only keys", () => {
  it("passes jute.maxbuffer to the JVM: a 1.5 MiB znode fits only when it is raised", async () => {
    const big = await startReferenceZooKeeper({ config: { "jute.maxbuffer": String(4 * 1024 * 1024) } });
    try {
      const createBig = (connectString: string) =>
        runKazoo(`
from kazoo.client import KazooClient
zk = KazooClient(hosts="${connectString}", timeout=10, connection_retry=None, command_retry=None)
zk.start(timeout=15)
try:
    zk.create("/big", b"x" * (1536 * 1024))
    print("SIZE", zk.exists("/big").dataLength)
except Exception as e:
    print("FAILED", type(e).__name__)
zk.stop()
`);
      const raised = await createBig(big.connectString);
      expect(raised.stdout).toContain(`SIZE ${1536 * 1024}`);
      // The shared server runs with the default 1 MiB limit and drops the connection instead.
      const unraised = await createBig(zk.connectString);
      expect(unraised.stdout).toContain("FAILED");
    } finally {
      await big.cleanup();
    }
  });
});
