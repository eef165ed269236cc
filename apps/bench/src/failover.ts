#!/usr/bin/env node
import { CreateRequest, Ids, OpCode, SetDataRequest } from "@zkts/jute";
import { type EnsembleMember, type RunningEnsemble, startReferenceEnsemble, startZktsEnsemble } from "@zkts/testkit";
import { integerValue } from "@zkts/cli-args";
import { BenchConnection } from "./load.js";
import { summarize } from "./histogram.js";
import { OUTPUT_OPTIONS, outputMode, scriptArgs } from "./script-args.js";

/**
 * Leader failover on a 3-member ensemble of the reference ZooKeeper 3.8 and of zkts, one after
 * the other (tickTime 2000, initLimit 10, syncLimit 5, as a common zoo.cfg): each round SIGKILLs
 * the leader and times the next acknowledged write, then restarts the killed member and waits
 * until every member serves again. A write attempt is a fresh session on one surviving member
 * and one setData; a new attempt starts every 20 ms on the next member, and the first one
 * acknowledged ends the round: the figure is the servers' recovery (to within 20 ms), not a
 * client library's reconnect policy.
 */
const { values, usage } = scriptArgs(
  "zkts-bench failover",
  "Leader failover on 3-member reference ZooKeeper and zkts ensembles: the time from the leader's\nSIGKILL to the next acknowledged write, per round.",
  null,
  { rounds: { type: "string", value: "N", description: "rounds per ensemble (default $BENCH_ROUNDS or 10)" }, ...OUTPUT_OPTIONS },
);
const output = outputMode(values);
const rounds = usage(() => integerValue((values.rounds as string | undefined) ?? process.env.BENCH_ROUNDS, "--rounds", 10, { min: 1 }));
/** A new write attempt starts this often; each is given up after ATTEMPT_TIMEOUT_MS. */
const ATTEMPT_INTERVAL_MS = 20;
const ATTEMPT_TIMEOUT_MS = 2000;
const PATH = "/failover";

async function withTimeout<T>(work: Promise<T>, ms: number): Promise<T | null> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<null>((resolve) => (timer = setTimeout(() => resolve(null), ms)));
  try {
    return await Promise.race([work, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** One setData through a new session on `member`: true once acknowledged. */
async function writeOnce(member: EnsembleMember, payload: string): Promise<boolean> {
  let connection: BenchConnection | null = null;
  const attempt = async (): Promise<boolean> => {
    connection = await BenchConnection.open(member.server.host, member.server.port);
    const replied = new Promise<number>((resolve) => (connection!.onReply = (err) => resolve(err)));
    connection.send(OpCode.setData, (w) => SetDataRequest.write(w, { path: PATH, data: Buffer.from(payload), version: -1 }));
    return (await replied) === 0;
  };
  try {
    return (
      (await withTimeout(
        attempt().catch(() => false),
        ATTEMPT_TIMEOUT_MS,
      )) === true
    );
  } finally {
    (connection as BenchConnection | null)?.close();
  }
}

/**
 * Starts a write attempt on the next running member every ATTEMPT_INTERVAL_MS, each on its
 * own connection, and returns when the first one is acknowledged: an attempt stuck on a member
 * that has not noticed the death yet does not hold up the others.
 */
async function nextAcknowledgedWrite(ensemble: RunningEnsemble, payload: string, deadlineMs: number): Promise<number> {
  return await new Promise<number>((resolve, reject) => {
    let done = false;
    let i = 0;
    const attempt = () => {
      if (done) return;
      if (performance.now() > deadlineMs) {
        done = true;
        reject(new Error("no write was acknowledged within 60 s of the leader's death"));
        return;
      }
      const running = ensemble.members.filter((m) => m.server.pid !== null);
      void writeOnce(running[i++ % running.length]!, payload).then((ok) => {
        if (ok && !done) {
          done = true;
          resolve(performance.now());
        }
      });
      setTimeout(attempt, ATTEMPT_INTERVAL_MS);
    };
    attempt();
  });
}

async function measure(name: string, start: () => Promise<RunningEnsemble>): Promise<number[]> {
  const ensemble = await start();
  const figures: number[] = [];
  try {
    const leader = await ensemble.waitForLeader(60_000);
    const setup = await BenchConnection.open(leader.server.host, leader.server.port);
    await new Promise<void>((resolve) => {
      setup.onReply = () => resolve();
      setup.send(OpCode.create, (w) => CreateRequest.write(w, { path: PATH, data: Buffer.alloc(0), acl: [...Ids.OPEN_ACL_UNSAFE], flags: 0 }));
    });
    setup.close();
    for (let round = 0; round < rounds; round++) {
      const current = await ensemble.waitForLeader(60_000);
      const killedAt = performance.now();
      await current.server.kill();
      const acknowledgedAt = await nextAcknowledgedWrite(ensemble, `round ${round}`, killedAt + 60_000);
      figures.push(acknowledgedAt - killedAt);
      const line = `  ${name} round ${round + 1}: leader ${current.id} killed, next write acknowledged after ${(acknowledgedAt - killedAt).toFixed(0)} ms`;
      // Under --json stdout carries the document alone, so the rounds go to stderr.
      if (output.json) output.log(line);
      else process.stdout.write(`${line}\n`);
      await current.server.restart();
    }
    return figures;
  } finally {
    await ensemble.cleanup();
  }
}

function summary(figures: number[]): string {
  const sorted = [...figures].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!.toFixed(0);
  return `median ${at(0.5)} ms, min ${sorted[0]!.toFixed(0)} ms, max ${sorted[sorted.length - 1]!.toFixed(0)} ms over ${figures.length} kills`;
}

const options = { voters: 3, tickTime: 2000 };
const reference = await measure("reference", () => startReferenceEnsemble(options));
const zkts = await measure("zkts", () => startZktsEnsemble(options));
if (output.json) {
  const result = (roundsMs: number[]) => ({ roundsMs, latencyMs: summarize(roundsMs) });
  const parameters = { rounds, voters: options.voters, tickTime: options.tickTime, attemptIntervalMs: ATTEMPT_INTERVAL_MS };
  process.stdout.write(`${JSON.stringify({ script: "failover", parameters, reference: result(reference), zkts: result(zkts) }, null, 2)}\n`);
} else {
  process.stdout.write(`\nleader SIGKILL -> next acknowledged write, 3 members, tickTime ${options.tickTime} ms\n`);
  process.stdout.write(`  reference ZooKeeper 3.8: ${summary(reference)}\n  zkts:                    ${summary(zkts)}\n`);
}
