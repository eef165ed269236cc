import { execFile } from "node:child_process";
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import { referenceClasspath, repoRoot, runKazoo, startReferenceZooKeeper, startZkts, type RunningServer } from "@zkts/testkit";

const run = promisify(execFile);
const MAIN = join(repoRoot, "apps/server/dist/main.js");

export interface CommandResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs the built zkts-server with `args`; never throws for a non-zero status. */
export async function zktsServer(args: string[]): Promise<CommandResult> {
  try {
    const { stdout, stderr } = await run(process.execPath, [MAIN, ...args], { maxBuffer: 256 * 1024 * 1024 });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

/** Runs one of ZooKeeper 3.8's own tools (SnapshotFormatter, TxnLogToolkit) on a file; stdout only. */
export async function javaTool(mainClass: string, args: string[]): Promise<string> {
  const { stdout } = await run("java", ["-cp", referenceClasspath(), mainClass, ...args], { maxBuffer: 256 * 1024 * 1024 });
  return stdout;
}

/**
 * Writes the same history to a server with a small snapCount, so its data directory ends up
 * with several logs and snapshots: creates (with text, binary and no data), an ephemeral held
 * while snapshots are taken, setData, a sequential node, delete, setACL, a multi, a container
 * then a clean close.
 */
export async function writeHistory(kind: "reference" | "zkts"): Promise<RunningServer> {
  const options = { config: { snapCount: "4" } };
  const server = kind === "reference" ? await startReferenceZooKeeper(options) : await startZkts(options);
  const kazoo = await runKazoo(`
from kazoo.client import KazooClient
from kazoo.security import make_digest_acl
zk = KazooClient(hosts="${server.connectString}")
zk.start()
zk.create("/a", b"hello")
zk.create("/a/eph", b"x", ephemeral=True)
zk.set("/a", b"world, with a comma}")
seq = zk.create("/seq-", b"", sequence=True)
zk.delete(seq)
zk.set_acls("/a", [make_digest_acl("u", "p", all=True)])
zk.create("/bin", bytes([0, 1, 127, 128, 255]))
zk.create("/empty")
t = zk.transaction()
t.create("/m1", b"one")
t.set_data("/empty", b"two")
t.check("/bin", 0)
t.delete("/m1")
t.commit()
for i in range(8):
    zk.create("/n%d" % i, ("v%d" % i).encode())
zk.stop()
`);
  if (kazoo.code !== 0) throw new Error(`kazoo failed: ${kazoo.stderr}`);
  // Both servers write snapshots in the background: let the last one finish before stopping,
  // or it is left half written (which recovery skips, and verify rightly reports).
  await new Promise((resolve) => setTimeout(resolve, 1500));
  await server.stop();
  return server;
}

/** The logs or snapshots of a data directory in zxid order. */
export function versionFiles(dataDir: string, prefix: "log." | "snapshot."): string[] {
  const dir = join(dataDir, "version-2");
  return readdirSync(dir)
    .filter((name) => name.startsWith(prefix))
    .sort((a, b) => Number(BigInt(`0x${a.split(".")[1]}`) - BigInt(`0x${b.split(".")[1]}`)))
    .map((name) => join(dir, name));
}

/**
 * SnapshotFormatter's text split into its parts: the header line, each znode's block (Java lists
 * children in hash-set order, zkts in file order, so blocks are compared sorted), the session
 * lines (a hash map's order in Java) and the rest.
 */
export function snapshotTextParts(text: string): { header: string; nodes: string[]; sessions: string[]; tail: string[] } {
  const [head, ...rest] = text.split("----\n");
  const sessionsAt = rest.findIndex((part) => part.startsWith("Session Details"));
  const nodes = rest.slice(0, sessionsAt).sort();
  const sessions = rest[sessionsAt]!.split("\n")
    .slice(1)
    .filter((l) => l !== "")
    .sort();
  return { header: head!, nodes, sessions, tail: rest.slice(sessionsAt + 1) };
}
