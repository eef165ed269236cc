import { type FaultAction, describeAction } from "../nemesis/faults.js";
import type { ScheduledAction } from "../run/run-options.js";

type Reconfig = Extract<FaultAction, { do: "reconfig" }>;

/** How a reconfig ended as the schedule recorded it; `none` when it holds no outcome (a schedule written before it came back). */
export type ReconfigResult = "ok" | "failed" | "unknown" | "none";

/** One reconfig of a run, for a marker at its time: unlike a fault it is a moment, not a stretch. */
export interface ReconfigMark {
  /** When it was sent, on the history's clock. */
  readonly atNs: number;
  /** Its offset from the start of the workload phase, as the schedule has it. */
  readonly atMs: number;
  /** What it changed, in a few characters ("-zk3", "+zk2 observer"). */
  readonly change: string;
  readonly result: ReconfigResult;
  /** The label beside the marker: the change and the outcome. */
  readonly label: string;
  /** The action in full and its outcome's detail (the configuration it made, or the error). */
  readonly detail: string;
}

/** The reconfigs of a schedule in time order; offsets count from `workloadStartNs` on the history's clock. */
export function reconfigMarks(schedule: readonly ScheduledAction[], workloadStartNs: number): ReconfigMark[] {
  return [...schedule]
    .sort((a, b) => a.atMs - b.atMs)
    .flatMap((entry) => {
      if (entry.action.do !== "reconfig") return [];
      const change = changeOf(entry.action);
      const result: ReconfigResult = entry.outcome?.result ?? "none";
      const outcome = entry.outcome === undefined ? "no outcome recorded" : `${entry.outcome.result} (${entry.outcome.detail})`;
      return [
        {
          atNs: workloadStartNs + entry.atMs * 1e6,
          atMs: entry.atMs,
          change,
          result,
          label: `reconfig ${change}: ${result === "none" ? "?" : result}`,
          detail: `${describeAction(entry.action)}: ${outcome}`,
        },
      ];
    });
}

/** "-zk3 +zk2 observer": who left, who joined or changed role. */
export function changeOf(action: Reconfig): string {
  const joining = action.joining.map((j) => `+zk${j.member}${j.role === "observer" ? " observer" : ""}`);
  const parts = [...action.leaving.map((m) => `-zk${m}`), ...joining];
  return parts.length === 0 ? "nothing" : parts.join(" ");
}
