#!/usr/bin/env node
import { integerValue } from "@zkts/cli-args";
import { type RunningEnsemble, startReferenceEnsemble, startZktsEnsemble } from "@zkts/testkit";
import { summarize } from "./histogram.js";
import { OUTPUT_OPTIONS, outputMode, scriptArgs } from "./script-args.js";

/**
 * Fresh 3-member ensembles of the reference ZooKeeper 3.8 and of zkts, started alternately on
 * empty data directories (tickTime 2000, all three members launched at once): the time from
 * launching the processes to every member serving (a leader elected and synced, each member's
 * `srvr` answering with its mode). It includes each server's process start (a JVM's, Node's),
 * as an operator starting an ensemble waits for it.
 */
const { values, usage } = scriptArgs(
  "zkts-bench fresh-start",
  "Fresh 3-member ensembles of the reference ZooKeeper and zkts, started alternately: the time from\nlaunching the members to every member serving, per start.",
  null,
  { rounds: { type: "string", value: "N", description: "starts per server (default $BENCH_ROUNDS or 5)" }, ...OUTPUT_OPTIONS },
);
const output = outputMode(values);
const rounds = usage(() => integerValue((values.rounds as string | undefined) ?? process.env.BENCH_ROUNDS, "--rounds", 5, { min: 1 }));
const options = { voters: 3, tickTime: 2000, startTimeoutMs: 120_000 };

async function timedStart(name: string, round: number, start: () => Promise<RunningEnsemble>): Promise<number> {
  const startedAt = performance.now();
  const ensemble = await start();
  const ms = performance.now() - startedAt;
  await ensemble.cleanup();
  const line = `  ${name} start ${round + 1}: every member serving after ${ms.toFixed(0)} ms`;
  if (output.json) output.log(line);
  else process.stdout.write(`${line}\n`);
  return ms;
}

const reference: number[] = [];
const zkts: number[] = [];
for (let round = 0; round < rounds; round++) {
  reference.push(await timedStart("reference", round, () => startReferenceEnsemble(options)));
  zkts.push(await timedStart("zkts", round, () => startZktsEnsemble(options)));
}

function summary(figures: number[]): string {
  const sorted = [...figures].sort((a, b) => a - b);
  const median = sorted[Math.floor(sorted.length / 2)]!;
  return `median ${median.toFixed(0)} ms, min ${sorted[0]!.toFixed(0)} ms, max ${sorted[sorted.length - 1]!.toFixed(0)} ms over ${figures.length} starts`;
}

if (output.json) {
  const result = (startsMs: number[]) => ({ startsMs, latencyMs: summarize(startsMs) });
  process.stdout.write(
    `${JSON.stringify({ script: "fresh-start", parameters: { rounds, ...options }, reference: result(reference), zkts: result(zkts) }, null, 2)}\n`,
  );
} else {
  const worst = (figures: number[]) => Math.max(...figures);
  process.stdout.write(`\nfresh 3-member ensemble, launch -> every member serving, tickTime ${options.tickTime} ms\n`);
  process.stdout.write(`  reference ZooKeeper 3.8: ${summary(reference)}\n  zkts:                    ${summary(zkts)}\n`);
  process.stdout.write(`  zkts's slowest start / ZooKeeper's slowest: ${(worst(zkts) / worst(reference)).toFixed(2)}\n`);
}
