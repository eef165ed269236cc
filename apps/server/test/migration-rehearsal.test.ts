import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { fileURLToPath } from "node:url";
import { type EnsembleMember, type RunningEnsemble, type ServerKind, debian, runKazoo, startReferenceEnsemble } from "@zkts/testkit";
import { afterAll, describe, expect, it } from "vitest";
import { dumpTree } from "./durability/tree-dump.js";
import { runProgram } from "./matrix/run-program.js";

/**
 * The migration docs/migration.md describes, rehearsed: a 3-member Apache ZooKeeper 3.8
 * ensemble under a steady load from the Java client and kazoo (sequential creates, a children
 * watch), whose members are replaced by zkts one at a time on the same data directory and
 * address, each waited for until it has synced, and then back to ZooKeeper the same way.
 * Throughout, every acknowledged create is there at the end, no session expires, the watch
 * sees the final children, and the longest stall each client saw in each step is printed.
 */
const here = dirname(fileURLToPath(import.meta.url));
const jars = ["zookeeper.jar", "zookeeper-jute.jar", "slf4j-api.jar", "slf4j-nop.jar"].map((jar) => join(debian.javaDir, jar));

let ensemble: RunningEnsemble | undefined;
let work: string | undefined;
afterAll(async () => {
  if (work !== undefined) writeFileSync(join(work, "stop"), "");
  await ensemble?.cleanup();
  if (work !== undefined) rmSync(work, { recursive: true, force: true });
});

async function javaLoad(connectString: string, dir: string): Promise<{ stdout: string; stderr: string }> {
  const classes = join(dir, "classes");
  mkdirSync(classes, { recursive: true });
  const sources = readdirSync(join(here, "migration", "java")).map((f) => join(here, "migration", "java", f));
  const compiled = await runProgram("javac", ["-nowarn", "-d", classes, "-cp", jars.join(":"), ...sources]);
  if (compiled.code !== 0) throw new Error(`javac failed: ${compiled.stderr}`);
  return await runProgram(
    debian.java,
    ["-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-cp", [classes, ...jars].join(":"), "MigrationLoad", connectString, dir],
    {
      timeoutMs: 600_000,
    },
  );
}

function kazooLoad(connectString: string, dir: string) {
  return runKazoo(
    `
import os, time, threading
from kazoo.client import KazooClient
states = []
zk = KazooClient(hosts="${connectString}", timeout=10)
zk.add_listener(lambda state: states.append(state))
zk.start(timeout=60)
session = zk.client_id[0]
zk.ensure_path("/migration/kazoo")
zk.ensure_path("/migration/java")
seen = {"children": 0, "calls": 0}
@zk.ChildrenWatch("/migration/java")
def watch(children):
    seen["children"] = len(children)
    seen["calls"] += 1
acked = 0
losses = 0
with open(os.path.join("${dir}", "kazoo-acks.txt"), "w") as acks:
    while not os.path.exists(os.path.join("${dir}", "stop")):
        try:
            created = zk.create("/migration/kazoo/w-", b"", sequence=True)
            acks.write("%d %s\\n" % (int(time.time() * 1000), created))
            acks.flush()
            acked += 1
        except Exception as e:
            losses += 1
            time.sleep(0.05)
        time.sleep(0.02)
final_java = len(zk.get_children("/migration/java"))
for _ in range(100):
    if seen["children"] == final_java:
        break
    time.sleep(0.1)
print("kazoo acked", acked, "failed", losses, "same session", zk.client_id[0] == session, "lost", "LOST" in states, flush=True)
print("watch saw", seen["children"], "of", final_java, "in", seen["calls"], "calls", flush=True)
zk.stop()
print("done", flush=True)
`,
    { timeoutMs: 600_000 },
  );
}

interface Ack {
  at: number;
  path: string;
}

function acksOf(file: string): Ack[] {
  if (!existsSync(file)) return [];
  return readFileSync(file, "utf8")
    .split("\n")
    .filter((l) => l.includes(" "))
    .map((l) => ({ at: Number(l.split(" ")[0]), path: l.split(" ")[1]! }));
}

/** The longest time without an acknowledged write between `from` and `to` (ms since the epoch). */
function longestStall(acks: Ack[], from: number, to: number): number {
  const times = [from, ...acks.map((a) => a.at).filter((t) => t > from && t < to), to];
  let longest = 0;
  for (let i = 1; i < times.length; i++) longest = Math.max(longest, times[i]! - times[i - 1]!);
  return longest;
}

describe("rolling migration of a running ZooKeeper 3.8 ensemble", () => {
  it("replaces every member with zkts one at a time under load, then goes back, losing nothing", async () => {
    ensemble = await startReferenceEnsemble({ startTimeoutMs: 60_000 });
    const e = ensemble;
    await e.waitForLeader(60_000);
    work = mkdtempSync(join(tmpdir(), "zkts-migration-"));
    const java = javaLoad(e.connectString, work);
    const kazoo = kazooLoad(e.connectString, work);
    for (let i = 0; i < 600 && (acksOf(join(work, "java-acks.txt")).length < 20 || acksOf(join(work, "kazoo-acks.txt")).length < 20); i++) await sleep(100);

    const steps: { label: string; from: number; to: number }[] = [];
    const replaceAll = async (kind: ServerKind) => {
      for (const id of [1, 2, 3]) {
        const member = e.members.find((m) => m.id === id) as EnsembleMember;
        const mode = await e.modeOf(member);
        const from = Date.now();
        await e.replace(member, kind);
        await e.waitForLeader(60_000);
        // A second of load on the new member's ensemble belongs to the step too.
        await sleep(1000);
        steps.push({ label: `server ${id} (${mode}) -> ${kind}`, from, to: Date.now() });
      }
    };
    await replaceAll("zkts");
    expect(e.members.map((m) => m.server.kind)).toEqual(["zkts", "zkts", "zkts"]);
    await replaceAll("reference");
    expect(e.members.map((m) => m.server.kind)).toEqual(["reference", "reference", "reference"]);

    writeFileSync(join(work, "stop"), "");
    const [javaOut, kazooOut] = await Promise.all([java, kazoo]);
    console.log(javaOut.stdout.trim());
    console.log(kazooOut.stdout.trim());
    expect(javaOut.stdout, javaOut.stderr.slice(-3000)).toContain("done");
    expect(kazooOut.stdout, kazooOut.stderr.slice(-3000)).toContain("done");
    expect(javaOut.stdout).toMatch(/same session true/);
    expect(javaOut.stdout).not.toContain("Expired");
    expect(kazooOut.stdout).toContain("same session True lost False");
    const watched = /watch saw (\d+) of (\d+)/.exec(kazooOut.stdout);
    expect(watched?.[1]).toBe(watched?.[2]);

    // Every acknowledged create is in the final tree.
    const javaAcks = acksOf(join(work, "java-acks.txt"));
    const kazooAcks = acksOf(join(work, "kazoo-acks.txt"));
    const tree = new Set((await dumpTree(e.members[0]!.server.port)).map((n) => n.path));
    const missing = [...javaAcks, ...kazooAcks].filter((a) => !tree.has(a.path));
    expect(missing).toEqual([]);
    for (const s of steps) {
      console.log(
        `${s.label}: ${Math.round((s.to - s.from) / 100) / 10} s, longest stall java ${longestStall(javaAcks, s.from, s.to)} ms, kazoo ${longestStall(kazooAcks, s.from, s.to)} ms`,
      );
    }
    console.log(`acknowledged creates: java ${javaAcks.length}, kazoo ${kazooAcks.length}, all present`);
  }, 600_000);
});
