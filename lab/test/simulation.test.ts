import { describe, expect, it } from "vitest";
import { type SimulationOptions, type SimulationResult, checkWrites, runSimulation } from "../src/index.js";

// Replay one run with the command a failure prints (after `npm run build`):
//   node lab/dist/cli.js sim --seed <seed> --voters <3|5> --observers <n> ... --trace
// or through this file: SIM_SEED=<seed> SIM_VOTERS=<3|5> SIM_OBSERVERS=<n> npx vitest run test/simulation.test.ts
// SIM_SEEDS sets how many seeds each ensemble shape runs (default 500: 1000 runs in all).
const SEEDS = Number(process.env.SIM_SEEDS ?? 500);
const ONLY_SEED = process.env.SIM_SEED === undefined ? null : Number(process.env.SIM_SEED);

/** Seeds that once found a bug, named after it; they run before the random ones. */
const REGRESSIONS: readonly (SimulationOptions & { bug: string })[] = [];

/** Three voters run with no observer or one; five voters with none, one or two; 3 to 10 clients; by seed. */
function shapeFor(seed: number, voters: 3 | 5): SimulationOptions {
  return { seed, voters, observers: seed % (voters === 3 ? 2 : 3), clients: 3 + (seed % 8) };
}

async function runOrExplain(options: SimulationOptions): Promise<SimulationResult> {
  const result = await runSimulation(options);
  if (result.failures.length > 0) {
    throw new Error(
      `seed ${options.seed} (${options.voters} voters, ${options.observers ?? 0} observers) failed:\n${result.failures.join("\n")}\n  replay: ${result.replay}`,
    );
  }
  return result;
}

/** What a sweep exercised, summed over its runs: a sweep that never hit a path proves nothing about it. */
function tally(results: SimulationResult[]) {
  const messages = new Map<string, number>();
  const sum = {
    ok: 0,
    info: 0,
    reads: 0,
    reconfigs: 0,
    crashes: 0,
    crashesMidPersist: 0,
    fsyncFailures: 0,
    lostWrites: 0,
    tornWrites: 0,
    logRepairs: 0,
    restarts: 0,
    partitions: 0,
    pauses: 0,
    deliveriesDuringWrites: 0,
    commitsDuringWrites: 0,
    snapshots: 0,
    duplicated: 0,
    dropped: 0,
    leaders: 0,
  };
  for (const r of results) {
    const s = r.stats;
    sum.ok += s.writes.ok;
    sum.info += s.writes.info;
    sum.crashes += s.crashes;
    sum.crashesMidPersist += s.crashesMidPersist;
    sum.fsyncFailures += s.fsyncFailures;
    sum.lostWrites += s.lostWrites;
    sum.tornWrites += s.tornWrites;
    sum.logRepairs += s.logRepairs;
    sum.restarts += s.restarts;
    sum.partitions += s.partitions;
    sum.pauses += s.pauses;
    sum.deliveriesDuringWrites += s.deliveriesDuringWrites;
    sum.commitsDuringWrites += s.commitsDuringWrites;
    sum.reconfigs += s.reconfigs;
    sum.reads += r.history.filter((e) => e.type === "ok" && e.f === "getData").length;
    sum.snapshots += s.snapshots;
    sum.duplicated += s.duplicated;
    sum.dropped += s.dropped;
    sum.leaders += s.leaders;
    for (const [type, n] of Object.entries(s.messages)) messages.set(type, (messages.get(type) ?? 0) + n);
  }
  return { sum, messages };
}

describe("deterministic simulation of a zkts ensemble (zab + datatree + the server's request pipeline)", () => {
  if (ONLY_SEED !== null) {
    it(`replays seed ${ONLY_SEED}`, async () => {
      const voters = Number(process.env.SIM_VOTERS ?? 3);
      const result = await runOrExplain({ seed: ONLY_SEED, voters, observers: Number(process.env.SIM_OBSERVERS ?? 0), trace: true });
      console.log(result.trace.join("\n"));
    });
    return;
  }

  for (const regression of REGRESSIONS) {
    it(`regression seed ${regression.seed}: ${regression.bug}`, async () => {
      await runOrExplain(regression);
    });
  }

  for (const voters of [3, 5] as const) {
    it(`${SEEDS} seeds of ${voters} voters: invariants hold, trees agree after healing, writes and linearizable reads check out`, async () => {
      const started = Date.now();
      const results: SimulationResult[] = [];
      for (let seed = 1; seed <= SEEDS; seed++) results.push(await runOrExplain(shapeFor(seed * 7919 + voters, voters)));
      const { sum, messages } = tally(results);
      const slowest = results.reduce((a, r) => (r.stats.recoveryMs > a.stats.recoveryMs ? r : a));
      console.log(
        `slowest recovery after the last fault: ${slowest.stats.recoveryMs} ms (seed ${slowest.options.seed}; every run is held to initLimit + syncLimit + 20 ticks)`,
      );
      console.log(
        `simulation: ${SEEDS} runs of ${voters} voters in ${Date.now() - started} ms; ${sum.ok} operations acknowledged (${sum.reads} linearizable reads), ${sum.info} unknown; ` +
          `${sum.crashes} crashes (${sum.crashesMidPersist} mid-persist, ${sum.fsyncFailures} after a failed fsync), ` +
          `${sum.lostWrites} unsynced writes lost and ${sum.tornWrites} torn by power cuts, ${sum.logRepairs} log repairs by recovery, ${sum.partitions} partitions, ${sum.pauses} pauses, ${sum.reconfigs} reconfigurations, ${sum.leaders} leaderships, ` +
          `${sum.deliveriesDuringWrites} messages taken in while a write was in flight (commits applied meanwhile in ${sum.commitsDuringWrites} of those windows); ` +
          `messages ${JSON.stringify(Object.fromEntries(messages))}`,
      );
      if (SEEDS < 50) return;
      // The sweep must have gone down every path the issue names, or it proves less than it claims.
      for (const type of ["DIFF", "TRUNC", "SNAP", "FORWARD", "INFORM", "COMMIT", "SYNC", "COMMITANDACTIVATE"])
        expect(messages.get(type) ?? 0, type).toBeGreaterThan(0);
      expect(sum.crashesMidPersist).toBeGreaterThan(0);
      expect(sum.fsyncFailures).toBeGreaterThan(0);
      expect(sum.lostWrites).toBeGreaterThan(0);
      expect(sum.tornWrites).toBeGreaterThan(0);
      expect(sum.logRepairs).toBeGreaterThan(0);
      expect(sum.partitions).toBeGreaterThan(0);
      expect(sum.pauses).toBeGreaterThan(0);
      // The Ready loop handed commits on past a Ready whose write was still in flight (express).
      expect(sum.commitsDuringWrites).toBeGreaterThan(0);
      expect(sum.reconfigs).toBeGreaterThan(0);
      expect(sum.reads).toBeGreaterThan(0);
      expect(sum.duplicated).toBeGreaterThan(0);
      expect(sum.dropped).toBeGreaterThan(0);
      expect(sum.snapshots).toBeGreaterThan(0);
      expect(sum.info).toBeGreaterThan(0);
    });
  }

  it("ZooKeeper's sync-then-read returns a stale value after a paused leader wakes up; the quorum-confirmed read does not", async () => {
    // Seed 128: leader 3 pauses for 720 ms; the others elect leader 2 and commit writes; when 3
    // wakes up it still counts itself leader for syncLimit ticks and answers syncs from its tree.
    // (Seeds 104, 651 and 848 showed it until elections or the disk's timing changed; seeds are
    // schedules, not scenarios. 1142, 1377 and 1447 show it too.)
    const shape = { seed: 128, voters: 3, observers: 0, clients: 10 } as const;
    const synced = await runSimulation({ ...shape, reads: "sync" });
    expect(synced.stats.pauses).toBeGreaterThan(0);
    expect(synced.failures.join("\n")).toContain("not-linearizable");
    await runOrExplain({ ...shape, reads: "linearizable" });
  });

  it("plain reads (ZooKeeper's default, sequentially consistent) are caught as not linearizable", async () => {
    // Not every run happens to read from a lagging member: some of the first dozen seeds must.
    let caught: number | null = null;
    for (let seed = 1; seed <= 12 && caught === null; seed++) {
      const plain = await runSimulation({ seed, voters: 3, observers: 1, reads: "plain" });
      if (plain.failures.join("\n").includes("not-linearizable")) caught = seed;
    }
    console.log(`plain reads caught as not linearizable with seed ${caught}`);
    expect(caught).not.toBeNull();
  });

  it("is deterministic: the same seed gives the same run", async () => {
    const a = await runSimulation({ seed: 4242, voters: 3, observers: 1, trace: true });
    const b = await runSimulation({ seed: 4242, voters: 3, observers: 1, trace: true });
    expect(b.trace).toEqual(a.trace);
    expect(b.history).toEqual(a.history);
    expect(b.stats).toEqual(a.stats);
  });

  it("the history check fails when one acknowledged write reports a version that never existed", async () => {
    const result = await runOrExplain({ seed: 77, voters: 3 });
    expect(checkWrites(result.history)).toEqual([]);
    const events = structuredClone(result.history);
    const ok = events.find((e) => e.type === "ok" && e.f === "setData" && typeof (e.value as { version?: number }).version === "number");
    expect(ok).toBeDefined();
    (ok!.value as { version: number }).version += 1000;
    const failures = checkWrites(events);
    expect(failures).toHaveLength(1);
    expect(failures[0]).toContain("not-linearizable");
  });

  it("the history check fails when an unconditional write is reported as refused", async () => {
    const result = await runOrExplain({ seed: 78, voters: 5, observers: 1 });
    const events = structuredClone(result.history);
    // An unconditional setData (version -1) can never be refused with BADVERSION.
    const index = events.findIndex((e) => e.type === "ok" && e.f === "setData" && typeof (e.value as { version?: number }).version === "number");
    events[index]!.value = { error: "BADVERSION" };
    const invoke = events
      .slice(0, index)
      .reverse()
      .find((e) => e.type === "invoke" && e.process === events[index]!.process);
    (invoke!.value as { version: number }).version = -1;
    expect(checkWrites(events)[0]).toContain("not-linearizable");
  });
});
