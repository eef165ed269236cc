import { readFileSync } from "node:fs";
import type { ZkClient } from "@zkts/client";
import { type EnsembleMember, type RunningEnsemble, startZktsEnsemble } from "@zkts/testkit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type FuzzStats, emptyStats, fuzzClientPort } from "./fuzz/client-port-fuzzer.js";
import { loadGoldenCorpus } from "./fuzz/golden-corpus.js";
import { GuardedNamespace, STEADY_PATH, SteadySession, dumpTree } from "./fuzz/namespace.js";
import { FuzzRandom, fuzzSeconds, fuzzSeed } from "./fuzz/random.js";
import { FUZZ_ROOT } from "./fuzz/requests.js";
import { isAlive, mntrValue, rssMiB } from "./fuzz/server-probe.js";
import { fuzzStranger } from "./fuzz/stranger-fuzzer.js";

/**
 * The fuzzing tier against a 3-member ensemble: hostile client traffic on a follower's client
 * port, and a stranger (no member) on the leader's and a follower's quorum ports and on every
 * election port, while a well-behaved session on that follower writes and reads. The quorum
 * must not notice: same leader, no member restarts its role, the session is never
 * disconnected. Replay with FUZZ_SEED=<seed>; FUZZ_SECONDS makes it longer.
 */

/**
 * The tier's 100,000 inputs are guaranteed by the standalone run (it goes on until the server
 * has taken them); the ensemble's three servers share the machine, so its fixed 30 s asks for a
 * third of that, which a loaded machine still reaches (about 112,000 on a quiet one).
 */
const INPUTS_MIN = 30_000;
const RSS_GROWTH_MIB_MAX = 300;

/** A member's log lines about its quorum role, and its warnings: what to read when the quorum moved. */
function roleChanges(member: EnsembleMember): string {
  const lines = readFileSync(member.server.logPath, "utf8")
    .split("\n")
    .filter((l) => l.includes('"quorum role"') || l.includes('"level":"warn"') || l.includes('"level":"error"'));
  return `member ${member.id}:\n${lines.slice(0, 60).join("\n")}`;
}

function portsOf(member: EnsembleMember): { quorum: number; election: number } {
  const m = /^server\.\d+=[^:]+:(\d+):(\d+)/.exec(member.serverLine);
  if (m === null) throw new Error(`cannot read ports from ${member.serverLine}`);
  return { quorum: Number(m[1]), election: Number(m[2]) };
}

describe("fuzzing an ensemble: a member's client port, and quorum and election ports by a stranger", () => {
  let ensemble: RunningEnsemble;
  const namespace = new GuardedNamespace();
  let admin: ZkClient;

  beforeAll(async () => {
    ensemble = await startZktsEnsemble({ voters: 3 });
    await ensemble.waitForLeader();
  });

  afterAll(async () => {
    await admin?.close().catch(() => undefined);
    await ensemble?.cleanup();
  });

  it(
    "takes hostile inputs on every port without the quorum or a session noticing",
    async () => {
      const seed = fuzzSeed();
      const seconds = fuzzSeconds(30);
      console.log(`fuzz-ensemble: seed ${seed} (replay with FUZZ_SEED=${seed}), ${seconds} s`);
      const random = new FuzzRandom(seed);
      const leader = await ensemble.waitForLeader();
      const follower = ensemble.members.find((m) => m !== leader)!;
      admin = await namespace.connect(leader.server.connectString);
      await namespace.prepare(admin);
      await admin.sync("/");
      const treeBefore = await dumpTree(admin, [FUZZ_ROOT, STEADY_PATH]);
      const modesBefore = await Promise.all(ensemble.members.map((m) => ensemble.modeOf(m)));
      const steady = new SteadySession(await namespace.connect(follower.server.connectString));
      steady.start();
      const rssBefore = ensemble.members.map((m) => rssMiB(m.server.pid!));
      const host = follower.server.host;
      const packetsBefore = await mntrValue(host, follower.server.port, "zk_packets_received");
      const memberIds = ensemble.members.map((m) => m.id);

      const startedMs = performance.now();
      const deadlineMs = startedMs + seconds * 1000;
      // FUZZ_TARGETS=client,quorum,election narrows a replay to some of the ports.
      const targets = (process.env.FUZZ_TARGETS ?? "client,quorum,election").split(",");
      const idle = async (): Promise<FuzzStats> => emptyStats();
      const [client, ...strangers]: FuzzStats[] = await Promise.all([
        targets.includes("client") ? fuzzClientPort({ host, port: follower.server.port, random, corpus: loadGoldenCorpus(), workers: 8, deadlineMs }) : idle(),
        ...(targets.includes("quorum")
          ? [
              fuzzStranger({ host, port: portsOf(leader).quorum, target: "quorum", random: random.fork(1), memberIds, workers: 2, deadlineMs }),
              fuzzStranger({ host, port: portsOf(follower).quorum, target: "quorum", random: random.fork(2), memberIds, workers: 1, deadlineMs }),
            ]
          : []),
        ...(targets.includes("election")
          ? ensemble.members.map((m, i) =>
              fuzzStranger({ host, port: portsOf(m).election, target: "election", random: random.fork(3 + i), memberIds, workers: 1, deadlineMs }),
            )
          : []),
      ]);
      const elapsedS = (performance.now() - startedMs) / 1000;

      const steadyReport = await steady.stop();
      const modesAfter = await Promise.all(ensemble.members.map((m) => ensemble.modeOf(m)));
      console.log(`fuzz-ensemble: modes ${modesBefore.join("/")} -> ${modesAfter.join("/")}`);
      if (modesAfter.join() !== modesBefore.join()) for (const m of ensemble.members) console.log(roleChanges(m));
      expect(modesAfter).toEqual(modesBefore);
      const packets = (await mntrValue(host, follower.server.port, "zk_packets_received")) - packetsBefore;
      const strangerInputs = strangers.reduce((sum, s) => sum + s.inputs, 0);
      const strangerConnections = strangers.reduce((sum, s) => sum + s.connections, 0);
      const rssAfter = ensemble.members.map((m) => (isAlive(m.server.pid) ? rssMiB(m.server.pid!) : -1));
      console.log(
        `fuzz-ensemble: client port: ${packets} inputs taken in ${elapsedS.toFixed(1)} s (${Math.round(packets / elapsedS)}/s; ` +
          `${client!.inputs} frames sent, ${client!.connections} connections, ${client!.stalled} stalled); ` +
          `stranger: ${strangerInputs} quorum and election frames (${Math.round(strangerInputs / elapsedS)}/s) on ${strangerConnections} connections; ` +
          `RSS ${rssBefore.join("/")} -> ${rssAfter.join("/")} MiB; steady session: ${steadyReport.writes} writes, ${steadyReport.reads} reads`,
      );

      for (const m of ensemble.members) expect(isAlive(m.server.pid), `member ${m.id} alive`).toBe(true);
      expect(steadyReport.failures).toEqual([]);
      expect(steadyReport.sessionEvents).toEqual([]);
      expect(steadyReport.writes).toBeGreaterThan(0);
      expect(packets + strangerInputs).toBeGreaterThanOrEqual(INPUTS_MIN * Math.min(1, seconds / 30));
      // A connection still open 3 s after its closeSession: on a follower under this load some
      // closeSessions (forwarded to the leader) take longer; counted and printed, not yet bounded.
      for (let i = 0; i < rssBefore.length; i++) expect(rssAfter[i]! - rssBefore[i]!).toBeLessThan(RSS_GROWTH_MIB_MAX);
      await admin.sync("/");
      expect(await dumpTree(admin, [FUZZ_ROOT, STEADY_PATH])).toEqual(treeBefore);
    },
    (fuzzSeconds(30) + 240) * 1000,
  );
});
