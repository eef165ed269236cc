// Command-line parsing for zkts-check, kept apart from I/O so it can be tested.
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

export const USAGE = `usage: zkts-check [--model NAME] [--format jsonl|jepsen-log|jepsen-edn|kv]
                  [--timeout 60s] [--html out.html] [--no-partition]
                  [--workload ${WORKLOADS.join("|")}] FILE

Checks that the history in FILE is linearizable with respect to the model
(${Object.keys(MODELS).join(", ")}; default cas-register, or kv for --format kv),
or runs a workload checker that needs no search.
Exit status: 0 linearizable (or workload valid), 1 not, 2 unknown (limit reached),
3 bad usage, an unreadable history, or an op the model does not know.`;

export class UsageError extends Error {}

export function parseDuration(text: string): number {
  const match = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/.exec(text.trim());
  if (!match) throw new UsageError(`bad duration ${text}; use e.g. 500ms, 60s, 5m`);
  const scale = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[match[2] ?? "s"]!;
  return Number(match[1]) * scale;
}

export function parseArgs(argv: readonly string[]): CliOptions {
  let file: string | undefined;
  let model: string | undefined;
  let format: HistoryFormat | undefined;
  let timeoutMs = 60_000;
  let html: string | undefined;
  let partition = true;
  let workload: WorkloadName | undefined;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const [name, inline] = arg.startsWith("--") && arg.includes("=") ? [arg.slice(0, arg.indexOf("=")), arg.slice(arg.indexOf("=") + 1)] : [arg, undefined];
    const value = (): string => {
      const v = inline ?? argv[++i];
      if (v === undefined) throw new UsageError(`${name} needs a value`);
      return v;
    };
    switch (name) {
      case "--model":
        model = value();
        if (!MODELS[model]) throw new UsageError(`unknown model ${model}`);
        break;
      case "--format": {
        const f = value();
        if (!(FORMATS as readonly string[]).includes(f)) throw new UsageError(`unknown format ${f}`);
        format = f as HistoryFormat;
        break;
      }
      case "--timeout":
        timeoutMs = parseDuration(value());
        break;
      case "--html":
        html = value();
        break;
      case "--no-partition":
        partition = false;
        break;
      case "--workload": {
        const w = value();
        if (!(WORKLOADS as readonly string[]).includes(w)) throw new UsageError(`unknown workload ${w}`);
        workload = w as WorkloadName;
        break;
      }
      case "-h":
      case "--help":
        throw new UsageError("");
      default:
        if (name.startsWith("-") && name !== "-") throw new UsageError(`unknown option ${name}`);
        if (file !== undefined) throw new UsageError("give one history file");
        file = name;
    }
  }
  if (file === undefined) throw new UsageError("no history file given");
  return { file, model: model ?? (format === "kv" ? "kv" : "cas-register"), format, timeoutMs, html, partition, workload };
}
