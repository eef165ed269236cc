#!/usr/bin/env node
import { type RunningEnsemble, startReferenceEnsemble, startZktsEnsemble } from "@zkts/testkit";
import { integerValue } from "@zkts/cli-args";
import { type LoadOptions, type LoadReport, formatResult, loadReport, runLoad, throughput } from "./load.js";
import { OUTPUT_OPTIONS, outputMode, scriptArgs } from "./script-args.js";

/**
 * The same loads against a 3-member reference ZooKeeper 3.8 ensemble and a 3-member zkts
 * ensemble on this machine, through a follower (writes forwarded to the leader, committed by a
 * quorum, every member fsyncing) and through the leader, in rounds that alternate between the
 * two. Prints the median round of each and the ratios.
 */
const { durationMs, seed, values, usage } = scriptArgs(
  "zkts-bench ensemble-compare",
  "The same loads through a follower and through the leader of a 3-member reference ZooKeeper ensemble and a zkts one,\nin alternating rounds; each ratio is the median of the rounds'.",
  6,
  { rounds: { type: "string", value: "N", description: "rounds of every load on each ensemble (default 3)" }, ...OUTPUT_OPTIONS },
);
const output = outputMode(values);
const rounds = usage(() => integerValue(values.rounds as string | undefined, "--rounds", 3, { min: 1 }));

const WARMUP_MS_MAX = 2000;

/** About half of what either server's follower takes at 8 x 32 on a 2-core machine. */
const OFFERED_WRITES_PER_SECOND = 4000;

const loads: { name: string; options: Omit<LoadOptions, "host" | "port">; via?: "leader" }[] = [
  { name: "setData 1 KB through a follower", options: { clients: 8, outstanding: 32, durationMs, dataSize: 1024, readRatio: 0, seed } },
  { name: "setData 1 KB through the leader", via: "leader", options: { clients: 8, outstanding: 32, durationMs, dataSize: 1024, readRatio: 0, seed } },
  { name: "getData 1 KB through a follower", options: { clients: 8, outstanding: 32, durationMs, dataSize: 1024, readRatio: 1, seed } },
  { name: "getData 1 KB through the leader", via: "leader", options: { clients: 8, outstanding: 32, durationMs, dataSize: 1024, readRatio: 1, seed } },
  { name: "50/50 get/set 1 KB through a follower", options: { clients: 8, outstanding: 32, durationMs, dataSize: 1024, readRatio: 0.5, seed } },
  { name: "setData 1 KB through a follower, one at a time", options: { clients: 8, outstanding: 1, durationMs, dataSize: 1024, readRatio: 0, seed } },
  // The same offered load on both, below either's capacity: latency compared at equal work.
  {
    name: `setData 1 KB through a follower at ${OFFERED_WRITES_PER_SECOND} ops/s offered`,
    options: { clients: 8, outstanding: 64, durationMs, dataSize: 1024, readRatio: 0, seed, ratePerSecond: OFFERED_WRITES_PER_SECOND },
  },
];

async function targetOf(ensemble: RunningEnsemble, via: "leader" | "follower"): Promise<{ host: string; port: number }> {
  const leader = await ensemble.waitForLeader(60_000);
  const member = via === "leader" ? leader : ensemble.members.find((m) => m !== leader)!;
  return { host: member.server.host, port: member.server.port };
}

type Kind = "reference" | "zkts";

/** One load measured once on each ensemble, back to back. */
interface RoundPair {
  reference: LoadReport;
  zkts: LoadReport;
  /** zkts's throughput over the reference's. */
  ratio: number;
  /** zkts's p99 over the reference's: the measure of the offered load. */
  p99Ratio: number;
}

async function measureOnce(ensemble: RunningEnsemble, load: (typeof loads)[number]): Promise<LoadReport> {
  const target = await targetOf(ensemble, load.via ?? "follower");
  // Warm up as long as the measured phase, up to 2 s (a smoke run measures one second).
  await runLoad({ ...load.options, ...target, durationMs: Math.min(WARMUP_MS_MAX, durationMs), progress: null });
  const options = { ...load.options, ...target, progress: output.progress };
  return loadReport(options, await runLoad(options));
}

/**
 * Both ensembles run for the whole comparison and take turns: each load runs on one, then at
 * once on the other, the order swapped every round. The idle ensemble costs next to nothing,
 * and a pair measured seconds apart shares the machine's state: on a VM whose speed drifts by
 * a quarter over minutes, ratios of pairs vary far less than ratios of separate runs.
 */
async function measureRounds(): Promise<RoundPair[][]> {
  const ensembles: Partial<Record<Kind, RunningEnsemble>> = {};
  try {
    ensembles.reference = await startReferenceEnsemble({ voters: 3, tickTime: 2000 });
    ensembles.zkts = await startZktsEnsemble({ voters: 3, tickTime: 2000 });
    const pairs: RoundPair[][] = loads.map(() => []);
    for (let round = 0; round < rounds; round++) {
      const order: Kind[] = round % 2 === 0 ? ["reference", "zkts"] : ["zkts", "reference"];
      for (const [i, load] of loads.entries()) {
        output.log(`round ${round + 1} of ${rounds}: ${load.name}`);
        const measured: Partial<Record<Kind, LoadReport>> = {};
        for (const kind of order) measured[kind] = await measureOnce(ensembles[kind]!, load);
        const [r, z] = [measured.reference!, measured.zkts!];
        pairs[i]!.push({ reference: r, zkts: z, ratio: throughput(z) / throughput(r), p99Ratio: z.latencyMs.p99 / r.latencyMs.p99 });
      }
    }
    return pairs;
  } finally {
    await ensembles.zkts?.cleanup();
    await ensembles.reference?.cleanup();
  }
}

/** The pair whose ratio is the median of the rounds' (the lower middle of an even count). */
function medianPair(pairs: RoundPair[], by: (p: RoundPair) => number): RoundPair {
  return [...pairs].sort((a, b) => by(a) - by(b))[Math.floor((pairs.length - 1) / 2)]!;
}

const measured = await measureRounds();
const results = loads.map((load, i) => {
  const pairs = measured[i]!;
  const offered = load.options.ratePerSecond !== undefined;
  // The offered load is judged by latency, the closed loops by throughput.
  const shown = medianPair(pairs, offered ? (p) => p.p99Ratio : (p) => p.ratio);
  return {
    load: load.name,
    reference: shown.reference,
    zkts: shown.zkts,
    ratio: medianPair(pairs, (p) => p.ratio).ratio,
    p99Ratio: medianPair(pairs, (p) => p.p99Ratio).p99Ratio,
    rounds: pairs,
  };
});
if (output.json) {
  process.stdout.write(
    `${JSON.stringify({ script: "ensemble-compare", parameters: { durationMs, seed, voters: 3, rounds }, seed, loads: results }, null, 2)}\n`,
  );
}
const listed = (pairs: RoundPair[], by: (p: RoundPair) => number) => pairs.map((p) => by(p).toFixed(2)).join(", ");
for (const [i, load] of output.json ? [] : loads.entries()) {
  const result = results[i]!;
  process.stdout.write(`\n${load.name} (${load.options.clients} clients x ${load.options.outstanding} outstanding, ${durationMs / 1000} s, seed ${seed})\n`);
  process.stdout.write(`${formatResult("  reference ZooKeeper ensemble", result.reference)}\n${formatResult("  zkts ensemble              ", result.zkts)}\n`);
  if (load.options.ratePerSecond !== undefined) {
    const p50Ratios = result.rounds.map((p) => p.zkts.latencyMs.p50 / p.reference.latencyMs.p50);
    process.stdout.write(
      `  p99 ratio zkts/reference: ${result.p99Ratio.toFixed(2)}, median of ${rounds} (${listed(result.rounds, (p) => p.p99Ratio)}); p50 ratios ${p50Ratios.map((r) => r.toFixed(2)).join(", ")}\n`,
    );
  } else {
    process.stdout.write(`  throughput ratio zkts/reference: ${result.ratio.toFixed(2)}, median of ${rounds} (${listed(result.rounds, (p) => p.ratio)})\n`);
  }
}
