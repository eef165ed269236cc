import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { runLab } from "./run.js";
import type { RunOptions, ScheduledAction } from "./run-options.js";

export const REPLAY_USAGE = `usage: zkts-lab replay DIR [--out DIR2] [--driver processes] [--target zkts|zookeeper]
  Runs a recorded run again: the options of DIR/results.json with the fault schedule that
  actually ran (DIR/schedule.json) performed at the same offsets, instead of faults chosen from
  the seed. Exit status as zkts-lab run: 0 valid, 1 invalid, 2 unknown, 3 bad usage.`;

/** The options and schedule a run directory holds. */
export function recordedRun(dir: string): { options: RunOptions; schedule: ScheduledAction[] } {
  const results = JSON.parse(readFileSync(join(dir, "results.json"), "utf8")) as { options: RunOptions };
  const schedule = JSON.parse(readFileSync(join(dir, "schedule.json"), "utf8")) as ScheduledAction[];
  return { options: results.options, schedule };
}

export async function replayCommand(argv: string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: { out: { type: "string" }, driver: { type: "string" }, target: { type: "string" }, help: { type: "boolean", short: "h" } },
    });
  } catch (err) {
    process.stderr.write(`zkts-lab replay: ${(err as Error).message}\n${REPLAY_USAGE}\n`);
    return 3;
  }
  if (parsed.values.help) {
    process.stdout.write(`${REPLAY_USAGE}\n`);
    return 0;
  }
  const [dir] = parsed.positionals;
  if (dir === undefined) {
    process.stderr.write(`${REPLAY_USAGE}\n`);
    return 3;
  }
  const { options, schedule } = recordedRun(dir);
  const replay: RunOptions = {
    ...options,
    schedule,
    out: parsed.values.out ?? `${dir.replace(/\/$/, "")}-replay`,
    ...(parsed.values.driver ? { driver: parsed.values.driver as RunOptions["driver"] } : {}),
    ...(parsed.values.target ? { target: parsed.values.target as RunOptions["target"] } : {}),
  };
  const result = await runLab(replay, (line) => process.stdout.write(`${line}\n`));
  process.stdout.write(`${result.out}\n`);
  return result.exitCode;
}
