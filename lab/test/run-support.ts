import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type RunResult, runLab } from "../src/run/run.js";
import type { RunOptions } from "../src/run/run-options.js";

/** The seed of every run of a test file: LAB_SEED replays a failure the printed seed names. */
export const labSeed = Number(process.env.LAB_SEED ?? 1 + Math.floor(Math.random() * 100_000));

/**
 * A short chaos run (12 s of register with partitions and kills on 3 zkts members unless
 * overridden) into a fresh directory; its progress lines are printed after it, in one piece.
 */
export async function shortRun(overrides: Partial<RunOptions>): Promise<RunResult> {
  const lines: string[] = [];
  const result = await runLab(
    {
      driver: "processes",
      target: "zkts",
      nodes: 3,
      workload: "register",
      reads: "linearizable",
      nemesis: ["partition", "kill"],
      timeMs: 12_000,
      rate: 100,
      seed: labSeed,
      out: mkdtempSync(join(tmpdir(), "zkts-lab-run-")),
      calmMs: 1000,
      faultMs: 2000,
      ...overrides,
    },
    (line) => lines.push(line),
  );
  process.stdout.write(`${lines.join("\n")}\n`);
  return result;
}
