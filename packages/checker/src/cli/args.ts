// Command-line parsing for zkts-check, kept apart from I/O so it can be tested.
import { parseCommand, UsageError, usageExit, type CommandSpec, type EarlyExit } from "@zkts/cli-args";
import { FORMATS, type HistoryFormat } from "../history/load.js";
import { MODELS } from "../models/index.js";

export const WORKLOADS = ["mutual-exclusion", "unique-ids", "counter", "set-membership", "queue-order"] as const;
export type WorkloadName = (typeof WORKLOADS)[number];

export interface CliOptions {
  file: string;
  model: string;
  format: HistoryFormat | undefined;
  timeoutMs: number;
  html: string | undefined;
  partition: boolean;
  workload: WorkloadName | undefined;
}

/** zkts-check's options; the version comes from the caller, which reads it from package.json. */
export function checkSpec(version: string) {
  return {
    name: "zkts-check",
    version,
    synopsis: [
      `zkts-check [--model NAME] [--format ${FORMATS.join("|")}] [--timeout 60s] [--html out.html] [--no-partition]`,
      `           [--workload ${WORKLOADS.join("|")}] FILE`,
    ],
    summary: "Checks that the history in FILE is linearizable with respect to the model, or runs a workload\n" + "checker that needs no search.",
    options: {
      model: { type: "string", value: "NAME", description: `${Object.keys(MODELS).join(", ")}\n(default cas-register, or kv for --format kv)` },
      format: { type: "string", value: "FORMAT", description: `${FORMATS.join(", ")} (default: guessed from the file)` },
      timeout: { type: "string", value: "DURATION", description: "search budget, e.g. 500ms, 60s, 5m (default 60s)" },
      html: { type: "string", value: "FILE", description: "also write an HTML report" },
      "no-partition": { type: "boolean", description: "check all keys together instead of one key at a time" },
      workload: { type: "string", value: "NAME", description: WORKLOADS.join(", ") },
    },
    positionals: { min: 1, max: 1 },
    epilogue:
      "Exit status: 0 linearizable (or workload valid), 1 not, 2 unknown (limit reached),\n" +
      "3 bad usage, an unreadable history, or an op the model does not know.",
    // 2 already means "unknown": a usage error must not read as an undecided check.
    usageExitCode: 3,
  } as const satisfies CommandSpec;
}

export { UsageError };

export function parseDuration(text: string): number {
  const match = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/.exec(text.trim());
  if (!match) throw new UsageError(`bad duration ${text}; use e.g. 500ms, 60s, 5m`);
  const scale = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[match[2] ?? "s"]!;
  return Number(match[1]) * scale;
}

/** The options, or what to print instead (help, version, a usage error). */
export function parseArgs(argv: readonly string[], version = "unknown"): CliOptions | EarlyExit {
  const spec = checkSpec(version);
  const outcome = parseCommand(spec, argv);
  if (outcome.kind === "exit") return outcome;
  const { values, positionals } = outcome;
  try {
    const model = values.model;
    if (model !== undefined && !MODELS[model]) throw new UsageError(`unknown model ${model}`);
    const format = values.format;
    if (format !== undefined && !(FORMATS as readonly string[]).includes(format)) throw new UsageError(`unknown format ${format}`);
    const workload = values.workload;
    if (workload !== undefined && !(WORKLOADS as readonly string[]).includes(workload)) throw new UsageError(`unknown workload ${workload}`);
    return {
      file: positionals[0]!,
      model: model ?? (format === "kv" ? "kv" : "cas-register"),
      format: format as HistoryFormat | undefined,
      timeoutMs: values.timeout === undefined ? 60_000 : parseDuration(values.timeout),
      html: values.html,
      partition: values["no-partition"] !== true,
      workload: workload as WorkloadName | undefined,
    };
  } catch (error) {
    if (error instanceof UsageError) return usageExit(spec, error.message);
    throw error;
  }
}
