#!/usr/bin/env node
import { packageVersion } from "@zkts/cli-args";
import type { ReadMode } from "./sim/client.js";
import { runSimulation } from "./sim/simulation.js";
import { TOXIPROXY_USAGE, runToxiproxyCommand } from "./toxiproxy/cli-command.js";
import { RUN_USAGE, runCommand } from "./run/run-command.js";
import { REPLAY_USAGE, replayCommand } from "./run/replay-command.js";
import { SHRINK_USAGE, shrinkCommand } from "./run/shrink-command.js";
import { SCENARIO_USAGE, scenarioCommand } from "./scenarios/scenario-command.js";
import { CATALOGUE_USAGE, catalogueCommand } from "./scenarios/catalogue-command.js";
import { REPORT_USAGE, reportCommand } from "./report/report-command.js";

const USAGE = `usage: zkts-lab sim --seed N [--voters 3] [--observers 0] [--clients 4] [--keys 3] [--chaos-ms 8000] [--reads linearizable|sync|plain|none] [--trace]
  Runs one deterministic simulation of a zkts ensemble and checks it; the same arguments
  replay the same run. Exit 0 when every check passed, 1 when one failed, 3 on bad usage.
zkts-lab --version
${TOXIPROXY_USAGE}`;

/** Bad usage, as every zkts-lab subcommand reports it (2 is taken: the checker's "unknown"). */
const USAGE_EXIT = 3;

function parse(argv: string[]): Record<string, string | true> | null {
  const out: Record<string, string | true> = {};
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    if (!arg.startsWith("--")) return null;
    const name = arg.slice(2);
    const next = argv[i + 1];
    if (name === "trace") out[name] = true;
    else if (next === undefined) return null;
    else {
      out[name] = next;
      i++;
    }
  }
  return out;
}

function integer(value: string | true | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isSafeInteger(n)) throw new Error(`not an integer: ${String(value)}`);
  return n;
}

function readMode(value: string | true | undefined): ReadMode {
  if (value === undefined) return "linearizable";
  if (value === "linearizable" || value === "sync" || value === "plain" || value === "none") return value;
  throw new Error(`--reads takes linearizable, sync, plain or none, not ${String(value)}`);
}

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (command === "--version") {
    process.stdout.write(`zkts-lab ${packageVersion(import.meta.url)}\n`);
    return 0;
  }
  if (command === "toxiproxy") return runToxiproxyCommand(rest);
  if (command === "run") return await runCommand(rest);
  if (command === "scenario") return await scenarioCommand(rest);
  if (command === "replay") return await replayCommand(rest);
  if (command === "shrink") return await shrinkCommand(rest);
  if (command === "catalogue") return await catalogueCommand(rest);
  if (command === "report") return await reportCommand(rest);
  if (command === "--help" || command === "-h" || command === "help") {
    process.stdout.write(`${USAGE}\n\n${RUN_USAGE}\n\n${SCENARIO_USAGE}\n\n${REPLAY_USAGE}\n\n${SHRINK_USAGE}\n\n${CATALOGUE_USAGE}\n\n${REPORT_USAGE}\n`);
    return 0;
  }
  const args = command === "sim" ? parse(rest) : null;
  if (args === null || args.seed === undefined) {
    if (command === undefined) process.stderr.write("zkts-lab: a command is missing\n");
    else if (command !== "sim") process.stderr.write(`zkts-lab: unknown ${command.startsWith("-") ? "option" : "command"} '${command}'\n`);
    process.stderr.write(`${USAGE}\n`);
    return USAGE_EXIT;
  }
  const result = await runSimulation({
    seed: integer(args.seed, 0),
    voters: integer(args.voters, 3),
    observers: integer(args.observers, 0),
    clients: integer(args.clients, 4),
    keys: integer(args.keys, 3),
    chaosMs: integer(args["chaos-ms"], 8000),
    reads: readMode(args.reads),
    trace: args.trace === true,
  });
  if (args.trace === true) process.stdout.write(`${result.trace.join("\n")}\n`);
  process.stdout.write(`${JSON.stringify(result.stats)}\n`);
  if (result.failures.length === 0) {
    process.stdout.write(`seed ${result.options.seed}: every check passed\n`);
    return 0;
  }
  process.stdout.write(`seed ${result.options.seed} FAILED:\n${result.failures.join("\n")}\nreplay: ${result.replay}\n`);
  return 1;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    // node's parseArgs refusing an option is a usage error, whichever subcommand parsed it.
    if ((err as { code?: string }).code?.startsWith("ERR_PARSE_ARGS") === true) {
      process.stderr.write(`zkts-lab: ${(err as Error).message}\nRun 'zkts-lab --help' for the usage.\n`);
      process.exit(USAGE_EXIT);
    }
    process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exit(2);
  },
);
