import { writeFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { variationForSeed, runSimulation, servingTicksBound, type SimulationResult, type SimulationSpec } from "./support/simulation.js";

// Replay one run with the command a failure prints:
// ZAB_SEED=<seed> ZAB_VOTERS=3|5 ZAB_OBSERVERS=<n> ZAB_STEPS=<n> ZAB_INIT_LIMIT=<n> ZAB_SYNC_LIMIT=<n> ZAB_DOWN_AT_END=<id|none>
//   npx vitest run test/simulation.test.ts
// (without the last three, the values the sweep derives from the seed are used). Add ZAB_TRACE=<file>
// to write a readable log of the run (every Ready, delivery and fault).
const SEEDS = Number(process.env.ZAB_SEEDS ?? 250);
const STEPS = Number(process.env.ZAB_STEPS ?? 2500);
const ONLY_SEED = process.env.ZAB_SEED === undefined ? null : Number(process.env.ZAB_SEED);

/** Seeds that once found a bug, named after it; they run before the random ones. */
const REGRESSIONS: readonly (SimulationSpec & { bug: string })[] = [
  { bug: "a voter answered a settled observer, which answered back, forever", seed: 300019, voters: 3, observers: 1, steps: 2500 },
  { bug: "an observer in a newer round answered voters in an older one, forever", seed: 300018, voters: 3, observers: 1, steps: 2500 },
  {
    bug: "a late voter compared settled votes by round and zxid and never joined the leader",
    seed: 300103,
    voters: 3,
    observers: 1,
    steps: 2500,
  },
  {
    bug: "a stale copy of FOLLOWERINFO let a re-elected leader's new stream pass as the old session's (TRUNC below commit)",
    seed: 301356,
    voters: 3,
    observers: 1,
    steps: 6000,
  },
  {
    bug: "a voter that promised a later epoch was refused by the established leader forever",
    seed: 300028,
    voters: 3,
    observers: 1,
    steps: 2500,
  },
  ...[
    {
      bug: "a server that missed a committed reconfig never learned it (notifications now carry the active configuration)",
      seed: 500009,
      voters: 5,
      observers: 2,
    },
    { bug: "two non-voters whose configurations differed answered each other's notifications forever", seed: 500001, voters: 5, observers: 0 },
    { bug: "a reconfig promoting observers was proposed without a quorum of synced followers and could never commit", seed: 500021, voters: 5, observers: 2 },
    { bug: "a server holding an uncommitted reconfig could not join the established leader", seed: 300428, voters: 3, observers: 1 },
    { bug: "voters of the proposed configuration did not vote, so it had no quorum", seed: 500616, voters: 5, observers: 0 },
    { bug: "a voter and a server it did not count as one answered each other forever", seed: 300081, voters: 3, observers: 1 },
    {
      bug: "a server holding an uncommitted reconfig decided to lead on the active configuration alone, and could never establish",
      seed: 502209,
      voters: 5,
      observers: 0,
    },
    {
      bug: "a reconfig left only in the logs of the servers that could lead lacked the votes of its new voters, who did not hold it",
      seed: 502711,
      voters: 5,
      observers: 1,
    },
  ].map((r) => ({ ...r, steps: 2500, ...variationForSeed(r.seed, r.voters), reconfigs: true })),
];

/** Three voters run with one observer; five voters with none, one or two, by seed. */
function observersFor(seed: number, voters: number): number {
  return voters === 3 ? 1 : seed % 3;
}

function replayCommand(spec: SimulationSpec): string {
  const limits = `ZAB_INIT_LIMIT=${spec.initLimit ?? 10} ZAB_SYNC_LIMIT=${spec.syncLimit ?? 5} ZAB_DOWN_AT_END=${spec.downAtEnd ?? "none"}`;
  const reconfigs = spec.reconfigs === true ? " ZAB_RECONFIGS=1" : "";
  return `cd packages/zab && ZAB_SEED=${spec.seed} ZAB_VOTERS=${spec.voters} ZAB_OBSERVERS=${spec.observers} ZAB_STEPS=${spec.steps} ${limits}${reconfigs} npx vitest run test/simulation.test.ts`;
}

function runOrExplain(spec: SimulationSpec, trace: string[] | null = null): SimulationResult {
  try {
    return runSimulation(spec, trace);
  } catch (e) {
    throw new Error(
      `seed ${spec.seed} (${spec.voters} voters, ${spec.observers} observers) failed: ${(e as Error).message}\n  replay: ${replayCommand(spec)}`,
      {
        cause: e,
      },
    );
  }
}

describe("deterministic simulation", () => {
  if (ONLY_SEED !== null) {
    const voters = Number(process.env.ZAB_VOTERS ?? 3);
    const variation = variationForSeed(ONLY_SEED, voters);
    const down = process.env.ZAB_DOWN_AT_END ?? variation.downAtEnd;
    const spec = {
      seed: ONLY_SEED,
      voters,
      observers: Number(process.env.ZAB_OBSERVERS ?? observersFor(ONLY_SEED, voters)),
      steps: STEPS,
      initLimit: Number(process.env.ZAB_INIT_LIMIT ?? variation.initLimit),
      syncLimit: Number(process.env.ZAB_SYNC_LIMIT ?? variation.syncLimit),
      ...(down === undefined || down === "none" ? {} : { downAtEnd: Number(down) }),
      reconfigs: (process.env.ZAB_RECONFIGS ?? (down === undefined || down === "none" ? "1" : "0")) === "1",
    };
    it(`replays seed ${ONLY_SEED}`, () => {
      const tracePath = process.env.ZAB_TRACE;
      const trace = tracePath === undefined ? null : [];
      try {
        runOrExplain(spec, trace);
      } finally {
        if (tracePath !== undefined && trace !== null) writeFileSync(tracePath, `${trace.join("\n")}\n`);
      }
    });
    return;
  }

  for (const r of REGRESSIONS) {
    it(`regression: ${r.bug} (seed ${r.seed})`, () => runOrExplain(r));
  }

  for (const voters of [3, 5]) {
    it(`${SEEDS} seeds, ${voters} voters${voters === 3 ? " + 1 observer" : " + 0-2 observers"}: invariants hold and the healed cluster converges`, () => {
      const totals = new Map<string, number>();
      let committed = 0;
      let rollovers = 0;
      let forwarded = 0;
      let expressed = 0;
      let slowest = { ticks: 0, seed: 0, bound: 0 };
      for (let seed = 1; seed <= SEEDS; seed++) {
        const id = voters * 100000 + seed;
        const variation = variationForSeed(id, voters);
        const spec = { seed: id, voters, observers: observersFor(id, voters), steps: STEPS, ...variation, reconfigs: variation.downAtEnd === undefined };
        const r = runOrExplain(spec);
        committed += r.committed;
        rollovers += r.rollovers;
        forwarded += r.forwarded;
        expressed += r.expressed;
        if (r.servingAfterTicks > slowest.ticks) {
          slowest = { ticks: r.servingAfterTicks, seed: id, bound: servingTicksBound(spec.initLimit, spec.syncLimit) };
        }
        for (const [type, n] of r.delivered) totals.set(type, (totals.get(type) ?? 0) + n);
      }
      console.log(
        `${voters} voters: slowest recovery after the last fault ${slowest.ticks} ticks (seed ${slowest.seed}, bound ${slowest.bound}); ${expressed} messages and commits expressed`,
      );
      // A simulation that never reaches a code path proves nothing about it.
      expect(committed).toBeGreaterThan(SEEDS * 5);
      expect(rollovers).toBeGreaterThan(0);
      // Learners' writes reach the leader beside the cores (Cluster.submit), as in a server.
      expect(forwarded, "writes forwarded by learners and proposed").toBeGreaterThan(0);
      // Broadcast and commits handed on while a Ready was being persisted (ZabPeer.express).
      expect(expressed, "messages and commits expressed past a Ready in flight").toBeGreaterThan(SEEDS);
      const exercised = ["DIFF", "TRUNC", "SNAP", "PROPOSAL", "COMMIT", "SYNC", "PING"];
      exercised.push("INFORM", "OBSERVERINFO", "COMMITANDACTIVATE");
      for (const type of exercised) expect(totals.get(type) ?? 0, `${type} messages delivered`).toBeGreaterThan(0);
    });
  }
});
