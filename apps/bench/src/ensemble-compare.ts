#!/usr/bin/env node
import { type RunningEnsemble, startReferenceEnsemble, startZktsEnsemble } from "@zkts/testkit";
import { type LoadOptions, type LoadResult, formatResult, loadReport, runLoad, throughput } from "./load.js";
import { OUTPUT_OPTIONS, outputMode, scriptArgs } from "./script-args.js";

/**
 * The same load against a 3-member reference ZooKeeper 3.8 ensemble and a 3-member zkts
 * ensemble on this machine, one after the other, through a follower (writes forwarded to the
 * leader, committed by a quorum, every member fsyncing) and through the leader. Prints both and
 * the ratio.
 */
const { durationMs, seed, values } = scriptArgs(
  "zkts-bench ensemble-compare",
  "The same loads through a follower and through the leader of a 3-member reference ZooKeeper ensemble and a zkts one.",
  6,
  OUTPUT_OPTIONS,
);
const output = outputMode(values);

const WARMUP_MS_MAX = 2000;

/** About half of what either server's follower takes at 8 x 32 on a 2-core machine. */
const OFFERED_WRITES_PER_SECOND = 4000;

const loads: { name: string; options: Omit<LoadOptions, "host" | "port">; via?: "leader" }[] = [
  { name: "setData 1 KB through a follower", options: { clients: 8, outstanding: 32, durationMs, dataSize: 1024, readRatio: 0, seed } },
  { name: "setData 1 KB through the leader", via: "leader", options: { clients: 8, outstanding: 32, durationMs, dataSize: 1024, readRatio: 0, seed } },
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

async function measure(start: () => Promise<RunningEnsemble>): Promise<ReturnType<typeof loadReport>[]> {
  // One ensemble at a time: both would share the machine's two cores otherwise.
  const ensemble = await start();
  try {
    const results: ReturnType<typeof loadReport>[] = [];
    for (const load of loads) {
      const target = await targetOf(ensemble, load.via ?? "follower");
      // Warm up as long as the measured phase, up to 2 s (a smoke run measures one second).
      await runLoad({ ...load.options, ...target, durationMs: Math.min(WARMUP_MS_MAX, durationMs), progress: null });
      const options = { ...load.options, ...target, progress: output.progress };
      results.push(loadReport(options, await runLoad(options)));
    }
    return results;
  } finally {
    await ensemble.cleanup();
  }
}

const reference = await measure(() => startReferenceEnsemble({ voters: 3, tickTime: 2000 }));
const zkts = await measure(() => startZktsEnsemble({ voters: 3, tickTime: 2000 }));
if (output.json) {
  const results = loads.map((load, i) => ({
    load: load.name,
    reference: reference[i]!,
    zkts: zkts[i]!,
    ratio: throughput(zkts[i]!) / throughput(reference[i]!),
  }));
  process.stdout.write(`${JSON.stringify({ script: "ensemble-compare", parameters: { durationMs, seed, voters: 3 }, seed, loads: results }, null, 2)}\n`);
}
for (const [i, load] of output.json ? [] : loads.entries()) {
  const r: LoadResult = reference[i]!;
  const z: LoadResult = zkts[i]!;
  process.stdout.write(`\n${load.name} (${load.options.clients} clients x ${load.options.outstanding} outstanding, ${durationMs / 1000} s, seed ${seed})\n`);
  process.stdout.write(`${formatResult("  reference ZooKeeper ensemble", r)}\n${formatResult("  zkts ensemble              ", z)}\n`);
  if (load.options.ratePerSecond !== undefined) {
    process.stdout.write(
      `  p99 ratio zkts/reference: ${(z.latencyMs.p99 / r.latencyMs.p99).toFixed(2)} (p50 ${(z.latencyMs.p50 / r.latencyMs.p50).toFixed(2)})\n`,
    );
  } else {
    process.stdout.write(`  throughput ratio zkts/reference: ${(z.operations / z.elapsedMs / (r.operations / r.elapsedMs)).toFixed(2)}\n`);
  }
}
