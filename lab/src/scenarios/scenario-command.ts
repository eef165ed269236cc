import { parseArgs } from "node:util";
import { type DriverName, parseTarget } from "../cluster/cluster.js";
import { findScenario, loadScenarios } from "./library.js";
import type { ReadMode } from "../workloads/worker.js";
import { runScenario } from "./run-scenario.js";
import { admitUnsafe } from "../run/unsafe.js";

export const SCENARIO_USAGE = `usage: zkts-lab scenario --list
       zkts-lab scenario NAME --target zkts|zookeeper|mixed:ZZK [--driver processes] [--seed N] [--out DIR] [--toxiproxy URL]
                               [--reads plain|sync|linearizable] [--unsafe MODE]
  Runs a named split-brain scenario of lab/scenarios/ and compares the checker's verdict with
  the one the scenario expects on that target (a mixed ensemble, K zkts and Z ZooKeeper members
  in id order, is expected to do as ZooKeeper does, with its read mode). --reads overrides the scenario's read mode for
  that target (the expectation then no longer applies: exit 0 valid, 1 invalid). --unsafe MODE
  runs zkts with that deliberate bug (ZKTS_UNSAFE=1 required): exit 0 valid, 1 invalid (caught),
  and the scenario's \`catches\` says whether it is expected to catch it. Exit status otherwise:
  0 as expected, 1 not as expected, 3 bad usage.`;

export async function scenarioCommand(argv: string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        list: { type: "boolean" },
        target: { type: "string" },
        driver: { type: "string", default: "processes" },
        seed: { type: "string" },
        out: { type: "string" },
        toxiproxy: { type: "string" },
        reads: { type: "string" },
        unsafe: { type: "string" },
        help: { type: "boolean", short: "h" },
      },
    });
  } catch (err) {
    process.stderr.write(`zkts-lab scenario: ${(err as Error).message}\n${SCENARIO_USAGE}\n`);
    return 3;
  }
  const { values, positionals } = parsed;
  if (values.help) {
    process.stdout.write(`${SCENARIO_USAGE}\n`);
    return 0;
  }
  if (values.list) {
    for (const s of loadScenarios()) {
      process.stdout.write(`${s.name}  [${s.references.join(", ") || "-"}]\n  ${s.summary}\n`);
      if (s.catches !== undefined) process.stdout.write(`  catches unsafe modes: ${s.catches.join(", ")}\n`);
      for (const target of ["zookeeper", "zkts"] as const) {
        const e = s.expect[target];
        process.stdout.write(`  ${target.padEnd(9)} reads ${e.reads.padEnd(12)} expect ${e.verdict.padEnd(7)} ${e.why}\n`);
      }
    }
    return 0;
  }
  const [name] = positionals;
  const parsedTarget = values.target === undefined ? null : parseTarget(values.target);
  if (name === undefined || positionals.length > 1 || parsedTarget === null) {
    process.stderr.write(`${SCENARIO_USAGE}\n`);
    return 3;
  }
  if (!["processes", "containers", "simulated"].includes(values.driver!)) {
    process.stderr.write(`zkts-lab scenario: --driver takes processes, containers or simulated\n`);
    return 3;
  }
  if (values.reads !== undefined && !["plain", "sync", "linearizable"].includes(values.reads)) {
    process.stderr.write(`zkts-lab scenario: --reads takes plain, sync or linearizable\n`);
    return 3;
  }
  const seed = values.seed === undefined ? Math.floor(Math.random() * 1_000_000) : Number(values.seed);
  if (!Number.isSafeInteger(seed)) {
    process.stderr.write(`zkts-lab scenario: --seed takes an integer\n`);
    return 3;
  }
  const scenario = findScenario(name);
  const target = parsedTarget;
  let unsafe;
  try {
    unsafe = values.unsafe === undefined ? undefined : admitUnsafe(values.unsafe, target, process.env);
  } catch (err) {
    process.stderr.write(`zkts-lab scenario: ${(err as Error).message}\n`);
    return 3;
  }
  const outcome = await runScenario(
    scenario,
    {
      target,
      driver: values.driver as DriverName,
      seed,
      out: values.out ?? `lab-runs/${scenario.name}-${target}-seed${seed}`,
      ...(values.toxiproxy === undefined ? {} : { toxiproxyUrl: values.toxiproxy }),
      ...(values.reads === undefined ? {} : { reads: values.reads as ReadMode }),
      ...(unsafe === undefined ? {} : { unsafe }),
    },
    (line) => process.stdout.write(`${line}\n`),
  );
  process.stdout.write(`${outcome.run.out}\n`);
  if (values.reads !== undefined || unsafe !== undefined) return outcome.run.verdict === "valid" ? 0 : 1;
  return outcome.asExpected ? 0 : 1;
}
