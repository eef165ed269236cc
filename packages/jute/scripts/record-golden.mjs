#!/usr/bin/env node
// Records golden frames: real ZooKeeper traffic between real clients (kazoo, zkCli.sh and the
// Java client) and the reference Apache ZooKeeper 3.8, captured by a proxy on 127.0.0.1, and
// writes it to packages/jute/test/golden/*.json for the codec's golden test.
//
//   npm run build && node packages/jute/scripts/record-golden.mjs [name...]
//
// With names (kazoo, zkcli, climt, java, nulls), only those files are recorded again.
//
// Needs what lab/provision/ensure.sh installs. Session ids, zxids and times differ on every
// run, so re-recording changes the files even when nothing else changed.
import { execFile } from "node:child_process";
import { mkdtemp, readFile, rm, writeFile, mkdir } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { setTimeout as sleep } from "node:timers/promises";
import { promisify } from "node:util";
import { fourLetterWord, runCliMt, runKazoo, runZkCli, startReferenceZooKeeper } from "@zkts/testkit";
import { driveNullFields } from "./golden/null-fields-driver.mjs";
import { startRecordingProxy } from "./golden/recording-proxy.mjs";

const here = dirname(fileURLToPath(import.meta.url));
const goldenDir = join(here, "../test/golden");
const run = promisify(execFile);

/**
 * zkCli.sh commands, one session. "stat /golden-drop-connection" makes the proxy cut the
 * connection. The Java client fails whatever is queued while it cleans up the lost connection,
 * and zkCli sends its next command as soon as the previous one fails, so a throwaway command
 * ("ls /zookeeper") follows each drop; the commands after it go out on the new connection.
 */
const zkCliCommands = [
  "create /golden-zkcli zk",
  "create -e /golden-zkcli/eph e",
  "create -s /golden-zkcli/seq- s",
  "create -s -e /golden-zkcli/eseq- es",
  "create -c /golden-zkcli/container c",
  "create -t 60000 /golden-zkcli/ttl t",
  "create -s -t 60000 /golden-zkcli/ttlseq- ts",
  "get -s -w /golden-zkcli/eph",
  "ls -w /golden-zkcli",
  "stat -w /golden-zkcli/later",
  "ls -s /golden-zkcli",
  // Reconnect with data, child and exist watches: SetWatches.
  "stat /golden-drop-connection",
  "ls /zookeeper",
  "set /golden-zkcli/eph e2",
  "create /golden-zkcli/later l",
  "getEphemerals /golden-zkcli",
  "getAllChildrenNumber /golden-zkcli",
  "addWatch -m PERSISTENT /golden-zkcli/container",
  // zkCli 3.8.0 says recursive is the default but sends PERSISTENT (mode 0); ask explicitly.
  "addWatch -m PERSISTENT_RECURSIVE /golden-zkcli/later",
  "get -w /golden-zkcli/eph",
  // Reconnect with persistent watches too: SetWatches2.
  "stat /golden-drop-connection",
  "ls /zookeeper",
  "create /golden-zkcli/container/child x",
  "set /golden-zkcli/later l2",
  "removewatches /golden-zkcli/eph -d",
  "addauth digest golden:secret",
  "whoami",
  "setAcl /golden-zkcli/ttl auth::cdrwa",
  "getAcl /golden-zkcli/ttl",
  "setAcl -v 0 /golden-zkcli/eph world:anyone:cdrw",
  "sync /golden-zkcli",
  "config",
  "reconfig -remove 7",
  "get /golden-zkcli/missing",
  "delete -v 99 /golden-zkcli/later",
  "deleteall /golden-zkcli",
  "quit",
];

/** cli_mt (the C client) commands, one session. */
const cliMtCommands = [
  "create /golden-c",
  "create +e /golden-c/e",
  "create +s /golden-c/s-",
  "create2 +c /golden-c/c",
  "create2 +t=60000 /golden-c/t",
  "set /golden-c c-data",
  "get /golden-c",
  "ls /golden-c",
  "ls2 /golden-c",
  "exists /golden-c",
  "wexists /golden-c/nothere",
  "sync /golden-c",
  "delete /golden-c/t",
  "get /golden-c/missing",
];

const only = new Set(process.argv.slice(2));

async function main() {
  try {
    await run("javac", ["-version"]);
  } catch {
    throw new Error("javac is needed to drive the Java client: apt-get install openjdk-17-jdk-headless");
  }
  const zk = await startReferenceZooKeeper({ tickTime: 500, config: { extendedTypesEnabled: "true" } });
  try {
    const version = (await fourLetterWord(zk.host, zk.port, "srvr")).split("\n")[0].trim();
    console.log(`reference: ${version} on ${zk.connectString}`);
    await mkdir(goldenDir, { recursive: true });

    await record(
      "kazoo",
      version,
      zk.port,
      "kazoo 2.8 (python3-kazoo): create in all kazoo modes, create2, watches and notifications, ACLs with digest auth, multi success and failure, sync, errors, ping, closeSession",
      async (proxyPort) => {
        const source = await readFile(join(here, "golden/kazoo_driver.py"), "utf8");
        return runKazoo(source, { env: { PROXY_PORT: String(proxyPort) }, timeoutMs: 60_000 });
      },
    );

    await record(
      "zkcli",
      version,
      zk.port,
      "zkCli.sh 3.8 (Java client): container, TTL, persistent and recursive watches, getEphemerals, getAllChildrenNumber, whoAmI, removeWatches, reconnects with SetWatches and SetWatches2, auth ACL, reconfig refused, multi via deleteall",
      async (proxyPort) => {
        return runZkCli(`127.0.0.1:${proxyPort}`, zkCliCommands, { timeoutMs: 90_000 });
      },
    );

    await record(
      "climt",
      version,
      zk.port,
      "cli_mt 3.8 (the C client, libzookeeper-mt): create in each mode, create2, setData, getData, getChildren, getChildren2, exists with and without watch, sync, delete, an error reply",
      async (proxyPort) => {
        const result = await runCliMt(`127.0.0.1:${proxyPort}`, cliMtCommands, { timeoutMs: 30_000 });
        // cli_mt exits 0 even when a command fails; the golden test checks the replies instead.
        return result;
      },
    );

    await record("java", version, zk.port, "Java client 3.8: multiRead, with and without a missing node", async (proxyPort) => {
      const classes = await mkdtemp(join(tmpdir(), "golden-java-"));
      try {
        await run("javac", ["-cp", "/usr/share/java/zookeeper.jar", "-d", classes, join(here, "golden/GoldenJavaDriver.java")], { timeout: 60_000 });
        const cp = [classes, "/usr/share/java/zookeeper.jar", "/usr/share/java/slf4j-nop.jar"].join(":");
        const { stdout, stderr } = await run("java", ["-XX:TieredStopAtLevel=1", "-cp", cp, "GoldenJavaDriver", `127.0.0.1:${proxyPort}`], { timeout: 60_000 });
        return { code: 0, stdout, stderr };
      } finally {
        await rm(classes, { recursive: true, force: true });
      }
    });

    await record(
      "nulls",
      version,
      zk.port,
      'ZooKeeper 3.8\'s answers to requests with a null (length -1) string, buffer or vector: hand-made frames with one null field each (paths in every request, ACL ids, ACL lists, data, watch lists, multi ops, auth scheme and credentials, the connect password), then kazoo\'s CREATOR_ALL_ACL, whose Id("auth", "") kazoo sends with a null id',
      async (proxyPort) => {
        const output = await driveNullFields(proxyPort);
        const source = await readFile(join(here, "golden/kazoo_creator_acl.py"), "utf8");
        const kazoo = await runKazoo(source, { env: { PROXY_PORT: String(proxyPort) }, timeoutMs: 60_000 });
        return { code: kazoo.code, output: `${output}\n${kazoo.output ?? kazoo.stdout + kazoo.stderr}` };
      },
    );
  } finally {
    await zk.cleanup();
  }
}

async function record(name, version, upstreamPort, description, drive) {
  if (only.size > 0 && !only.has(name)) return;
  const proxy = await startRecordingProxy(upstreamPort);
  let result;
  try {
    result = await drive(proxy.port);
    // Wait (bounded) for the last connection to be closed by the server after closeSession.
    for (let i = 0; i < 50 && proxy.connections.some((c) => !closedOrDropped(c)); i++) await sleep(100);
  } finally {
    await proxy.close();
  }
  console.log(`--- ${name} driver output\n${(result.output ?? result.stdout + result.stderr).trim()}`);
  if (result.code !== 0) throw new Error(`${name} driver failed with code ${result.code}`);
  const golden = {
    description,
    recordedWith: version,
    format:
      "connections[].frames[]: dir c2s (client to server) or s2c; kind connect/connectResponse for the handshake, else xid, opcode (for s2c resolved from the request with the same xid; 0 for notifications), err (s2c); hex is the frame payload without its length prefix",
    connections: proxy.connections.map((c) => ({ dropped: c.dropped === true, frames: c.frames })),
  };
  const path = join(goldenDir, `${name}.json`);
  await writeFile(path, JSON.stringify(golden, null, 1) + "\n");
  const frames = golden.connections.reduce((n, c) => n + c.frames.length, 0);
  const ops = new Set(golden.connections.flatMap((c) => c.frames.map((f) => f.op ?? f.kind)));
  console.log(`wrote ${path}: ${golden.connections.length} connections, ${frames} frames, ops: ${[...ops].join(", ")}`);
}

function closedOrDropped(conn) {
  return conn.dropped || conn.frames.some((f) => f.dir === "c2s" && f.op === "closeSession");
}

main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
