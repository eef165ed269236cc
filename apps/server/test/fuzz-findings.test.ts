import { readFileSync } from "node:fs";
import { connect } from "node:net";
import { type EnsembleMember, type RunningEnsemble, startZktsEnsemble } from "@zkts/testkit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Bytes } from "./fuzz/bytes.js";

/**
 * The minimal inputs behind what the fuzzer found on the quorum and election ports, each
 * sent by a stranger (no member) to a settled 3-member ensemble. Before the fixes each one
 * made a member change its quorum role (and the election one left no member serving); now
 * no member's role may change at all.
 */

const ELECTION_V2 = -65535n;
const FOLLOWERINFO = 11;
const LEARNER_PROTOCOL = 0x10000;

function portsOf(member: EnsembleMember): { quorum: number; election: number } {
  const m = /^server\.\d+=[^:]+:(\d+):(\d+)/.exec(member.serverLine)!;
  return { quorum: Number(m[1]), election: Number(m[2]) };
}

/** How many times a member has logged a quorum role change since it started. */
function roleChanges(member: EnsembleMember): number {
  return readFileSync(member.server.logPath, "utf8")
    .split("\n")
    .filter((l) => l.includes('"quorum role"')).length;
}

/** Connects, writes, lingers so the member reads it all, and closes. */
function strangerSends(port: number, bytes: Buffer, lingerMs = 300): Promise<void> {
  return new Promise((resolve) => {
    const socket = connect({ host: "127.0.0.1", port });
    socket.on("error", () => undefined);
    socket.once("connect", () => {
      socket.write(bytes);
      setTimeout(() => socket.destroy(), lingerMs);
    });
    socket.once("close", () => resolve());
  });
}

function followerInfo(sid: bigint, acceptedEpoch: bigint): Buffer {
  const info = new Bytes().long(sid).int(LEARNER_PROTOCOL).long(0n).build();
  return new Bytes()
    .int(FOLLOWERINFO)
    .long(acceptedEpoch << 32n)
    .str(info)
    .int(-1)
    .build();
}

function electionIntroAndConfig(sid: bigint, config: string): Buffer {
  const intro = new Bytes().long(ELECTION_V2).long(sid).str("127.0.0.1:1").build();
  const notification = new Bytes().int(0).long(sid).long(0n).long(1n).long(1n).int(2).str(config).build();
  return Buffer.concat([intro, new Bytes().int(notification.length).raw(notification).build()]);
}

describe("fuzz findings: a stranger on the quorum and election ports", () => {
  let ensemble: RunningEnsemble;
  let leader: EnsembleMember;
  let follower: EnsembleMember;

  beforeAll(async () => {
    ensemble = await startZktsEnsemble({ voters: 3 });
    leader = await ensemble.waitForLeader();
    follower = ensemble.members.find((m) => m !== leader)!;
  });

  afterAll(async () => {
    await ensemble?.cleanup();
  });

  async function expectUndisturbed(attack: () => Promise<void>): Promise<void> {
    await ensemble.waitForLeader();
    const before = ensemble.members.map(roleChanges);
    await attack();
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect(ensemble.members.map(roleChanges)).toEqual(before);
    expect(await ensemble.modeOf(leader)).toBe("leader");
  }

  it("a notification with a made-up newer configuration, from an unknown id, changes no membership", async () => {
    const config = "server.9=127.0.0.1:1:2:participant\nversion=ffff";
    await expectUndisturbed(async () => {
      for (const m of ensemble.members) await strangerSends(portsOf(m).election, electionIntroAndConfig(9n, config));
    });
  });

  it("nor from a stranger claiming a voter's id while the ensemble is settled", async () => {
    const config = `server.${follower.id}=127.0.0.1:1:2:participant\nversion=ffff`;
    await expectUndisturbed(async () => {
      for (const m of ensemble.members) {
        if (m.id > follower.id) await strangerSends(portsOf(m).election, electionIntroAndConfig(BigInt(follower.id), config));
      }
    });
  });

  it("FOLLOWERINFO from a non-member promising a later epoch does not depose the leader", async () => {
    await expectUndisturbed(() => strangerSends(portsOf(leader).quorum, followerInfo(180n, 0x02d726cfn)));
  });

  it("FOLLOWERINFO claiming a connected follower's id does not cut that follower off", async () => {
    await expectUndisturbed(() => strangerSends(portsOf(leader).quorum, followerInfo(BigInt(follower.id), 0n)));
  });

  it("a connection to a follower's quorum port claiming the leader's id, then closing, is no leader loss", async () => {
    await expectUndisturbed(() => strangerSends(portsOf(follower).quorum, followerInfo(BigInt(leader.id), 0n)));
  });
});
