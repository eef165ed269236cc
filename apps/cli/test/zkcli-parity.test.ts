import { connect, type ZkClient } from "@zkts/client";
import { runZkCli, startServer, type RunningServer } from "@zkts/testkit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cli } from "./support/run-cli.js";
import { targets } from "./targets.js";

// zkCli.sh 3.8's commands that zkts-cli gained (quotas, printwatches, version, whoami,
// deleteall -b), run against the same server as zkCli.sh itself: what one writes the other
// reads back, and both print the same lines. Against the reference ZooKeeper and zkts.

/** zkCli.sh's lines for one command, without its log, banner and connection chatter. */
async function zkCliLines(connectString: string, command: string): Promise<string[]> {
  const run = await runZkCli(connectString, [command]);
  return run.stdout.split("\n").filter((l) => l !== "" && !/^(\d{4}-\d\d-\d\d|Connecting to|Welcome to|JLine|WATCHER::|WatchedEvent)/.test(l));
}

const lines = (text: string) => text.split("\n").filter((l) => l !== "");

describe.each(targets)("zkts-cli and zkCli.sh side by side against %s", (kind) => {
  let server: RunningServer;
  let at: string[];
  let client: ZkClient;

  beforeAll(async () => {
    server = await startServer(kind);
    at = ["-server", server.connectString];
    client = await connect(server.connectString);
    for (const path of ["/q", "/q/a", "/q/a/b", "/z", "/z/y"]) await client.create(path, "xy");
  });

  afterAll(async () => {
    await client?.close();
    await server?.cleanup();
  });

  it("sets, lists and deletes quotas as zkCli.sh does, each reading what the other wrote", async () => {
    expect(await cli([...at, "setquota", "-n", "5", "/q"])).toMatchObject({ code: 0, stdout: "" });
    const ours = await cli([...at, "listquota", "/q"]);
    expect(ours.code).toBe(0);
    // The server keeps the totals: /q, /q/a and /q/a/b, two bytes each.
    expect(lines(ours.stdout)).toEqual(["Output quota for /q count=5,bytes=-1=;byteHardLimit=-1;countHardLimit=-1", "Output stat for /q count=3,bytes=6"]);
    expect(await zkCliLines(server.connectString, "listquota /q")).toEqual(lines(ours.stdout));

    // A second limit keeps the first; zkCli sets one on another tree and we list it.
    expect((await cli([...at, "setquota", "-B", "100", "/q"])).code).toBe(0);
    await runZkCli(server.connectString, ["setquota -N 2 /z"]);
    for (const path of ["/q", "/z"]) {
      expect(lines((await cli([...at, "listquota", path])).stdout)).toEqual(await zkCliLines(server.connectString, `listquota ${path}`));
    }
    expect(lines((await cli([...at, "listquota", "/q"])).stdout)[0]).toBe("Output quota for /q count=5,bytes=-1=;byteHardLimit=100;countHardLimit=-1");

    // One limit removed, then the whole quota: the quota tree is left as zkCli leaves it.
    expect((await cli([...at, "delquota", "-n", "/q"])).code).toBe(0);
    expect(lines((await cli([...at, "listquota", "/q"])).stdout)[0]).toBe("Output quota for /q count=-1,bytes=-1=;byteHardLimit=100;countHardLimit=-1");
    expect((await cli([...at, "delquota", "/q"])).code).toBe(0);
    await runZkCli(server.connectString, ["delquota /z"]);
    expect(await client.getChildren("/zookeeper/quota")).toEqual([]);
  });

  it("refuses the quotas zkCli.sh refuses, with its sentences", async () => {
    await cli([...at, "setquota", "-n", "5", "/q"]);
    const cases: [string[], string][] = [
      [["setquota", "-n", "2", "/q/a"], "/q/a has a parent /q which has a quota"],
      [["setquota", "-n", "2", "/nope"], "/nope does not exist."],
    ];
    for (const [command, sentence] of cases) {
      const ours = await cli([...at, ...command]);
      expect(ours.code).toBe(1);
      expect(ours.stderr).toContain(sentence);
      expect((await runZkCli(server.connectString, [command.join(" ")])).stderr).toContain(sentence);
    }
    await cli([...at, "delquota", "/q"]);
    await cli([...at, "setquota", "-n", "2", "/q/a"]);
    const child = await cli([...at, "setquota", "-n", "2", "/q"]);
    expect(child.stderr).toContain("/q has a child /q/a which has a quota");
    expect(await cli([...at, "listquota", "/z"])).toMatchObject({ code: 1, stderr: expect.stringContaining("quota for /z does not exist.") });
    expect(await cli([...at, "delquota", "/z"])).toMatchObject({ code: 1, stderr: expect.stringContaining("Quota does not exist for /z") });
    expect((await cli([...at, "setquota", "/q"])).code).toBe(2);
    expect((await cli([...at, "setquota", "-n", "1", "-b", "2", "/q"])).code).toBe(2);
    expect((await cli([...at, "setquota", "-n", "many", "/q"])).code).toBe(2);
    await cli([...at, "delquota", "/q/a"]);
  });

  it("prints whoami and printwatches as zkCli.sh does", async () => {
    for (const command of ["whoami", "printwatches"]) {
      expect(lines((await cli([...at, command])).stdout)).toEqual(await zkCliLines(server.connectString, command));
    }
    const auth = ["--auth", "digest:dora:pw"];
    // The ids come in the server's order, which differs between the two servers.
    const [header, ...ids] = lines((await cli([...at, ...auth, "whoami"])).stdout);
    expect(header).toBe("Auth scheme: User");
    expect(ids.sort()).toEqual(["digest: dora", "ip: 127.0.0.1"]);
  });

  it("turns watch printing off in the shell with printwatches off", async () => {
    const session = await cli(at, "printwatches off\nprintwatches\nget -w /z\nset /z changed\nprintwatches on\nget -w /z\nset /z again\nquit\n");
    expect(session.code).toBe(0);
    expect(session.stdout).toContain("printwatches is off");
    expect(session.stdout.match(/WatchedEvent state:SyncConnected type:NodeDataChanged path:\/z/g)).toHaveLength(1);
  });

  it("deletes a subtree in batches with deleteall -b", async () => {
    for (let i = 0; i < 7; i++) await client.create(`/batch-${i % 2}-${i}`, null).catch(() => {});
    await client.mkdirp("/batch/a/b/c");
    for (let i = 0; i < 6; i++) await client.create(`/batch/a/n${i}`, null);
    expect((await cli([...at, "deleteall", "/batch", "-b", "3"])).code).toBe(0);
    expect(await client.exists("/batch")).toBeNull();
    expect((await cli([...at, "deleteall", "/z", "-b", "0"])).code).toBe(2);
  });

  it("writes --json that survives binary data and 64-bit fields", async () => {
    const binary = Buffer.from([0xff, 0xfe, 0x00, 0x80, 0x41]);
    await client.create("/bin", binary);
    await client.create("/text", "héllo");
    const bin = JSON.parse((await cli([...at, "--json", "get", "/bin"])).stdout);
    expect(bin.encoding).toBe("base64");
    expect(Buffer.from(bin.data, "base64").equals(binary)).toBe(true);
    const text = JSON.parse((await cli([...at, "--json", "get", "/text"])).stdout);
    expect(text).toMatchObject({ data: "héllo", encoding: "utf8" });
    const { stat } = await client.getData("/text");
    expect(text.stat).toEqual(JSON.parse(JSON.stringify(stat)));
    expect(text.stat.czxid).toBe(stat.czxid.toString());
    expect(text.stat.ctime).toBe(Number(stat.ctime));
    const session = await connect(server.connectString);
    try {
      const ephemeral = await session.create("/eph", null, { mode: "EPHEMERAL" });
      expect(ephemeral.path).toBe("/eph");
      const statJson = JSON.parse((await cli([...at, "--json", "stat", "/eph"])).stdout);
      expect(BigInt(statJson.ephemeralOwner)).toBe(session.sessionId);
    } finally {
      await session.close();
    }
    const quota = await cli([...at, "--json", "setquota", "-n", "3", "/text"]);
    expect(quota.code).toBe(0);
    expect(JSON.parse((await cli([...at, "--json", "listquota", "/text"])).stdout)).toEqual({
      path: "/text",
      limits: { count: 3, bytes: -1, byteHardLimit: -1, countHardLimit: -1 },
      stats: { count: 1, bytes: 6 },
    });
  });
});
