import { readFileSync } from "node:fs";
import { performance } from "node:perf_hooks";
import { setTimeout as sleep } from "node:timers/promises";
import { type ZkClient, ZkError, connect } from "@zkts/client";
import { type EnsembleMember, type RunningEnsemble, type ServerKind, startMixedEnsemble } from "@zkts/testkit";
import { afterAll, describe, expect, it } from "vitest";
import { SUPER_DIGEST, SUPER_PASSWORD } from "./conformance/scenarios.js";
import { leaderOfKind } from "./mixed/leader-of-kind.js";

/**
 * Removing the leader of a mixed ensemble with a reconfig. The leader names a successor in
 * its COMMITANDACTIVATE (ZooKeeper's designated leader: a voter of the new configuration that
 * acknowledged the reconfig), and every member goes straight to it, without an election: a
 * ZooKeeper member logs "Suggested leader: N" and never turns LOOKING, a zkts member never
 * reports the LOOKING role. Both directions: a zkts leader whose successor is a ZooKeeper
 * member, and a ZooKeeper leader whose successor is a zkts member. The packet's data is the
 * successor's id; a ZooKeeper follower reads it unconditionally (a zkts leader that sent none
 * made it throw on every reconfig and drop out of the ensemble).
 */
const config = { reconfigEnabled: "true", "DigestAuthenticationProvider.superDigest": SUPER_DIGEST };

let ensemble: RunningEnsemble | undefined;
const clients: ZkClient[] = [];
afterAll(async () => {
  for (const c of clients) await c.close().catch(() => undefined);
  await ensemble?.cleanup();
});

async function client(members: readonly EnsembleMember[], superUser = false): Promise<ZkClient> {
  const c = await connect(members.map((m) => m.server.connectString).join(","), {
    sessionTimeoutMs: 10_000,
    ...(superUser ? { auth: [{ scheme: "digest", auth: `super:${SUPER_PASSWORD}` }] } : {}),
  });
  clients.push(c);
  return c;
}

function logSize(member: EnsembleMember): number {
  return readFileSync(member.server.logPath).length;
}

function logSince(member: EnsembleMember, offset: number): string {
  return readFileSync(member.server.logPath).subarray(offset).toString("utf8");
}

/**
 * Removes member `id`. The reply may be lost: a ZooKeeper member that turns to a new leader
 * drops its client connections, so a lost connection is followed by reading the configuration.
 */
async function removeMember(admin: ZkClient, id: number): Promise<void> {
  const gone = (text: string): boolean => !new RegExp(`^server\\.${id}=`, "m").test(text);
  try {
    expect(gone((await admin.reconfig({ leaving: String(id) })).data.toString())).toBe(true);
    return;
  } catch (err) {
    if (!(err instanceof ZkError) || err.codeName !== "CONNECTIONLOSS") throw err;
  }
  for (let attempt = 0; attempt < 100; attempt++) {
    try {
      await admin.sync("/zookeeper/config");
      if (gone((await admin.getConfig()).data.toString())) return;
    } catch (err) {
      if (!(err instanceof ZkError)) throw err;
    }
    await sleep(100);
  }
  throw new Error(`member ${id} is still in the configuration`);
}

/** The dynamic file a member's zoo.cfg names once configuration `version` (hex) is in force there, and its text. */
async function recordedConfiguration(member: EnsembleMember, version: string): Promise<string> {
  for (let attempt = 0; attempt < 100; attempt++) {
    const zooCfg = readFileSync(member.server.configPath, "utf8");
    const named = /^dynamicConfigFile=(.+)$/m.exec(zooCfg)?.[1];
    if (named?.endsWith(`.dynamic.${version}`)) {
      expect(zooCfg, `member ${member.id} (${member.server.kind}) zoo.cfg`).not.toMatch(/^server\./m);
      return readFileSync(named, "utf8");
    }
    await sleep(100);
  }
  throw new Error(`member ${member.id} (${member.server.kind}): zoo.cfg does not name the dynamic file of version ${version}`);
}

/** Creates through `c` until one is acknowledged; the time it took. */
async function firstWriteAfter(c: ZkClient, path: string, startedAt: number): Promise<number> {
  for (let attempt = 0; attempt < 300; attempt++) {
    try {
      await c.create(path, "after");
      return performance.now() - startedAt;
    } catch (err) {
      if (!(err instanceof ZkError)) throw err;
      await sleep(20);
    }
  }
  throw new Error(`no write acknowledged after the reconfig (${path})`);
}

describe.each([
  { leads: "zkts", kinds: ["reference", "reference", "zkts"] },
  { leads: "reference", kinds: ["zkts", "zkts", "reference"] },
] as const)("removing a $leads leader from a mixed ensemble", ({ leads, kinds }) => {
  it("hands over to the successor it designates, with no election, and writes go on", async () => {
    ensemble = await startMixedEnsemble(kinds as readonly ServerKind[], { config, startTimeoutMs: 60_000 });
    const leader = await leaderOfKind(ensemble, leads);
    const rest = ensemble.members.filter((m) => m !== leader);
    const admin = await client(rest, true);
    await admin.create("/handover", "");
    for (let i = 0; i < 20; i++) await admin.create(`/handover/before-${i}`, "x");

    const offsets = new Map(rest.map((m) => [m.id, logSize(m)]));
    const startedAt = performance.now();
    await removeMember(admin, leader.id);
    const writeMs = await firstWriteAfter(admin, "/handover/after", startedAt);
    const successor = await ensemble.waitForLeader(30_000);
    console.log(
      `${leads} leader ${leader.id} removed: member ${successor.id} (${successor.server.kind}) leads; first write acknowledged ${writeMs.toFixed(0)} ms after the reconfig was sent`,
    );
    expect(successor.id).not.toBe(leader.id);
    expect(rest.map((m) => m.id)).toContain(successor.id);

    for (const m of rest) {
      const log = logSince(m, offsets.get(m.id)!);
      if (m.server.kind === "reference") {
        expect(log, `member ${m.id} (ZooKeeper) log`).not.toMatch(/NullPointerException|BufferUnderflowException/);
        expect(log, `member ${m.id} (ZooKeeper) log`).toContain(`Suggested leader: ${successor.id}`);
        expect(log, `member ${m.id} (ZooKeeper) log`).not.toContain("PeerState set to LOOKING");
      } else {
        expect(log, `member ${m.id} (zkts) log`).not.toContain('"role":"LOOKING"');
      }
    }

    // Every remaining member takes writes and holds all of them.
    for (const m of rest) {
      const c = await client([m]);
      await c.create(`/handover/through-${m.id}`, "x");
    }
    for (const m of rest) {
      const c = await client([m]);
      await c.sync("/handover");
      const children = await c.getChildren("/handover");
      expect(children.length, `member ${m.id}`).toBe(20 + 1 + rest.length);
    }
    // Every member of either kind, the removed one too, records the configuration in force beside
    // its zoo.cfg as ZooKeeper does: zoo.cfg names zoo.cfg.dynamic.<version> and keeps no server lines.
    const version = /^version=([0-9a-f]+)$/m.exec((await admin.getConfig()).data.toString())![1]!;
    const dynamicTexts = await Promise.all(ensemble.members.map((m) => recordedConfiguration(m, version)));
    for (const [i, text] of dynamicTexts.entries()) expect(text, `member ${ensemble.members[i]!.id}'s dynamic file`).toBe(dynamicTexts[0]);
    expect(dynamicTexts[0]).not.toMatch(new RegExp(`^server\\.${leader.id}=`, "m"));

    // The removed server is not a leader any more; it stays up (ZooKeeper does not shut it down).
    expect(await ensemble.modeOf(leader)).not.toBe("leader");
    console.log(`removed member ${leader.id} (${leader.server.kind}) reports mode ${await ensemble.modeOf(leader)}`);
    await ensemble.cleanup();
    ensemble = undefined;
  }, 150_000);
});
