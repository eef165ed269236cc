import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { runSimulation } from "../sim/simulation.js";
import type { RunResult } from "./run-result.js";
import { type RunOptions, rerunCommand } from "./run-options.js";

/**
 * `--driver simulated`: the deterministic simulation of a zkts ensemble (src/sim) in place of a
 * real cluster. It runs its own register workload and its own faults, all drawn from the seed
 * (kills, crashes mid-persist, partitions, pauses, network turbulence), so a run is replayed
 * exactly by its seed. Given a real run's schedule (zkts-lab replay DIR --driver simulated) it
 * plays that instead: partitions (any shape, one-way too), kills and restarts, pauses, latency;
 * what has no counterpart here (bandwidth, slicer, reset_peer, full disks) is reported as not
 * mapped. Either way the same options give the same history.
 */
export async function runSimulated(options: RunOptions & { clients: number; out: string }, progress: (line: string) => void): Promise<RunResult> {
  if (options.target !== "zkts") throw new Error("the simulated driver runs zkts only (it is zkts's own code over a simulated network)");
  if (options.workload !== "register") throw new Error("the simulated driver runs the register workload only");
  const schedule = options.schedule === undefined ? undefined : { actions: options.schedule, leaderAtStart: options.leaderAtStart ?? null };
  progress(
    `seed ${options.seed}: simulating ${options.nodes} members for ${options.timeMs} simulated ms${schedule ? `, playing a recorded schedule of ${schedule.actions.length} actions` : ""}`,
  );
  const sim = await runSimulation({
    seed: options.seed,
    voters: options.nodes,
    clients: options.clients,
    keys: options.keys ?? 3,
    chaosMs: options.timeMs,
    reads: options.reads,
    ...(schedule ? { schedule } : {}),
  });
  for (const action of sim.unmapped) progress(`  not mapped onto the simulation: ${action}`);
  await writeFile(join(options.out, "history.jsonl"), sim.history.map((e) => JSON.stringify(e)).join("\n") + "\n");
  const valid = sim.failures.length === 0;
  const result: RunResult = {
    verdict: valid ? "valid" : "invalid",
    exitCode: valid ? 0 : 1,
    out: options.out,
    check: {
      valid,
      checker: "simulation: ZAB invariants, identical trees, linearizable register",
      problems: sim.failures,
      figures: {
        ...sim.stats.writes,
        simulatedMs: sim.stats.simulatedMs,
        crashes: sim.stats.crashes,
        partitions: sim.stats.partitions,
        unmappedActions: sim.unmapped.length,
      },
    },
    schedule: options.schedule ?? [],
    operations: sim.stats.writes,
    crashes: [],
    workloadStartNs: 0,
    rerun: rerunCommand(options),
  };
  progress(`verdict: ${result.verdict}${sim.failures.length > 0 ? `\n  ${sim.failures.slice(0, 10).join("\n  ")}` : ""}`);
  progress(`rerun: ${result.rerun}\ntrace of the simulation: ${sim.replay}`);
  return result;
}
