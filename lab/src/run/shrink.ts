import { join } from "node:path";
import { type RunResult, runLab } from "./run.js";
import type { RunOptions, ScheduledAction } from "./run-options.js";

export interface ShrinkOptions {
  /** Runs per candidate: a candidate still fails when any of them is invalid (real clusters are not deterministic). */
  triesPerCandidate: number;
  /** Stop after this many runs in all. */
  maxRuns: number;
  /** Where each try's run directory goes (try-1, try-2, ...). */
  workDir: string;
}

export interface ShrinkResult {
  /** The smallest failing options found (schedule included), and the run that showed it failing. */
  readonly options: RunOptions;
  readonly failing: RunResult;
  readonly runs: number;
  readonly steps: string[];
}

/**
 * Cuts a failing run down while it keeps failing: first the fault actions one at a time (a
 * heal left out means the fault lasts until the final heal), then the workload's length (to just
 * after the last remaining action) and its clients. On a real cluster a run is not a pure
 * function of its options, so each candidate gets several tries and counts as failing if any
 * try is invalid; the result is "a smaller run that failed", never a proof of minimality.
 */
export async function shrinkRun(
  original: RunOptions & { schedule: ScheduledAction[] },
  options: ShrinkOptions,
  progress: (line: string) => void = () => undefined,
): Promise<ShrinkResult> {
  let runs = 0;
  const steps: string[] = [];
  const attempt = async (candidate: RunOptions): Promise<RunResult | null> => {
    for (let i = 0; i < options.triesPerCandidate && runs < options.maxRuns; i++) {
      runs++;
      const result = await runLab({ ...candidate, out: join(options.workDir, `try-${runs}`) });
      if (result.verdict === "invalid") return result;
    }
    return null;
  };

  let best: RunOptions & { schedule: ScheduledAction[] } = original;
  const first = await attempt(best);
  if (first === null) throw new Error(`the run does not fail (${options.triesPerCandidate} tries): nothing to shrink`);
  let failing = first;
  progress(`fails as recorded: ${best.schedule.length} actions, ${best.timeMs} ms, ${best.clients ?? "default"} clients`);

  // Fault actions, from the last to the first: later actions are the likelier to be noise.
  for (let i = best.schedule.length - 1; i >= 0 && runs < options.maxRuns; i--) {
    const candidate = { ...best, schedule: best.schedule.filter((_, j) => j !== i) };
    const result = await attempt(candidate);
    const what = `without action ${i} (${JSON.stringify(best.schedule[i]!.action)})`;
    if (result !== null) {
      best = candidate;
      failing = result;
      steps.push(`still fails ${what}`);
    }
    progress(`${result !== null ? "dropped" : "kept"} action ${i}; ${best.schedule.length} left (${runs} runs)`);
  }

  // The workload's length: just past the last action that remains.
  const lastAction = Math.max(0, ...best.schedule.map((s) => s.atMs));
  const shorter = Math.max(lastAction + 2000, 3000);
  if (shorter < best.timeMs && runs < options.maxRuns) {
    const candidate = { ...best, timeMs: shorter };
    const result = await attempt(candidate);
    if (result !== null) {
      best = candidate;
      failing = result;
      steps.push(`still fails with a ${shorter} ms workload`);
    }
  }
  // Fewer clients, halving while it still fails.
  let clients = best.clients ?? best.nodes * 2;
  while (clients > 1 && runs < options.maxRuns) {
    const candidate = { ...best, clients: Math.floor(clients / 2) };
    const result = await attempt(candidate);
    if (result === null) break;
    best = candidate;
    failing = result;
    clients = candidate.clients;
    steps.push(`still fails with ${clients} clients`);
  }
  return { options: best, failing, runs, steps };
}
