import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { recordedRun } from "./replay-command.js";
import { shrinkRun } from "./shrink.js";

export const SHRINK_USAGE = `usage: zkts-lab shrink DIR [--out DIR2] [--tries 2] [--max-runs 40]
  Cuts a failing run (DIR, as zkts-lab run or scenario wrote it) down to fewer fault actions, a
  shorter workload and fewer clients while it still fails. A real cluster is not deterministic, so
  each candidate gets --tries runs and counts as failing if any of them is invalid. Writes the
  smallest failing run's options and schedule to DIR2/shrunk.json and leaves every try's run
  directory under DIR2. Exit status: 0 shrunk, 1 the run did not fail again, 3 bad usage.`;

export async function shrinkCommand(argv: string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        out: { type: "string" },
        tries: { type: "string", default: "2" },
        "max-runs": { type: "string", default: "40" },
        help: { type: "boolean", short: "h" },
      },
    });
  } catch (err) {
    process.stderr.write(`zkts-lab shrink: ${(err as Error).message}\n${SHRINK_USAGE}\n`);
    return 3;
  }
  if (parsed.values.help) {
    process.stdout.write(`${SHRINK_USAGE}\n`);
    return 0;
  }
  const [dir] = parsed.positionals;
  const tries = Number(parsed.values.tries);
  const maxRuns = Number(parsed.values["max-runs"]);
  if (dir === undefined || !Number.isSafeInteger(tries) || tries < 1 || !Number.isSafeInteger(maxRuns) || maxRuns < 1) {
    process.stderr.write(`${SHRINK_USAGE}\n`);
    return 3;
  }
  const { options, schedule } = recordedRun(dir);
  const workDir = parsed.values.out ?? `${dir.replace(/\/$/, "")}-shrunk`;
  const say = (line: string) => process.stdout.write(`${line}\n`);
  try {
    const result = await shrinkRun({ ...options, schedule }, { triesPerCandidate: tries, maxRuns, workDir }, say);
    await writeFile(
      join(workDir, "shrunk.json"),
      `${JSON.stringify({ options: result.options, steps: result.steps, runs: result.runs, failingRun: result.failing.out }, null, 2)}\n`,
    );
    say(`shrunk in ${result.runs} runs to ${result.options.schedule?.length ?? 0} actions, ${result.options.timeMs} ms, ${result.options.clients} clients`);
    say(`smallest failing run: ${result.failing.out}`);
    return 0;
  } catch (err) {
    say(`zkts-lab shrink: ${(err as Error).message}`);
    return 1;
  }
}
