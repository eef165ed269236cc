import { setTimeout as sleep } from "node:timers/promises";
import { type ZkClient, ZkError, connect } from "@zkts/client";
import { type EnsembleMember, type RunningEnsemble, startReferenceEnsemble, startZktsEnsemble } from "@zkts/testkit";
import { afterAll, describe, expect, it } from "vitest";
import { SUPER_DIGEST, SUPER_PASSWORD } from "./conformance/scenarios.js";

/**
 * The same sequence of reconfigs, refused and accepted, on a ZooKeeper 3.8 ensemble and on a
 * zkts ensemble, step by step: each reply (the configuration text, or the error) is recorded with
 * ports replaced by the member's role and port kind, and versions by their order of appearance,
 * and the two transcripts must be equal. The steps: an anonymous reconfig, a stale expected
 * version, leaving a server that is not a member, a malformed joining line, removing a follower
 * and adding it back, a server started outside the configuration added as an observer, made a
 * participant, removed, and the whole membership given at once (non-incremental), then a reconfig
 * with the right expected version. The leader stays a member throughout, so the admin session on
 * it lives through every step.
 */
const config = { reconfigEnabled: "true", "DigestAuthenticationProvider.superDigest": SUPER_DIGEST };

const ensembles: RunningEnsemble[] = [];
const clients: ZkClient[] = [];
afterAll(async () => {
  for (const c of clients) await c.close().catch(() => undefined);
  for (const e of ensembles) await e.cleanup();
});

/** Rewrites what differs between two runs (ports, versions) into names that do not. */
class Normalizer {
  private readonly names = new Map<string, string>();
  private readonly versions = new Map<string, string>();

  nameMember(member: EnsembleMember, role: string): void {
    const [, rest] = member.serverLine.split("=") as [string, string];
    const [quorum, election] = rest.split(":").slice(1, 3) as [string, string];
    this.names.set(quorum, `${role}.quorum`);
    this.names.set(election, `${role}.election`);
    this.names.set(String(member.server.port), `${role}.client`);
    this.names.set(`server.${member.id}=`, `server.<${role}>=`);
  }

  apply(text: string): string {
    let out = text.replace(/version=([0-9a-f]+)/g, (_, v: string) => {
      if (!this.versions.has(v)) this.versions.set(v, `V${this.versions.size}`);
      return `version=${this.versions.get(v)}`;
    });
    out = out.replace(/server\.\d+=/g, (m) => this.names.get(m) ?? m);
    out = out.replace(/\b\d{4,5}\b/g, (m) => this.names.get(m) ?? m);
    return out.split("\n").sort().join("\n");
  }
}

async function outcome(step: () => Promise<{ data: Buffer }>, normalize: Normalizer): Promise<string> {
  try {
    return `ok\n${normalize.apply((await step()).data.toString())}`;
  } catch (err) {
    if (err instanceof ZkError) return `error ${err.codeName}`;
    throw err;
  }
}

/** Runs the sequence on one ensemble; the transcript, one entry per step. */
async function transcript(ensemble: RunningEnsemble): Promise<string[]> {
  const leader = await ensemble.waitForLeader(60_000);
  const [f1, f2] = ensemble.members.filter((m) => m !== leader) as [EnsembleMember, EnsembleMember];
  const normalize = new Normalizer();
  normalize.nameMember(leader, "leader");
  normalize.nameMember(f1, "follower1");
  normalize.nameMember(f2, "follower2");
  const admin = await connect(leader.server.connectString, { sessionTimeoutMs: 10_000, auth: [{ scheme: "digest", auth: `super:${SUPER_PASSWORD}` }] });
  const anonymous = await connect(leader.server.connectString, { sessionTimeoutMs: 10_000 });
  clients.push(admin, anonymous);
  const config = async () => {
    await admin.sync("/zookeeper/config");
    return await admin.getConfig();
  };
  const versionOf = async (): Promise<bigint> => BigInt(`0x${/^version=([0-9a-f]+)$/m.exec((await config()).data.toString())![1]!}`);
  const line = (m: EnsembleMember, role: "participant" | "observer") => m.serverLine.replace(/:(participant|observer);/, `:${role};`);
  const steps: [string, () => Promise<{ data: Buffer }>][] = [
    ["the configuration", config],
    ["an anonymous client removes a follower", () => anonymous.reconfig({ leaving: String(f1.id) })],
    ["a stale expected version", () => admin.reconfig({ leaving: String(f1.id), fromConfig: 0x12345n })],
    ["leaving a server that is not a member", () => admin.reconfig({ leaving: "9" })],
    ["a malformed joining line", () => admin.reconfig({ joining: "server.7=no-ports-here" })],
    ["removing a follower", () => admin.reconfig({ leaving: String(f1.id) })],
    ["adding it back", () => admin.reconfig({ joining: f1.serverLine })],
  ];
  const out: string[] = [];
  for (const [name, step] of steps) out.push(`${name}: ${await outcome(step, normalize)}`);

  const joiner = await ensemble.join(4, "observer");
  normalize.nameMember(joiner, "joiner");
  const later: [string, () => Promise<{ data: Buffer }>][] = [
    ["a server started outside, added as an observer", () => admin.reconfig({ joining: line(joiner, "observer") })],
    ["the observer made a participant", () => admin.reconfig({ joining: line(joiner, "participant") })],
    ["the joiner removed", () => admin.reconfig({ leaving: String(joiner.id) })],
    ["the membership given whole", () => admin.reconfig({ newMembers: [leader, f1, f2].map((m) => m.serverLine).join(",") })],
    ["the right expected version", async () => admin.reconfig({ leaving: String(f2.id), fromConfig: await versionOf() })],
    ["the follower back", () => admin.reconfig({ joining: f2.serverLine })],
  ];
  for (const [name, step] of later) {
    out.push(`${name}: ${await outcome(step, normalize)}`);
    // A member changing role drops its quorum connection and comes back: let it settle.
    await ensemble.waitForLeader(60_000);
    await sleep(200);
  }
  return out;
}

describe("reconfig, step by step, on ZooKeeper 3.8 and on zkts", () => {
  it("answers every step alike", async () => {
    const reference = await startReferenceEnsemble({ config, startTimeoutMs: 60_000 });
    ensembles.push(reference);
    const expected = await transcript(reference);
    await reference.cleanup();
    const zkts = await startZktsEnsemble({ config });
    ensembles.push(zkts);
    const actual = await transcript(zkts);
    console.log(`ZooKeeper 3.8:\n${expected.join("\n")}`);
    for (const [i, step] of expected.entries()) expect(actual[i], `step ${i + 1}`).toBe(step);
    expect(actual.length).toBe(expected.length);
  }, 240_000);
});
