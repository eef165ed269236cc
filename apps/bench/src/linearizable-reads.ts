#!/usr/bin/env node
import { startZktsEnsemble } from "@zkts/testkit";
import { type LoadOptions, type LoadResult, formatResult, loadReport, runLoad, throughput } from "./load.js";
import { OUTPUT_OPTIONS, outputMode, scriptArgs } from "./script-args.js";

/**
 * What zkts's opt-in linearizable reads cost: the same getData load against one follower of
 * a 3-member zkts ensemble, as plain reads (ZooKeeper's, served from the follower's tree) and
 * as linearizable reads (each waits for the leader to confirm its leadership with a quorum
 * PING round, and for the follower to catch up), pipelined and one at a time.
 */
const { durationMs, seed, values } = scriptArgs(
  "zkts-bench linearizable-reads",
  "Plain against linearizable getData through one follower of a 3-member zkts ensemble.",
  6,
  OUTPUT_OPTIONS,
);
const output = outputMode(values);
const results: { shape: string; plain: ReturnType<typeof loadReport>; linearizable: ReturnType<typeof loadReport>; ratio: number }[] = [];
const LINEARIZABLE = { scheme: "zkts", auth: "linearizable-reads" };

const shapes: { name: string; options: Omit<LoadOptions, "host" | "port"> }[] = [
  { name: "getData 1 KB, 8 clients x 32 in flight", options: { clients: 8, outstanding: 32, durationMs, dataSize: 1024, readRatio: 1, seed } },
  { name: "getData 1 KB, 8 clients x 1 in flight", options: { clients: 8, outstanding: 1, durationMs, dataSize: 1024, readRatio: 1, seed } },
];

const ensemble = await startZktsEnsemble({ voters: 3, tickTime: 2000 });
try {
  const leader = await ensemble.waitForLeader();
  const follower = ensemble.members.find((m) => m !== leader)!;
  const target = { host: "127.0.0.1", port: follower.server.port };
  for (const shape of shapes) {
    await runLoad({ ...shape.options, ...target, durationMs: 2000, progress: null });
    const plainOptions = { ...shape.options, ...target, progress: output.progress };
    const linearizableOptions = { ...plainOptions, auth: LINEARIZABLE };
    const plain: LoadResult = await runLoad(plainOptions);
    const linearizable: LoadResult = await runLoad(linearizableOptions);
    const ratio = throughput(linearizable) / throughput(plain);
    results.push({ shape: shape.name, plain: loadReport(plainOptions, plain), linearizable: loadReport(linearizableOptions, linearizable), ratio });
    if (output.json) continue;
    process.stdout.write(`\n${shape.name} against follower ${follower.id} (${durationMs / 1000} s, seed ${seed})\n`);
    process.stdout.write(`${formatResult("  plain reads       ", plain)}\n${formatResult("  linearizable reads", linearizable)}\n`);
    process.stdout.write(`  throughput ratio linearizable/plain: ${ratio.toFixed(2)}\n`);
  }
} finally {
  await ensemble.cleanup();
}
if (output.json)
  process.stdout.write(`${JSON.stringify({ script: "linearizable-reads", parameters: { durationMs, seed, voters: 3 }, seed, shapes: results }, null, 2)}\n`);
