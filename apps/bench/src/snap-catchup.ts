#!/usr/bin/env node
import { rm } from "node:fs/promises";
import { join } from "node:path";
import { integerValue } from "@zkts/cli-args";
import { type RunningEnsemble, fourLetterWord, startReferenceEnsemble, startZktsEnsemble } from "@zkts/testkit";
import { fill } from "./restart-bench.js";
import { OUTPUT_OPTIONS, outputMode, scriptArgs } from "./script-args.js";

/**
 * SNAP catch-up on a 3-member ensemble of the reference ZooKeeper 3.8 and of zkts: N znodes of
 * 100 B are written through the leader, then a follower is stopped, its snapshots and logs are
 * removed (its myid stays), and it is started again: the leader must send it the whole tree as
 * a snapshot. The figure is the time from starting that follower to it serving, its process
 * start included; its znode count is then checked against the leader's.
 */
const { values, usage } = scriptArgs(
  "zkts-bench snap-catchup",
  "SNAP catch-up of a follower that lost its data, on 3-member reference ZooKeeper and zkts ensembles:\nthe time from its start to it serving, per round.",
  null,
  {
    znodes: { type: "string", value: "N", description: "znodes of 100 B in the tree (default 100000)" },
    rounds: { type: "string", value: "N", description: "catch-ups per ensemble (default $BENCH_ROUNDS or 3)" },
    ...OUTPUT_OPTIONS,
  },
);
const output = outputMode(values);
const znodes = usage(() => integerValue(values.znodes as string | undefined, "--znodes", 100_000, { min: 1 }));
const rounds = usage(() => integerValue((values.rounds as string | undefined) ?? process.env.BENCH_ROUNDS, "--rounds", 3, { min: 1 }));

async function znodeCount(host: string, port: number): Promise<number> {
  const mntr = await fourLetterWord(host, port, "mntr");
  return Number(/^zk_znode_count\s+(\d+)$/m.exec(mntr)?.[1] ?? Number.NaN);
}

async function measure(name: string, start: () => Promise<RunningEnsemble>): Promise<number[]> {
  const ensemble = await start();
  const figures: number[] = [];
  try {
    const leader = await ensemble.waitForLeader(60_000);
    const filled = await fill(leader.server, { znodes, dataSize: 100, fanOut: 1000, clients: 4, outstanding: 100 });
    if (filled.errors > 0) throw new Error(`${name}: ${filled.errors} creates failed while filling`);
    for (let round = 0; round < rounds; round++) {
      const current = await ensemble.waitForLeader(60_000);
      const follower = ensemble.members.find((m) => m !== current)!;
      await follower.server.stop();
      await rm(join(follower.server.dataDir, "version-2"), { recursive: true, force: true });
      const startedAt = performance.now();
      await follower.server.restart();
      const ms = performance.now() - startedAt;
      const [theirs, ours] = [await znodeCount(current.server.host, current.server.port), await znodeCount(follower.server.host, follower.server.port)];
      if (theirs !== ours) throw new Error(`${name}: the follower serves ${ours} znodes, the leader ${theirs}`);
      figures.push(ms);
      const line = `  ${name} round ${round + 1}: follower ${follower.id} caught up on ${ours} znodes by SNAP, serving after ${ms.toFixed(0)} ms`;
      if (output.json) output.log(line);
      else process.stdout.write(`${line}\n`);
    }
    return figures;
  } finally {
    await ensemble.cleanup();
  }
}

function median(figures: number[]): number {
  return [...figures].sort((a, b) => a - b)[Math.floor(figures.length / 2)]!;
}

const options = { voters: 3, tickTime: 2000, initLimit: 30, syncLimit: 10, startTimeoutMs: 300_000 };
const reference = await measure("reference", () => startReferenceEnsemble(options));
const zkts = await measure("zkts", () => startZktsEnsemble(options));
if (output.json) {
  process.stdout.write(
    `${JSON.stringify({ script: "snap-catchup", parameters: { znodes, rounds, ...options }, reference: { roundsMs: reference }, zkts: { roundsMs: zkts } }, null, 2)}\n`,
  );
} else {
  process.stdout.write(`\nSNAP catch-up of a follower that lost its data, ${znodes} znodes of 100 B, 3 members\n`);
  process.stdout.write(`  reference ZooKeeper 3.8: median ${median(reference).toFixed(0)} ms over ${reference.length}\n`);
  process.stdout.write(`  zkts:                    median ${median(zkts).toFixed(0)} ms over ${zkts.length}\n`);
  process.stdout.write(`  ratio zkts/ZooKeeper: ${(median(zkts) / median(reference)).toFixed(2)}\n`);
}
