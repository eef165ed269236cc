import type { FaultAction } from "../nemesis/faults.js";
import type { ScheduledAction } from "./run-options.js";

/** The same schedule with members `a` and `b` exchanged everywhere it names them. */
export function swapMembers(
  schedule: readonly ScheduledAction[],
  readOnlyMembers: readonly number[],
  a: number,
  b: number,
): { schedule: ScheduledAction[]; readOnlyMembers: number[] } {
  const swap = (m: number) => (m === a ? b : m === b ? a : m);
  const action = (x: FaultAction): FaultAction => {
    switch (x.do) {
      case "partition":
        return { ...x, grudge: x.grudge.map(([r, s]) => [swap(r), swap(s)] as [number, number]) };
      case "links":
      case "kill":
      case "start":
      case "pause":
      case "resume":
        return { ...x, members: x.members.map(swap) };
      case "reconfig":
        return { ...x, leaving: x.leaving.map(swap), joining: x.joining.map((j) => ({ ...j, member: swap(j.member) })) };
      default:
        return x;
    }
  };
  return { schedule: schedule.map((s) => ({ atMs: s.atMs, action: action(s.action) })), readOnlyMembers: readOnlyMembers.map(swap) };
}
