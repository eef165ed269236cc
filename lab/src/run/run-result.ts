import type { WorkloadVerdict } from "../workloads/workload.js";
import type { ScheduledAction } from "./run-options.js";

export type RunVerdict = "valid" | "invalid" | "unknown";

export interface RunResult {
  readonly verdict: RunVerdict;
  /** 0 valid, 1 invalid, 2 unknown, as `zkts-lab run` exits. */
  readonly exitCode: 0 | 1 | 2;
  readonly out: string;
  readonly check: WorkloadVerdict;
  /** What the nemesis did, with the offsets at which it did it. */
  readonly schedule: ScheduledAction[];
  readonly operations: { ok: number; fail: number; info: number };
  /** Members that died without the nemesis asking (a crash is a finding even when the history is valid). */
  readonly crashes: string[];
  /** The history's clock (ns) when the workload phase began; schedule offsets count from it. */
  readonly workloadStartNs: number;
  readonly rerun: string;
  /**
   * Runs that change the membership: the configuration at the start and at the final reads
   * (null when no member told it), whether the heal brought the original back, and how the
   * nemesis's reconfigs ended.
   */
  readonly membership?: {
    readonly original: string;
    readonly final: string | null;
    readonly restored: boolean;
    readonly reconfigs: { readonly ok: number; readonly failed: number; readonly unknown: number };
  };
}
