/**
 * Reconfig against a real Apache ZooKeeper 3.8 ensemble of three voters (reconfigEnabled, a
 * super digest, skipACL=no), driven through kazoo: the configuration it starts with, requests
 * without auth, with a bad version, with specs it refuses in its several ways, adding observers
 * (their addresses need not be running), adding voters that are not running (accepted while the
 * running voters stay a quorum, NEWCONFIGNOQUORUM once they would not), an answer through a
 * follower, and removing a member. Every answer must be what zkts's Preparer answers to the same
 * request on the same configuration. With ZKTS_RECORD_RECONFIG=1 the answers are also written to
 * fixtures/reconfig-zookeeper-3.8.json, which reconfig-fixtures.test.ts replays without Java.
 */
import { writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { type EnsembleMember, type RunningEnsemble, freePort, runKazoo, startReferenceEnsemble } from "@zkts/testkit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { digestOf, parseEnsembleConfig } from "../src/index.js";
import { type RecordedRequest, type RecordedStat, type RecordedStep, type ReconfigRecording, SUPER_DIGEST_USER, zktsAnswer } from "./reconfig-replay.js";

const here = dirname(fileURLToPath(import.meta.url));
const FIXTURE = join(here, "fixtures/reconfig-zookeeper-3.8.json");
const SUPER_PASSWORD = "reconfig-admin";
/** DigestAuthenticationProvider.superDigest: super:base64(sha1("super:<password>")). */
const SUPER_DIGEST = digestOf(`${SUPER_DIGEST_USER}:${SUPER_PASSWORD}`);

let ensemble: RunningEnsemble;
let leader: EnsembleMember;
let viaFollower: EnsembleMember;
let removed: EnsembleMember;

beforeAll(async () => {
  ensemble = await startReferenceEnsemble({
    config: { reconfigEnabled: "true", "DigestAuthenticationProvider.superDigest": SUPER_DIGEST, skipACL: "no" },
  });
  leader = await ensemble.waitForLeader();
  [viaFollower, removed] = ensemble.members.filter((m) => m.id !== leader.id) as [EnsembleMember, EnsembleMember];
}, 90_000);

afterAll(async () => {
  await ensemble?.cleanup();
});

interface PlannedStep {
  name: string;
  auth: "none" | "super";
  via: "leader" | "follower";
  request: RecordedRequest;
}

const step = (name: string, auth: "none" | "super", request: Partial<RecordedRequest>, via: "leader" | "follower" = "leader"): PlannedStep => ({
  name,
  auth,
  via,
  request: { joining: null, leaving: null, newMembers: null, fromConfig: -1, ...request },
});

/**
 * The requests, in order. `dead` are free loopback ports nothing listens on: servers given them
 * are members that are not running.
 */
function plan(initial: string, dead: number[]): PlannedStep[] {
  const leaderLine = parseEnsembleConfig(initial).servers.find((s) => s.id === leader.id)!;
  const leaderSpec = `server.${leader.id}=127.0.0.1:${leaderLine.quorumPort}:${leaderLine.electionPort}:participant;127.0.0.1:${leader.server.port}`;
  const at = (i: number) => `127.0.0.1:${dead[i]}`;
  const observer = (id: number, i: number) => `server.${id}=${at(i)}:${dead[i + 1]}:observer;${at(i + 2)}`;
  const voter = (id: number, i: number) => `server.${id}=${at(i)}:${dead[i + 1]}:participant;${at(i + 2)}`;
  return [
    step("no auth", "none", { leaving: String(removed.id) }),
    step("no auth, bad version: the version is checked first", "none", { leaving: String(removed.id), fromConfig: 12345 }),
    step("no auth, unparsable joiner: the spec is checked before the ACL", "none", { joining: "server.4=garbage" }),
    step("no auth, no synced quorum: checked before the ACL", "none", {
      newMembers: [leaderSpec, voter(50, 0), voter(51, 3)].join(","),
    }),
    step("bad version", "super", { leaving: String(removed.id), fromConfig: 12345 }),
    step("joiner port not a number", "super", { joining: "server.4=127.0.0.1:abc:1:observer;2" }),
    step("joiner without client port", "super", { joining: "server.4=127.0.0.1:1:2:observer" }),
    step("joiner id not a number", "super", { joining: "server.x=127.0.0.1:1:2;3" }),
    step("joiner with equal quorum and election ports", "super", { joining: "server.4=127.0.0.1:1:1;3" }),
    step("joiner with unknown role", "super", { joining: "server.4=127.0.0.1:1:2:voter;3" }),
    step("joiner port out of range", "super", { joining: "server.4=127.0.0.1:70000:2;3" }),
    step("joiner without '='", "super", { joining: "server.4" }),
    step("joiner with two addresses", "super", { joining: "server.4=127.0.0.1:1:2|127.0.0.1:3:4;5" }),
    step("joiners sharing an address", "super", {
      joining: "server.5=192.0.2.1:1000:1001:observer;192.0.2.1:1002,server.6=192.0.2.1:1000:1003:observer;192.0.2.1:1004",
    }),
    step("leaver id not a number", "super", { leaving: "abc" }),
    step("newMembers with an unknown key", "super", { newMembers: "foo=bar" }),
    step("newMembers with one voter", "super", { newMembers: "server.1=127.0.0.1:5:6;7" }),
    step("newMembers with only observers", "super", { newMembers: `${observer(50, 0)}` }),
    step("newMembers with an id that is not a number", "super", { newMembers: `server.x=${at(0)}:${dead[1]};${dead[2]},${voter(51, 3)}` }),
    step("newMembers with a version that is not hex", "super", { newMembers: `${voter(50, 0)},version=zz` }),
    step("add an observer", "super", { joining: observer(4, 0) }),
    step("add observers whose ids share hash bins", "super", {
      joining: [
        observer(17, 3),
        observer(100, 6),
        ` server.33 = ${at(9)}:${dead[10]}:observer;localhost:${dead[11]}`,
        observer(0, 12),
        `server.16=${at(15)}:${dead[16]}:observer;[::1]:${dead[17]}`,
      ].join(","),
    }),
    step("add and remove through a follower", "super", { joining: `server.8=${at(18)}:${dead[19]}:OBSERVER;:${dead[20]}`, leaving: "17" }, "follower"),
    step("remove an unknown id", "super", { leaving: "9" }),
    step("replace an observer by a voter that is not running", "super", { leaving: "16", joining: voter(16, 21) }),
    step("add voters that are not running until the running ones are no quorum", "super", {
      joining: [voter(61, 24), voter(62, 27), voter(63, 30)].join(","),
    }),
    step("remove members, at the right version", "super", { leaving: "16, 0,,4, 33, 100, 8" }),
    step("remove a member", "super", { leaving: String(removed.id) }),
  ];
}

const KAZOO = String.raw`
import json, sys
from kazoo.client import KazooClient
from kazoo.exceptions import ZookeeperError

args = json.loads(sys.argv[1])
def client(hosts, auth):
    zk = KazooClient(hosts=hosts, timeout=10)
    zk.start()
    if auth:
        zk.add_auth("digest", args["super"])
    return zk
clients = {
    ("none", "leader"): client(args["leader"], False),
    ("super", "leader"): client(args["leader"], True),
    ("super", "follower"): client(args["follower"], True),
}
def stat(s):
    return {k: getattr(s, k) for k in ("czxid", "mzxid", "ctime", "mtime", "version", "cversion", "aversion", "ephemeralOwner", "dataLength", "numChildren", "pzxid")}
def config():
    data, s = clients[("none", "leader")].get("/zookeeper/config")
    return {"data": data.decode(), "stat": stat(s)}
out = {"initial": config(), "steps": []}
for step in args["steps"]:
    before = config()["data"]
    r = step["request"]
    if r["fromConfig"] == -2:
        r["fromConfig"] = int(before.rsplit("version=", 1)[1], 16)
    try:
        data, s = clients[(step["auth"], step["via"])].reconfig(r["joining"], r["leaving"], r["newMembers"], r["fromConfig"])
        answer = {"data": data.decode(), "stat": stat(s), "node": config()["data"]}
    except ZookeeperError as e:
        answer = {"err": e.code}
    out["steps"].append(dict(step, before=before, answer=answer))
for zk in clients.values():
    zk.stop()
print(json.dumps(out))
`;

describe("reconfig answers of a ZooKeeper 3.8 ensemble", () => {
  let recording: ReconfigRecording;

  beforeAll(async () => {
    const dead: number[] = [];
    for (let i = 0; i < 33; i++) dead.push(await freePort());
    const initial = await runPython({ steps: [] });
    const steps = plan(initial.initial.data, dead);
    // "remove members, at the right version" names the version it was read at.
    steps.find((s) => s.name.startsWith("remove members"))!.request.fromConfig = -2;
    const run = await runPython({ steps });
    recording = {
      recordedWith: "Apache ZooKeeper 3.8.0 (Debian), 3 voters, reconfigEnabled=true, skipACL=no; kazoo",
      superPassword: SUPER_PASSWORD,
      leaderId: leader.id,
      syncedIds: ensemble.members.map((m) => m.id),
      initial: run.initial,
      steps: run.steps,
    };
    if (process.env.ZKTS_RECORD_RECONFIG === "1") writeFileSync(FIXTURE, `${JSON.stringify(recording, null, 1)}\n`);
  }, 60_000);

  async function runPython(input: { steps: PlannedStep[] }): Promise<{ initial: { data: string; stat: RecordedStat }; steps: RecordedStep[] }> {
    const args = JSON.stringify({
      leader: leader.server.connectString,
      follower: viaFollower.server.connectString,
      super: `${SUPER_DIGEST_USER}:${SUPER_PASSWORD}`,
      steps: input.steps,
    });
    const result = await runKazoo(`import sys; sys.argv = ["kazoo", ${JSON.stringify(args)}]\n${KAZOO}`, { timeoutMs: 50_000 });
    if (result.code !== 0) throw new Error(`kazoo failed: ${result.stderr}`);
    return JSON.parse(result.stdout) as { initial: { data: string; stat: RecordedStat }; steps: RecordedStep[] };
  }

  it("starts with its members, client addresses and version 0x100000000, as zkts renders them", () => {
    const initial = recording.initial.data;
    expect(initial).toMatch(/^(server\.\d=127\.0\.0\.1:\d+:\d+:participant;127\.0\.0\.1:\d+\n){3}version=100000000$/);
    expect(recording.initial.stat).toMatchObject({ version: -1, aversion: -1, mzxid: 0x100000000, czxid: 0 });
  });

  it("answers every request as zkts's Preparer does", () => {
    for (const recorded of recording.steps) {
      expect(zktsAnswer(recording, recorded), recorded.name).toEqual(recorded.answer);
    }
  });

  it("refused what it should and accepted the rest", () => {
    const outcomes = Object.fromEntries(recording.steps.map((s) => [s.name, "err" in s.answer ? s.answer.err : "ok"]));
    expect(outcomes).toMatchObject({
      "no auth": -102,
      "no auth, bad version: the version is checked first": -103,
      "no auth, unparsable joiner: the spec is checked before the ACL": -8,
      "no auth, no synced quorum: checked before the ACL": -13,
      "joiner id not a number": -5,
      "add an observer": "ok",
      "add voters that are not running until the running ones are no quorum": -13,
      "remove a member": "ok",
    });
  });
});
