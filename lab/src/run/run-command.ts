import { parseArgs } from "node:util";
import { type DriverName, allZkts, parseTarget } from "../cluster/cluster.js";
import { parseNemeses } from "../nemesis/planner.js";
import type { ReadMode } from "../workloads/worker.js";
import { runLab } from "./run.js";
import { type RunOptions, WORKLOADS, type WorkloadName } from "./run-options.js";
import { admitUnsafe, withUnsafeMode } from "./unsafe.js";

export const RUN_USAGE = `usage: zkts-lab run [--driver processes] [--target zkts|zookeeper|mixed:ZZK] [--nodes 3|5]
                   [--workload register|set|ephemerals|unique-ids|counter|queue|lock|watches] [--reads linearizable|sync|plain]
                   [--nemesis partition,kill,pause,latency,bandwidth,slicer,reset-peer,disk,reconfig|all|none]
                   [--time 60s] [--rate 200] [--clients N] [--seed N] [--out DIR]
                   [--toxiproxy URL] [--unsafe MODE]
  Runs the workload against a fresh ensemble whose every link goes through Toxiproxy, while
  the nemesis alternates faults and heals; then heals, waits, reads the final state and checks
  the history. DIR receives history.jsonl, schedule.json, results.json, junit.xml and logs/.
  --target mixed:ZZK runs a mixed ensemble, a letter per member in id order: Z for ZooKeeper 3.8,
  K for zkts (reads default to sync there, as on zookeeper).
  --toxiproxy URL uses that Toxiproxy server instead of starting the lab's own.
  reconfig (not part of all; processes and containers drivers) changes the membership beside the other
  faults: members are then named in their server lines and resolve the names per member.
  --unsafe MODE runs zkts members with a deliberate bug (commit-without-quorum, unconfirmed-reads,
  ack-before-fsync, never-expire) to show the checker catches it; needs ZKTS_UNSAFE=1.
  Exit status: 0 valid, 1 invalid, 2 unknown (the checker's budget ran out), 3 bad usage.`;

export class UsageError extends Error {}

/** "60s", "1500ms", "2m" or plain milliseconds. */
export function parseDurationMs(text: string): number {
  const match = /^(\d+(?:\.\d+)?)(ms|s|m)?$/.exec(text.trim());
  if (match === null) throw new UsageError(`not a duration: ${text} (try 60s, 1500ms, 2m)`);
  const n = Number(match[1]);
  return Math.round(match[2] === "s" ? n * 1000 : match[2] === "m" ? n * 60_000 : n);
}

function oneOf<T extends string>(name: string, value: string, allowed: readonly T[]): T {
  if (!(allowed as readonly string[]).includes(value)) throw new UsageError(`--${name} takes ${allowed.join(", ")}, not ${value}`);
  return value as T;
}

function integer(name: string, value: string, min: number): number {
  const n = Number(value);
  if (!Number.isSafeInteger(n) || n < min) throw new UsageError(`--${name} takes an integer of at least ${min}, not ${value}`);
  return n;
}

export function parseRunArgs(argv: string[]): RunOptions | "help" {
  const { values } = parseArgs({
    args: argv,
    strict: true,
    options: {
      driver: { type: "string", default: "processes" },
      target: { type: "string", default: "zkts" },
      nodes: { type: "string", default: "3" },
      workload: { type: "string", default: "register" },
      reads: { type: "string" },
      nemesis: { type: "string", default: "partition,kill" },
      time: { type: "string", default: "60s" },
      rate: { type: "string", default: "200" },
      clients: { type: "string" },
      seed: { type: "string" },
      out: { type: "string" },
      toxiproxy: { type: "string" },
      unsafe: { type: "string" },
      help: { type: "boolean", short: "h" },
    },
  });
  if (values.help) return "help";
  const target = parseTarget(values.target!);
  if (target === null) throw new UsageError(`--target takes zkts, zookeeper or mixed:<K for zkts, Z for ZooKeeper, a letter per member>, not ${values.target}`);
  const nodes = integer("nodes", values.nodes!, 1);
  const seed = values.seed === undefined ? Math.floor(Math.random() * 1_000_000) : integer("seed", values.seed, 0);
  const options: RunOptions = {
    driver: oneOf<DriverName>("driver", values.driver!, ["processes", "containers", "simulated"]),
    target,
    nodes,
    workload: oneOf<WorkloadName>("workload", values.workload!, WORKLOADS),
    reads: oneOf<ReadMode>("reads", values.reads ?? (allZkts(target, nodes) ? "linearizable" : "sync"), ["linearizable", "sync", "plain"]),
    nemesis: parseNemeses(values.nemesis!),
    timeMs: parseDurationMs(values.time!),
    rate: integer("rate", values.rate!, 1),
    seed,
    out: values.out ?? `lab-runs/${values.workload}-${target}-seed${seed}`,
    ...(values.clients === undefined ? {} : { clients: integer("clients", values.clients, 1) }),
    ...(values.toxiproxy === undefined ? {} : { toxiproxyUrl: values.toxiproxy }),
  };
  if (values.unsafe === undefined) return options;
  try {
    return withUnsafeMode(options, admitUnsafe(values.unsafe, target, process.env));
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
}

/** `zkts-lab run ...`: returns the exit status. */
export async function runCommand(argv: string[]): Promise<number> {
  let options: RunOptions | "help";
  try {
    options = parseRunArgs(argv);
  } catch (err) {
    process.stderr.write(`zkts-lab run: ${(err as Error).message}\n${RUN_USAGE}\n`);
    return 3;
  }
  if (options === "help") {
    process.stdout.write(`${RUN_USAGE}\n`);
    return 0;
  }
  const result = await runLab(options, (line) => process.stdout.write(`${line}\n`));
  process.stdout.write(`${result.out}\n`);
  return result.exitCode;
}
