// The body of zkts-check: reads a history, checks it, prints a verdict, returns the exit code.
// Files and clocks come in as arguments so tests can run it without a process.
import { parseHistory } from "../history/load.js";
import type { History } from "../history/types.js";
import { modelByName } from "../models/index.js";
import { htmlReport } from "../report/html.js";
import { textSummary } from "../report/text.js";
import { checkOperations } from "../search/check.js";
import { checkCounter, checkMutualExclusion, checkQueueOrder, checkSetMembership, checkUniqueIds, type WorkloadResult } from "../workloads/index.js";
import { parseArgs, type CliOptions, type WorkloadName } from "./args.js";

export interface CliEnvironment {
  readFile(path: string): string;
  writeFile(path: string, text: string): void;
  clock(): number;
  out(text: string): void;
  err(text: string): void;
  /** Printed by --version. */
  version?: string;
}

export const EXIT = { linearizable: 0, "not-linearizable": 1, unknown: 2, usage: 3 } as const;

export function runCli(argv: readonly string[], env: CliEnvironment): number {
  let options: CliOptions;
  let history: History;
  const parsed = parseArgs(argv, env.version);
  if ("kind" in parsed) {
    (parsed.stream === "stdout" ? env.out : env.err)(parsed.text);
    return parsed.code;
  }
  options = parsed;
  try {
    history = parseHistory(env.readFile(options.file), options.format);
  } catch (error) {
    env.err(`zkts-check: ${(error as Error).message}\n`);
    return EXIT.usage;
  }
  for (const warning of history.warnings) env.err(`warning: ${warning}\n`);
  if (options.workload) return runWorkload(options.workload, history, env);

  const started = env.clock();
  const model = modelByName(options.model);
  let result;
  try {
    result = checkOperations(model, history.operations, {
      partition: options.partition,
      clock: env.clock,
      timeoutMs: options.timeoutMs,
    });
  } catch (error) {
    // An op the model does not know: the history and the model do not fit.
    env.err(`zkts-check: ${(error as Error).message}\n`);
    return EXIT.usage;
  }
  env.out(textSummary(result));
  env.out(`checked in ${(env.clock() - started).toFixed(1)} ms\n`);
  if (options.html) {
    env.writeFile(options.html, htmlReport(result, { title: options.file }));
    env.out(`report: ${options.html}\n`);
  }
  return EXIT[result.verdict];
}

function runWorkload(name: WorkloadName, history: History, env: CliEnvironment): number {
  const checkers: Record<WorkloadName, () => WorkloadResult> = {
    "mutual-exclusion": () => checkMutualExclusion(history.operations),
    "unique-ids": () => checkUniqueIds(history.operations),
    counter: () => checkCounter(history.operations),
    "set-membership": () => checkSetMembership(history.operations),
    "queue-order": () => checkQueueOrder(history.operations),
  };
  const result = checkers[name]();
  env.out(`${result.checker}: ${result.valid ? "valid" : "INVALID"}\n`);
  for (const problem of result.problems) env.out(`  ${problem}\n`);
  return result.valid ? 0 : 1;
}
