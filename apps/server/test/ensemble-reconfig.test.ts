import { createHash } from "node:crypto";
import { setTimeout as sleep } from "node:timers/promises";
import { type ZkClient, ZkError, connect } from "@zkts/client";
import { type EnsembleMember, type RunningEnsemble, fourLetterWord, runKazoo, startZktsEnsemble } from "@zkts/testkit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { reconfigRetrying } from "./reconfig/reconfig-retrying.js";

/**
 * Dynamic reconfiguration of a real zkts ensemble while clients write: a server started
 * outside the configuration is added as a voter, the leader is removed, an observer is
 * added. Reconfig is ZooKeeper's: reconfigEnabled, only the super user, the new
 * configuration in /zookeeper/config with version = the reconfig's zxid. Throughout, a
 * client keeps creating znodes; at the end every member of the final configuration holds
 * every create that was acknowledged.
 */
const SUPER_PASSWORD = "super:reconfig-secret";
const superDigest = `super:${createHash("sha1").update(SUPER_PASSWORD).digest("base64")}`;

let ensemble: RunningEnsemble;
let admin: ZkClient;
const acknowledged: string[] = [];
/** The writer's failures since its last acknowledged create, to say why writes stalled. */
let failuresSinceAck: string[] = [];
let writing = true;
let writer: Promise<void>;

beforeAll(async () => {
  ensemble = await startZktsEnsemble({
    voters: 3,
    config: { reconfigEnabled: "true", "DigestAuthenticationProvider.superDigest": superDigest },
  });
  await ensemble.waitForLeader();
  admin = await connect(ensemble.connectString, { sessionTimeoutMs: 10_000, auth: [{ scheme: "digest", auth: SUPER_PASSWORD }] });
  await admin.create("/w", "");
  writer = writeUntilStopped();
}, 90_000);

afterAll(async () => {
  writing = false;
  await writer;
  await admin?.close();
  await ensemble?.cleanup();
});

/** A client that creates sequential znodes through whichever member it reaches, until told to stop. */
async function writeUntilStopped(): Promise<void> {
  const hosts = ensemble.members.map((m) => m.server.connectString).join(",");
  const zk = await connect(hosts, { sessionTimeoutMs: 10_000, connectTimeoutMs: 2_000 });
  try {
    while (writing) {
      try {
        acknowledged.push((await zk.create("/w/n-", "x", { mode: "PERSISTENT_SEQUENTIAL" })).path);
        failuresSinceAck = [];
      } catch (err) {
        if (!(err instanceof ZkError)) throw err;
        failuresSinceAck.push(`${new Date().toISOString()} ${err.codeName} (session state ${zk.state})`);
        await sleep(50);
      }
    }
  } finally {
    await zk.close();
  }
}

async function configOn(member: EnsembleMember): Promise<string> {
  const zk = await connect(member.server.connectString, { sessionTimeoutMs: 10_000 });
  try {
    await zk.sync("/zookeeper/config");
    return (await zk.getConfig()).data.toString();
  } finally {
    await zk.close();
  }
}

async function waitForMode(member: EnsembleMember, mode: string): Promise<void> {
  for (let i = 0; i < 150; i++) {
    if ((await ensemble.modeOf(member)) === mode) return;
    await sleep(100);
  }
  throw new Error(`member ${member.id} did not become ${mode} (now ${await ensemble.modeOf(member)})`);
}

/** Waits for `count` more acknowledged creates; if they do not come, says what the writer saw. */
async function moreAcknowledged(count: number): Promise<void> {
  const target = acknowledged.length + count;
  const deadline = Date.now() + 45_000;
  while (acknowledged.length < target) {
    if (Date.now() > deadline) {
      const modes = await Promise.all(ensemble.members.map(async (m) => `${m.id}:${m.server.pid === null ? "down" : await ensemble.modeOf(m)}`));
      throw new Error(
        `writes stalled at ${acknowledged.length} (members ${modes.join(" ")}); the writer's failures since: ${failuresSinceAck.slice(0, 5).join("; ")} ... ${failuresSinceAck.slice(-5).join("; ")} (${failuresSinceAck.length} in all)`,
      );
    }
    await sleep(50);
  }
}

function serverIds(config: string): number[] {
  return [...config.matchAll(/^server\.(\d+)=/gm)].map((m) => Number(m[1])).sort((a, b) => a - b);
}

describe("reconfiguring a zkts ensemble while clients write", () => {
  it("only the super user may reconfig; /zookeeper/config shows the configuration", async () => {
    const config = await configOn(ensemble.members[0]!);
    expect(serverIds(config)).toEqual([1, 2, 3]);
    // ZooKeeper's first leader gives the configuration its epoch's first zxid (reconfigEnabled).
    expect(config).toMatch(/\nversion=100000000$/);
    const kazoo = await runKazoo(`
from kazoo.client import KazooClient
from kazoo.exceptions import NoAuthError
zk = KazooClient(hosts="${ensemble.connectString}")
zk.start()
try:
    zk.reconfig(joining=None, leaving="1", new_members=None)
    print("accepted")
except NoAuthError:
    print("no auth")
zk.stop()
`);
    expect(kazoo.stdout.trim()).toBe("no auth");
  });

  it("adds a server started outside the configuration; every member then holds the new configuration", async () => {
    const joiner = await ensemble.join(4, "participant");
    const config = await reconfigRetrying(admin, { joining: joiner.serverLine });
    expect(serverIds(config)).toEqual([1, 2, 3, 4]);
    expect(config).toContain(joiner.serverLine);
    const version = /version=([0-9a-f]+)$/.exec(config)?.[1];
    expect(version).not.toBe("0");
    for (const m of ensemble.members) expect(await configOn(m)).toBe(config);
    await waitForMode(joiner, "follower");
    await moreAcknowledged(20);
  }, 60_000);

  it("removes the leader: it hands over to the successor it designates and writes go on", async () => {
    const leader = await ensemble.waitForLeader();
    const config = await reconfigRetrying(admin, { leaving: String(leader.id) });
    expect(serverIds(config)).not.toContain(leader.id);
    const newLeader = await ensemble.waitForLeader();
    expect(newLeader.id).not.toBe(leader.id);
    await moreAcknowledged(20);
    // The removed server still follows, outside the configuration, without a vote (ZooKeeper's
    // "non-voting follower": srvr says follower).
    expect(await ensemble.modeOf(leader)).toBe("follower");
  }, 60_000);

  it("adds an observer; it serves every write", async () => {
    const observer = await ensemble.join(5, "observer");
    const config = await reconfigRetrying(admin, { joining: observer.serverLine });
    expect(config).toContain(":observer;");
    await waitForMode(observer, "observer");
    // conf reports the configuration in force, as ZooKeeper's does.
    const conf = await fourLetterWord(observer.server.host, observer.server.port, "conf");
    expect(conf).toContain(observer.serverLine);
    expect(conf).toContain(`version=${/version=([0-9a-f]+)$/.exec(config)?.[1]}`);
    await moreAcknowledged(20);
  }, 60_000);

  it("the added server votes: with one of the original voters left in the configuration killed, writes still commit", async () => {
    const config = await configOn(await ensemble.waitForLeader());
    const originals = serverIds(config).filter((id) => id <= 3);
    const victim = ensemble.members.find((m) => m.id === originals[0])!;
    await victim.server.kill();
    // Voters are now the other original and server 4: a quorum only if 4's ACKs count.
    await moreAcknowledged(20);
  }, 60_000);

  it("every member of the final configuration holds every acknowledged write", async () => {
    writing = false;
    await writer;
    const config = await configOn(await ensemble.waitForLeader());
    const ids = serverIds(config);
    console.log(`reconfig: ${acknowledged.length} creates acknowledged; final configuration ${ids.join(",")}`);
    for (const m of ensemble.members.filter((x) => ids.includes(x.id) && x.server.pid !== null)) {
      const zk = await connect(m.server.connectString, { sessionTimeoutMs: 10_000 });
      try {
        await zk.sync("/w");
        const children = new Set(await zk.getChildren("/w"));
        const missing = acknowledged.filter((p) => !children.has(p.substring(3)));
        expect({ member: m.id, missing }).toEqual({ member: m.id, missing: [] });
      } finally {
        await zk.close();
      }
    }
  }, 60_000);
});
