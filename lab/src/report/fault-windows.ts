import { type FaultAction, describeAction } from "../nemesis/faults.js";
import type { ScheduledAction } from "../run/run-options.js";

export type FaultKind = "partition" | "links" | "kill" | "pause" | "fill-disk" | "writes-off";

/** A stretch of the run during which a fault was in force, on the history's clock. */
export interface FaultWindow {
  readonly kind: FaultKind;
  /** A few words for the plot. */
  readonly label: string;
  /** The action that started it, in full. */
  readonly detail: string;
  readonly startNs: number;
  readonly endNs: number;
  /** False when no action ended it: it lasted until the run healed everything. */
  readonly endedByAction: boolean;
}

/**
 * The fault windows of a schedule. A partition or link fault lasts until the next heal-links
 * (which removes every toxic); a kill until every member it killed has been started again; a
 * pause until every member it paused has been resumed; "writes off" until writes are on again.
 * A fault still in force when the workload phase ends (`workloadEndNs`) ends there, since every
 * run heals everything next. Offsets count from `workloadStartNs` on the history's clock.
 */
export function faultWindows(schedule: readonly ScheduledAction[], workloadStartNs: number, workloadEndNs: number): FaultWindow[] {
  const actions = [...schedule].sort((a, b) => a.atMs - b.atMs);
  const atNs = (entry: ScheduledAction) => workloadStartNs + entry.atMs * 1e6;
  const windows: FaultWindow[] = [];
  actions.forEach((entry, index) => {
    const kind = faultKind(entry.action);
    if (kind === null) return;
    const later = actions.slice(index + 1);
    const end = endOf(entry.action, later);
    const startNs = atNs(entry);
    windows.push({
      kind,
      label: shortLabel(entry.action),
      detail: describeAction(entry.action),
      startNs,
      endNs: end === undefined ? Math.max(startNs, workloadEndNs) : atNs(end),
      endedByAction: end !== undefined,
    });
  });
  return windows;
}

function faultKind(action: FaultAction): FaultKind | null {
  switch (action.do) {
    case "partition":
    case "links":
    case "kill":
    case "pause":
    case "fill-disk":
      return action.do;
    case "writes":
      return action.enabled ? null : "writes-off";
    default:
      return null;
  }
}

/** The later action that ends a fault, if one does. */
function endOf(action: FaultAction, later: readonly ScheduledAction[]): ScheduledAction | undefined {
  switch (action.do) {
    case "partition":
    case "links":
      return later.find((entry) => entry.action.do === "heal-links");
    case "kill":
      return lastToRestore(action.members, later, "start");
    case "pause":
      return lastToRestore(action.members, later, "resume");
    case "fill-disk":
      return lastToRestore(action.members, later, "free-disk");
    case "writes":
      return later.find((entry) => entry.action.do === "writes" && entry.action.enabled);
    default:
      return undefined;
  }
}

/** The action that brings back the last of `members` (each by the first later action naming it). */
function lastToRestore(members: readonly number[], later: readonly ScheduledAction[], restore: "start" | "resume" | "free-disk"): ScheduledAction | undefined {
  const waiting = new Set(members);
  for (const entry of later) {
    const action = entry.action;
    if (action.do !== restore) continue;
    for (const member of action.members) waiting.delete(member);
    if (waiting.size === 0) return entry;
  }
  return undefined;
}

function shortLabel(action: FaultAction): string {
  switch (action.do) {
    case "partition":
      return `partition ${action.shape}`;
    case "links":
      return `${action.clients ? "client " : ""}${action.toxic.type} ${action.shape}`;
    case "writes":
      return "writes off";
    case "kill":
    case "pause":
    case "start":
    case "resume":
    case "fill-disk":
    case "free-disk":
      return `${action.do} ${action.members.join(",")}`;
    case "heal-links":
      return "heal links";
    case "reconfig":
      return `reconfig ${action.shape}`;
  }
}
