import type { ZkClient } from "@zkts/client";
import type { History } from "@zkts/checker";
import type { SimRandom } from "../sim/random.js";
import type { Worker } from "./worker.js";

/** A checker's verdict on a run's history: valid, invalid, or unknown (a limit was reached). */
export interface WorkloadVerdict {
  readonly valid: true | false | "unknown";
  readonly checker: string;
  /** One line per violation, for people. */
  readonly problems: string[];
  /** Figures worth reporting (operations checked, lost elements, ...). */
  readonly figures: Record<string, number | string>;
}

export interface CheckBudget {
  /** Time the linearizability search may take before its verdict is unknown. */
  readonly timeoutMs: number;
}

/**
 * What a run does to the ensemble and how its history is judged: written once against the
 * Cluster interface, so it runs on every driver and target.
 */
export interface Workload {
  readonly name: string;
  /** Creates what the workload needs (its znodes), through a healthy ensemble. */
  setup(client: ZkClient): Promise<void>;
  /** One operation of one worker, chosen with `random`. */
  step(worker: Worker, random: SimRandom): Promise<void>;
  /** After the heal and the quiet period: the reads the verdict rests on. */
  finalReads(worker: Worker): Promise<void>;
  check(history: History, budget: CheckBudget): WorkloadVerdict;
}
