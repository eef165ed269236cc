import { readdirSync } from "node:fs";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { type ZkClient, connect } from "@zkts/client";
import { type EnsembleMember, type RunningEnsemble, fourLetterWord, freePort, startReferenceEnsemble, startZktsEnsemble } from "@zkts/testkit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

/**
 * What operators see of an ensemble member: four-letter words, mntr's quorum figures, the
 * AdminServer and autopurge. The output's shape (key names, Mode lines, conf keys, dump
 * sections, AdminServer fields) is compared with a real ZooKeeper 3.8 ensemble run the same
 * way; the values that matter (learners, synced followers after one dies, proposal sizes,
 * whitelisting, purged files) are checked on zkts alone.
 */

const VOTERS = 3;
const OBSERVER_ID = 4;
/** The observer runs with a narrow whitelist, to show members honour it as the standalone does. */
const OBSERVER_WHITELIST = "srvr,mntr,ruok";
const SNAP_RETAIN_COUNT = 3;
const WRITES = 150;

interface Running {
  ensemble: RunningEnsemble;
  adminPorts: Map<number, number>;
}

async function startWithAdmin(start: typeof startZktsEnsemble, extra: Record<string, string> = {}): Promise<Running> {
  const adminPorts = new Map<number, number>();
  for (let id = 1; id <= VOTERS + 1; id++) adminPorts.set(id, await freePort());
  const ensemble = await start({
    voters: VOTERS,
    observers: 1,
    config: { "admin.enableServer": "true", "admin.serverAddress": "127.0.0.1", ...extra },
    memberConfig: (id) => ({
      "admin.serverPort": String(adminPorts.get(id)),
      ...(id === OBSERVER_ID ? { "4lw.commands.whitelist": OBSERVER_WHITELIST } : {}),
    }),
  });
  return { ensemble, adminPorts };
}

function word(member: EnsembleMember, w: string): Promise<string> {
  return fourLetterWord(member.server.host, member.server.port, w);
}

async function admin(run: Running, member: EnsembleMember, command: string): Promise<Record<string, unknown>> {
  const response = await fetch(`http://127.0.0.1:${run.adminPorts.get(member.id)}/commands/${command}`);
  expect(response.status).toBe(200);
  return (await response.json()) as Record<string, unknown>;
}

function mntr(text: string): Map<string, string> {
  return new Map(
    text
      .trim()
      .split("\n")
      .map((line) => line.split("\t") as [string, string]),
  );
}

/** "Label:" of every srvr line, and the Mode line whole: what tools parse. */
function srvrShape(text: string): string[] {
  return text
    .trim()
    .split("\n")
    .map((line) => (line.startsWith("Mode:") ? line : line.split(":")[0]!));
}

/** The keys of conf's key=value lines, with each server.N line reduced to its role. */
function confShape(text: string): string[] {
  return text
    .trim()
    .split("\n")
    .map((line) => (line.startsWith("server.") ? `server.N ${line.split(":")[3]?.split(";")[0]}` : line.split("=")[0]!));
}

/**
 * The dump's section headers, counts left out, up to ZooKeeper's NIO connection expiry
 * section, which zkts does not have (it keeps no such queue).
 */
function dumpShape(text: string): string[] {
  return text
    .split("Connections dump:")[0]!
    .split("\n")
    .filter((line) => !line.startsWith("\t") && !line.startsWith("0x") && !/^\d+ expire at /.test(line) && line !== "")
    .map((line) => line.replace(/\(\d+\)/g, "(n)"));
}

interface Observed {
  srvr: Map<string, string[]>;
  mntrKeys: Map<string, Set<string>>;
  conf: Map<string, string[]>;
  dump: Map<string, string[]>;
  adminKeys: Map<string, Set<string>>;
}

const ADMIN_COMMANDS = [
  "leader",
  "voting_view",
  "configuration",
  "server_stats",
  "stats",
  "connections",
  "dump",
  "is_read_only",
  "ruok",
  "monitor",
  "zabstate",
  "dirs",
];

/** Role name → what each report looks like on a member in that role. */
async function observe(run: Running): Promise<Observed> {
  const leader = await run.ensemble.waitForLeader();
  const seen: Observed = { srvr: new Map(), mntrKeys: new Map(), conf: new Map(), dump: new Map(), adminKeys: new Map() };
  for (const member of run.ensemble.members) {
    const role = member === leader ? "leader" : member.role === "observer" ? "observer" : "follower";
    if (seen.srvr.has(role)) continue;
    seen.srvr.set(role, srvrShape(await word(member, "srvr")));
    seen.mntrKeys.set(role, new Set(mntr(await word(member, "mntr")).keys()));
    if (role !== "observer") {
      seen.conf.set(role, confShape(await word(member, "conf")));
      seen.dump.set(role, dumpShape(await word(member, "dump")));
    }
    for (const command of ADMIN_COMMANDS) {
      const body = await admin(run, member, command);
      seen.adminKeys.set(`${role} ${command}`, new Set(Object.keys(body)));
    }
  }
  return seen;
}

let zkts: Running;
let client: ZkClient;

beforeAll(async () => {
  zkts = await startWithAdmin(startZktsEnsemble, {
    snapCount: "10",
    "autopurge.purgeInterval": "1",
    "autopurge.snapRetainCount": String(SNAP_RETAIN_COUNT),
  });
}, 90_000);

afterAll(async () => {
  await client?.close().catch(() => undefined);
  await zkts?.ensemble.cleanup();
});

describe("ensemble members answer in ZooKeeper 3.8's shape", () => {
  let reference: Observed;
  let ours: Observed;

  beforeAll(async () => {
    const ref = await startWithAdmin(startReferenceEnsemble);
    try {
      reference = await observe(ref);
    } finally {
      await ref.ensemble.cleanup();
    }
    ours = await observe(zkts);
  }, 120_000);

  it("srvr has the same lines and Mode on the leader, a follower and an observer", () => {
    expect(ours.srvr).toEqual(reference.srvr);
    expect(ours.srvr.get("leader")).toContain("Proposal sizes last/min/max");
  });

  it("mntr uses only 3.8's key names, including every quorum figure", () => {
    for (const [role, keys] of ours.mntrKeys) {
      const invented = [...keys].filter((k) => !reference.mntrKeys.get(role)!.has(k));
      expect({ role, invented }).toEqual({ role, invented: [] });
    }
    const leaderOnly = [
      "zk_learners",
      "zk_synced_followers",
      "zk_synced_non_voting_followers",
      "zk_synced_observers",
      "zk_pending_syncs",
      "zk_leader_uptime",
      "zk_last_proposal_size",
      "zk_max_proposal_size",
      "zk_min_proposal_size",
    ];
    const everywhere = ["zk_server_state", "zk_peer_state", "zk_quorum_size", "zk_znode_count", "zk_global_sessions"];
    for (const key of [...leaderOnly, ...everywhere]) expect(ours.mntrKeys.get("leader")).toContain(key);
    for (const key of leaderOnly) {
      expect(reference.mntrKeys.get("follower")).not.toContain(key);
      expect(ours.mntrKeys.get("follower")).not.toContain(key);
    }
    expect(ours.mntrKeys.get("observer")).toContain("zk_observer_master_id");
  });

  it("conf lists the same keys and membership, and dump the same sections", () => {
    expect(ours.conf).toEqual(reference.conf);
    expect(ours.dump).toEqual(reference.dump);
  });

  it("the AdminServer's commands carry 3.8's fields", () => {
    for (const [command, keys] of ours.adminKeys) {
      const invented = [...keys].filter((k) => !reference.adminKeys.get(command)!.has(k));
      expect({ command, invented }).toEqual({ command, invented: [] });
    }
    // Where zkts knows everything ZooKeeper reports, the field sets are the same.
    for (const command of ["leader leader", "follower leader", "leader voting_view", "leader configuration", "leader dump", "follower is_read_only"]) {
      expect({ command, keys: [...ours.adminKeys.get(command)!].sort() }).toEqual({ command, keys: [...reference.adminKeys.get(command)!].sort() });
    }
  });
});

describe("a zkts ensemble's operator figures", () => {
  let leader: EnsembleMember;
  let followers: EnsembleMember[];
  let observer: EnsembleMember;

  beforeAll(async () => {
    leader = await zkts.ensemble.waitForLeader();
    followers = zkts.ensemble.members.filter((m) => m !== leader && m.role === "participant");
    observer = zkts.ensemble.members.find((m) => m.role === "observer")!;
    client = await connect(followers[0]!.server.connectString, { sessionTimeoutMs: 6000, connectTimeoutMs: 2000 });
  });

  it("the leader counts its learners and the bytes of the proposals it made", async () => {
    const before = mntr(await word(leader, "mntr"));
    expect(before.get("zk_server_state")).toBe("leader");
    expect(before.get("zk_peer_state")).toBe("leading - broadcast");
    expect(before.get("zk_learners")).toBe("3");
    expect(before.get("zk_synced_followers")).toBe("2");
    expect(before.get("zk_synced_observers")).toBe("1");
    expect(before.get("zk_synced_non_voting_followers")).toBe("0");
    expect(before.get("zk_quorum_size")).toBe(String(VOTERS));
    const proposedBefore = Number(before.get("zk_proposal_count"));

    // Sizes grow with the data, so the last write is the largest proposal.
    for (let i = 0; i < WRITES; i++) await client.create(`/w${String(i).padStart(3, "0")}`, "x".repeat(i * 4));
    const after = mntr(await word(leader, "mntr"));
    const last = Number(after.get("zk_last_proposal_size"));
    const min = Number(after.get("zk_min_proposal_size"));
    const max = Number(after.get("zk_max_proposal_size"));
    expect(min).toBeGreaterThan(0);
    expect(max).toBeGreaterThanOrEqual(last);
    expect(last).toBeGreaterThanOrEqual(min);
    expect(last).toBeGreaterThan((WRITES - 1) * 4);
    expect(Number(after.get("zk_proposal_count")) - proposedBefore).toBeGreaterThanOrEqual(WRITES);
    expect(await word(leader, "srvr")).toContain(`Proposal sizes last/min/max: ${last}/${min}/${max}\n`);

    const follower = mntr(await word(followers[0]!, "mntr"));
    expect(follower.get("zk_server_state")).toBe("follower");
    expect(follower.get("zk_peer_state")).toBe("following - broadcast");
    const watching = mntr(await word(observer, "mntr"));
    expect(watching.get("zk_server_state")).toBe("observer");
    expect(watching.get("zk_observer_master_id")).toBe(String(leader.id));
  });

  it("conf, dump, cons and the watch words describe this member and its sessions", async () => {
    await client.create("/ops-ephemeral", "", { mode: "EPHEMERAL" });
    await client.getData("/w000", () => undefined);
    const sid = `0x${client.sessionId.toString(16)}`;
    const follower = followers[0]!;

    const conf = await word(follower, "conf");
    expect(conf).toContain(`serverId=${follower.id}\n`);
    expect(conf).toMatch(/\ninitLimit=10\nsyncLimit=5\nelectionAlg=3\n/);
    expect(conf).toContain("peerType=0\nmembership: \n");
    expect(conf.match(/^server\.\d+=.*:participant;127\.0\.0\.1:\d+$/gm)).toHaveLength(VOTERS);
    expect(conf).toMatch(new RegExp(`^server\\.${OBSERVER_ID}=.*:observer;`, "m"));

    // The leader expires sessions and lists them by expiry time; a learner lists what it knows.
    const leaderDump = await word(leader, "dump");
    expect(leaderDump).toMatch(/^Session Sets \(\d+\)\/\(\d+\):$/m);
    expect(leaderDump).toContain(`\t${sid}\n`);
    expect(leaderDump).toContain(`${sid}:\n\t/ops-ephemeral\n`);
    // 6000 ms asked for, 4000 granted: maxSessionTimeout is 20 ticks of 200 ms.
    expect(await word(follower, "dump")).toMatch(new RegExp(`^Global Sessions\\(\\d+\\):\n(.*\n)*${sid}\t4000ms\n`, "m"));

    expect(await word(follower, "cons")).toContain(`,sid=${sid},`);
    expect(await word(follower, "wchc")).toBe(`${sid}\n\t/w000\n\n`);
    expect(await word(follower, "wchp")).toBe(`/w000\n\t${sid}\n\n`);
    expect(await word(follower, "wchs")).toBe("1 connections watching 1 paths\nTotal watches:1\n");
    expect(await word(follower, "isro")).toBe("rw");
    expect(await word(follower, "envi")).toMatch(/^Environment:\nzookeeper\.version=3\.8/);
    expect(await word(follower, "dirs")).toMatch(/^datadir_size: [1-9]\d*\nlogdir_size: [1-9]\d*\n$/);
  });

  it("honours 4lw.commands.whitelist as the standalone server does", async () => {
    expect(await word(observer, "conf")).toBe("conf is not executed because it is not in the whitelist.\n");
    expect(await word(observer, "dump")).toBe("dump is not executed because it is not in the whitelist.\n");
    expect(await word(observer, "ruok")).toBe("imok");
  });

  it("the AdminServer answers member commands as JSON", async () => {
    const onLeader = await admin(zkts, leader, "leader");
    expect(onLeader).toMatchObject({ command: "leader", error: null, is_leader: true, leader_id: leader.id, leader_ip: "127.0.0.1" });
    expect(await admin(zkts, followers[0]!, "lead")).toMatchObject({ command: "leader", is_leader: false, leader_id: leader.id });

    const view = (await admin(zkts, observer, "voting_view")).current_config as Record<string, Record<string, unknown>>;
    expect(Object.keys(view).sort()).toEqual(["1", "2", "3"]);
    expect(view[String(leader.id)]).toMatchObject({ learner_type: "participant", client_address: leader.server.connectString });

    const monitor = await admin(zkts, leader, "monitor");
    expect(monitor).toMatchObject({ command: "monitor", error: null, server_state: "leader", synced_followers: 2, learners: 3 });
    expect(monitor.max_proposal_size as number).toBeGreaterThan(0);
    const stats = await admin(zkts, leader, "srvr");
    expect(stats).toMatchObject({ command: "server_stats", read_only: false, server_stats: { server_state: "leader" } });
    expect(stats.proposal_stats).toEqual({
      last_buffer_size: monitor.last_proposal_size,
      min_buffer_size: monitor.min_proposal_size,
      max_buffer_size: monitor.max_proposal_size,
    });
    expect(await admin(zkts, followers[0]!, "conf")).toMatchObject({ command: "configuration", server_id: followers[0]!.id, tick_time: 200 });
    expect(await admin(zkts, followers[0]!, "ruok")).toEqual({ command: "ruok", error: null });
    expect(await admin(zkts, followers[0]!, "isro")).toEqual({ command: "is_read_only", error: null, read_only: false });
    const cons = (await admin(zkts, followers[0]!, "cons")).connections as Record<string, unknown>[];
    // Session ids are written as exact 64-bit numbers, so compare the JSON text.
    const consText = await (await fetch(`http://127.0.0.1:${zkts.adminPorts.get(followers[0]!.id)}/commands/cons`)).text();
    expect(consText).toContain(`"session_id": ${BigInt.asIntN(64, client.sessionId)}`);
    expect(cons).toHaveLength(1);
    const dump = (await admin(zkts, leader, "dump")).session_id_to_ephemeral_paths as Record<string, string[]>;
    expect(dump[BigInt.asIntN(64, client.sessionId).toString()]).toEqual(["/ops-ephemeral"]);
    expect((await admin(zkts, leader, "environment"))["zookeeper.version"]).toMatch(/^3\.8/);
    expect(await admin(zkts, leader, "nosuch")).toEqual({ command: "nosuch", error: "Unknown command: nosuch" });
  });

  it("autopurge keeps snapRetainCount snapshots and the logs they need on a restarted member", async () => {
    const member = followers[1]!;
    const dir = join(member.server.dataDir, "version-2");
    const snapshots = () =>
      readdirSync(dir)
        .filter((f) => /^snapshot\.[0-9a-f]+$/.test(f))
        .sort(byZxid);
    const logs = () =>
      readdirSync(dir)
        .filter((f) => /^log\.[0-9a-f]+$/.test(f))
        .sort(byZxid);
    // snapCount=10: the writes above left many snapshots, and nothing purged them since start.
    const before = snapshots();
    const logsBefore = logs();
    expect(before.length).toBeGreaterThan(SNAP_RETAIN_COUNT + 2);

    // ZooKeeper purges when it starts, then every purgeInterval hours.
    await member.server.restart();
    await zkts.ensemble.waitForLeader();
    await until(() => snapshots().length === SNAP_RETAIN_COUNT, "the restarted member to purge old snapshots");
    expect(snapshots()).toEqual(before.slice(-SNAP_RETAIN_COUNT));
    const oldestKept = zxidOf(snapshots()[0]!);
    const logsAfter = logs();
    expect(logsAfter.length).toBeLessThan(logsBefore.length);
    // The one log that may hold txns right after the oldest kept snapshot starts at or before it.
    expect(logsAfter.filter((l) => zxidOf(l) <= oldestKept).length).toBeLessThanOrEqual(1);

    // And the member still has every write.
    const reader = await connect(member.server.connectString, { sessionTimeoutMs: 6000, connectTimeoutMs: 2000 });
    try {
      await reader.sync("/");
      expect((await reader.getChildren("/")).filter((c) => c.startsWith("w"))).toHaveLength(WRITES);
    } finally {
      await reader.close();
    }
  });

  it("the leader stops counting a follower that dies", async () => {
    const victim = followers.find((f) => f !== followers[0])!;
    await victim.server.kill();
    await until(async () => mntr(await word(leader, "mntr")).get("zk_synced_followers") === "1", "the leader to drop the dead follower");
    const figures = mntr(await word(leader, "mntr"));
    expect(figures.get("zk_learners")).toBe("2");
    expect(figures.get("zk_synced_observers")).toBe("1");
  });
});

function zxidOf(name: string): bigint {
  return BigInt(`0x${name.split(".")[1]}`);
}

function byZxid(a: string, b: string): number {
  const x = zxidOf(a);
  const y = zxidOf(b);
  return x < y ? -1 : x > y ? 1 : 0;
}

async function until(condition: () => boolean | Promise<boolean>, what: string, timeoutMs = 20_000): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!(await condition())) {
    if (performance.now() > deadline) throw new Error(`gave up waiting for ${what}`);
    await sleep(100);
  }
}
