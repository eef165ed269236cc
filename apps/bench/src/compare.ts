#!/usr/bin/env node
import { startReferenceZooKeeper, startZkts } from "@zkts/testkit";
import { type LoadOptions, type LoadResult, formatResult, loadReport, runLoad, throughput } from "./load.js";
import { OUTPUT_OPTIONS, outputMode, scriptArgs } from "./script-args.js";

/**
 * Runs the same load against the reference Apache ZooKeeper and standalone zkts, one after
 * the other on this machine, and prints both and the ratio. Both run with their defaults:
 * every write is in an fsynced transaction log before it is acknowledged.
 */
const { durationMs, seed, values } = scriptArgs(
  "zkts-bench compare",
  "The same loads against the reference ZooKeeper 3.8 and standalone zkts, one after the other.",
  8,
  OUTPUT_OPTIONS,
);
const output = outputMode(values);

const loads: { name: string; options: Omit<LoadOptions, "host" | "port"> }[] = [
  { name: "getData 1 KB", options: { clients: 8, outstanding: 32, durationMs, dataSize: 1024, readRatio: 1, seed } },
  { name: "50/50 get/set 1 KB", options: { clients: 8, outstanding: 32, durationMs, dataSize: 1024, readRatio: 0.5, seed } },
  { name: "setData 1 KB", options: { clients: 8, outstanding: 32, durationMs, dataSize: 1024, readRatio: 0, seed } },
  { name: "setData 1 KB, one at a time", options: { clients: 8, outstanding: 1, durationMs, dataSize: 1024, readRatio: 0, seed } },
];

const results: { load: string; reference: ReturnType<typeof loadReport>; zkts: ReturnType<typeof loadReport>; ratio: number }[] = [];
const reference = await startReferenceZooKeeper();
const zkts = await startZkts();
try {
  for (const load of loads) {
    // Warm both up (JIT on both sides), then measure.
    for (const server of [reference, zkts]) {
      await runLoad({ ...load.options, durationMs: 2000, host: server.host, port: server.port, progress: null });
    }
    const referenceOptions = { ...load.options, host: reference.host, port: reference.port, progress: output.progress };
    const zktsOptions = { ...load.options, host: zkts.host, port: zkts.port, progress: output.progress };
    const r: LoadResult = await runLoad(referenceOptions);
    const z: LoadResult = await runLoad(zktsOptions);
    const ratio = throughput(z) / throughput(r);
    results.push({ load: load.name, reference: loadReport(referenceOptions, r), zkts: loadReport(zktsOptions, z), ratio });
    if (output.json) continue;
    process.stdout.write(`\n${load.name} (${load.options.clients} clients x ${load.options.outstanding} outstanding, ${durationMs / 1000} s, seed ${seed})\n`);
    process.stdout.write(`${formatResult("  reference ZooKeeper", r)}\n${formatResult("  zkts", z)}\n`);
    process.stdout.write(`  throughput ratio zkts/reference: ${ratio.toFixed(2)}\n`);
  }
} finally {
  await Promise.all([reference.cleanup(), zkts.cleanup()]);
}
if (output.json) process.stdout.write(`${JSON.stringify({ script: "compare", parameters: { durationMs, seed }, seed, loads: results }, null, 2)}\n`);
