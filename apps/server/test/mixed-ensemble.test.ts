import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { type EnsembleMember, type RunningEnsemble, type ServerKind, fourLetterWord, runKazoo, startMixedEnsemble } from "@zkts/testkit";
import { afterAll, describe, expect, it } from "vitest";
import { SUPER_DIGEST, SUPER_PASSWORD } from "./conformance/scenarios.js";
import { type DumpedNode, dumpTree } from "./durability/tree-dump.js";

/**
 * Ensembles of Apache ZooKeeper 3.8 and zkts members speaking one quorum protocol: a zkts
 * follower under a ZooKeeper leader and a ZooKeeper follower under a zkts leader. On each:
 * client sessions held through the follower of the other kind stay alive on the leader's
 * session table (PING reports), a session moving between followers keeps writing
 * (REVALIDATE), a restarted follower catches up by DIFF and one that lost its data by SNAP
 * (the snapshot streamed after the packet), and after the leader is stopped the two
 * remaining members of different kinds elect a leader between them. Every member ends with
 * the same tree.
 */
const config = { "DigestAuthenticationProvider.superDigest": SUPER_DIGEST };
const SESSION_TIMEOUT_S = 4;

let ensemble: RunningEnsemble | undefined;
afterAll(async () => {
  await ensemble?.cleanup();
});

function userNodes(dump: DumpedNode[]): DumpedNode[] {
  return dump.filter((n) => n.path !== "/zookeeper" && !n.path.startsWith("/zookeeper/"));
}

/** Every running member's tree, once they agree (followers apply a commit a moment after the leader). */
async function agreedTree(e: RunningEnsemble): Promise<DumpedNode[]> {
  await e.waitForLeader(60_000);
  let dumps: DumpedNode[][] = [];
  for (let attempt = 0; attempt < 50; attempt++) {
    dumps = await Promise.all(
      e.members.filter((m) => m.server.pid !== null).map(async (m) => userNodes(await dumpTree(m.server.port, `super:${SUPER_PASSWORD}`))),
    );
    if (dumps.every((d) => JSON.stringify(d) === JSON.stringify(dumps[0]))) return dumps[0]!;
    await sleep(200);
  }
  for (const d of dumps.slice(1)) expect(d).toEqual(dumps[0]);
  return dumps[0]!;
}

async function kazoo(script: string): Promise<string> {
  const result = await runKazoo(script, { timeoutMs: 120_000 });
  expect(result.stdout, result.stderr.slice(-3000)).toContain("done");
  return result.stdout;
}

async function writeMany(hosts: string, prefix: string, count: number): Promise<void> {
  await kazoo(`
from kazoo.client import KazooClient
zk = KazooClient(hosts="${hosts}", timeout=10)
zk.start(timeout=30)
zk.ensure_path("/mixed/bulk")
for i in range(${count}):
    zk.create_async("/mixed/bulk/${prefix}-", b"x", sequence=True)
zk.sync("/")
zk.create("/mixed/bulk/${prefix}-last", b"x", sequence=True)
zk.stop()
print("done", flush=True)
`);
}

function syncModes(member: EnsembleMember): string[] {
  const log = readFileSync(member.server.logPath, "utf8");
  if (member.server.kind === "zkts") return [...log.matchAll(/synchronizing with leader \d+ by (\w+)/g)].map((m) => m[1]!);
  return [...log.matchAll(/Getting a (diff|snapshot) from (?:the )?leader/g)].map((m) => (m[1] === "diff" ? "DIFF" : "SNAP"));
}

describe.each([
  { leads: "reference", kinds: ["zkts", "reference", "reference"] },
  { leads: "zkts", kinds: ["reference", "zkts", "zkts"] },
] as const)("a mixed ensemble with a $leads leader", ({ leads, kinds }) => {
  it("keeps sessions, moves them, catches members up by DIFF and SNAP, and re-elects across kinds", async () => {
    ensemble = await startMixedEnsemble(kinds as readonly ServerKind[], { config, startTimeoutMs: 60_000 });
    const e = ensemble;
    // Member 1 is of the other kind and has the lowest id, so it never wins the first election.
    const leader = await e.waitForLeader(60_000);
    expect(leader.server.kind).toBe(leads);
    const other = e.members[0]!;
    const same = e.members.find((m) => m !== leader && m !== other)!;
    console.log(`leader ${leader.id} (${leader.server.kind}), follower ${other.id} (${other.server.kind}), follower ${same.id} (${same.server.kind})`);
    // The operators' figures agree across kinds: the leader counts both followers as synced,
    // every member the same znodes.
    const mntr = async (m: EnsembleMember, key: string) =>
      new RegExp(`^${key}\\s+(\\S+)$`, "m").exec(await fourLetterWord("127.0.0.1", m.server.port, "mntr", 3000))?.[1];
    expect(await mntr(leader, "zk_synced_followers")).toBe("2");
    expect(await mntr(leader, "zk_learners")).toBe("2");
    expect(new Set(await Promise.all(e.members.map((m) => mntr(m, "zk_znode_count")))).size).toBe(1);

    // Sessions through `other`, idle but for the client's pings, outlive 3 session timeouts;
    // a session on `same` moves to `other` when `same` stops and goes on writing.
    const signals = mkdtempSync(join(tmpdir(), "zkts-mixed-"));
    const sessions = runKazoo(
      `
import os, time
from kazoo.client import KazooClient
def wait_for(name):
    while not os.path.exists(os.path.join("${signals}", name)):
        time.sleep(0.05)
idle = KazooClient(hosts="${other.server.connectString}", timeout=${SESSION_TIMEOUT_S})
idle.start(timeout=30)
idle.ensure_path("/mixed")
idle.create("/mixed/idle", b"x", ephemeral=True)
mover = KazooClient(hosts="${same.server.connectString},${other.server.connectString}", timeout=${SESSION_TIMEOUT_S}, randomize_hosts=False)
mover.start(timeout=30)
mover.create("/mixed/mover", b"before", ephemeral=True)
moving_session = mover.client_id[0]
time.sleep(${SESSION_TIMEOUT_S * 3})
print("idle session alive:", idle.state, idle.exists("/mixed/idle") is not None, flush=True)
open(os.path.join("${signals}", "stop-same"), "w").close()
wait_for("same-stopped")
mover.set("/mixed/mover", b"after")
mover.create("/mixed/created-after-move", b"x")
print("moved session:", mover.client_id[0] == moving_session, mover.get("/mixed/mover")[0].decode(), flush=True)
mover.stop()
idle.stop()
print("done", flush=True)
`,
      { timeoutMs: 120_000 },
    );
    for (let i = 0; i < 600 && !existsSync(join(signals, "stop-same")); i++) await sleep(100);
    await same.server.stop();
    writeFileSync(join(signals, "same-stopped"), "");
    const moved = await sessions;
    rmSync(signals, { recursive: true, force: true });
    expect(moved.stdout, moved.stderr.slice(-3000)).toContain("done");
    expect(moved.stdout).toContain("idle session alive: CONNECTED True");
    expect(moved.stdout).toContain("moved session: True after");

    // The stopped follower catches up by DIFF.
    await writeMany(`${leader.server.connectString},${other.server.connectString}`, "while-same-down", 50);
    await same.server.restart();
    const afterDiff = await agreedTree(e);
    expect(afterDiff.filter((n) => n.path.startsWith("/mixed/bulk/while-same-down-"))).toHaveLength(51);
    expect(syncModes(same).at(-1)).toBe("DIFF");

    // A follower of the other kind that lost its data directory gets a SNAP, once the leader
    // keeps fewer txns in memory (500) than it missed.
    await other.server.stop();
    await rm(join(other.server.dataDir, "version-2"), { recursive: true, force: true });
    await writeMany(`${leader.server.connectString},${same.server.connectString}`, "while-other-wiped", 600);
    await other.server.restart();
    const afterSnap = await agreedTree(e);
    expect(afterSnap.filter((n) => n.path.startsWith("/mixed/bulk/while-other-wiped-"))).toHaveLength(601);
    console.log(`sync modes of ${other.id}: ${syncModes(other).join(" ")}`);
    expect(syncModes(other).at(-1)).toBe("SNAP");

    // The leader stops: a member of each kind remains, and they elect one of themselves.
    const stoppedAt = performance.now();
    await leader.server.stop();
    const next = await e.waitForLeader(60_000);
    console.log(`re-elected ${next.id} (${next.server.kind}) across kinds in ${Math.round(performance.now() - stoppedAt)} ms`);
    await writeMany(`${other.server.connectString},${same.server.connectString}`, "after-election", 20);
    await leader.server.restart();
    const final = await agreedTree(e);
    expect(final.filter((n) => n.path.startsWith("/mixed/bulk/after-election-"))).toHaveLength(21);
    expect(final.find((n) => n.path === "/mixed/created-after-move")).toBeDefined();
    await e.cleanup();
    ensemble = undefined;
  }, 400_000);
});

describe.each([
  { leads: "reference", kinds: ["reference", "reference", "reference", "zkts"] },
  { leads: "zkts", kinds: ["zkts", "zkts", "zkts", "reference"] },
] as const)("an observer of the other kind, under a $leads leader", ({ leads, kinds }) => {
  it("syncs, takes the commits as INFORMs, forwards its clients' writes, and catches up after a restart", async () => {
    ensemble = await startMixedEnsemble(kinds as readonly ServerKind[], { config, observers: 1, startTimeoutMs: 60_000 });
    const e = ensemble;
    const leader = await e.waitForLeader(60_000);
    expect(leader.server.kind).toBe(leads);
    const observer = e.members[3]!;
    expect(observer.server.kind).not.toBe(leads);
    expect(await e.modeOf(observer)).toBe("observer");
    await writeMany(observer.server.connectString, "through-observer", 30);
    await writeMany(leader.server.connectString, "through-leader", 30);
    const tree = await agreedTree(e);
    expect(tree.filter((n) => n.path.startsWith("/mixed/bulk/through-"))).toHaveLength(62);
    await observer.server.stop();
    await writeMany(leader.server.connectString, "while-observer-down", 30);
    await observer.server.restart();
    const after = await agreedTree(e);
    expect(after.filter((n) => n.path.startsWith("/mixed/bulk/while-observer-down-"))).toHaveLength(31);
    expect(await e.modeOf(observer)).toBe("observer");
    await e.cleanup();
    ensemble = undefined;
  }, 300_000);
});

describe("a reconfigEnabled ZooKeeper ensemble, whose zoo.cfg names a dynamic configuration file", () => {
  it("has a member replaced by zkts, which reads the file's servers and version, and back", async () => {
    ensemble = await startMixedEnsemble(["reference", "reference", "reference"], { config: { ...config, reconfigEnabled: "true" }, startTimeoutMs: 60_000 });
    const e = ensemble;
    await e.waitForLeader(60_000);
    await writeMany(e.connectString, "before", 20);
    const first = e.members[0]!;
    // ZooKeeper rewrote zoo.cfg when its first leader took office: no server lines left in it.
    expect(readFileSync(first.server.configPath, "utf8")).toMatch(/^dynamicConfigFile=.*zoo\.cfg\.dynamic\.100000000$/m);
    expect(readFileSync(first.server.configPath, "utf8")).not.toMatch(/^server\./m);
    const zkts = await e.replace(first, "zkts");
    await e.waitForLeader(60_000);
    expect(await e.modeOf(zkts)).toBe("follower");
    await writeMany(zkts.server.connectString, "through-zkts", 20);
    const configTail = async (port: number) => {
      const data = (await dumpTree(port, `super:${SUPER_PASSWORD}`)).find((n) => n.path === "/zookeeper/config")?.data ?? "";
      return Buffer.from(data, "base64").toString("utf8").split("\n").at(-1);
    };
    expect(await configTail(zkts.server.port)).toBe("version=100000000");
    expect(await configTail(e.members[1]!.server.port)).toBe("version=100000000");
    const tree = await agreedTree(e);
    expect(tree.filter((n) => n.path.startsWith("/mixed/bulk/"))).toHaveLength(42);
    await e.replace(zkts, "reference");
    const back = await agreedTree(e);
    expect(back.filter((n) => n.path.startsWith("/mixed/bulk/"))).toHaveLength(42);
    await e.cleanup();
    ensemble = undefined;
  }, 300_000);
});
