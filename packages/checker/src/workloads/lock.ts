// Mutual exclusion from acquire/release intervals, without a search. A process certainly held
// the lock from the return of its ok acquire until the invocation of its next release (or,
// with no release, at least at the acquire's return). Two such certain holds by different
// processes must not overlap. Failed acquires held nothing; unknown ones are not counted.
import type { Operation, ProcessId } from "../history/types.js";
import type { WorkloadResult } from "./result.js";

export interface Hold {
  process: ProcessId;
  key: string | undefined;
  acquire: Operation;
  release: Operation | undefined;
  /** Start and end of the interval in which the hold is certain. */
  from: number;
  to: number;
}

export interface LockOptions {
  acquire?: string;
  release?: string;
}

export function checkMutualExclusion(operations: readonly Operation[], options: LockOptions = {}): WorkloadResult<{ holds: Hold[]; overlaps: [Hold, Hold][] }> {
  const acquireF = options.acquire ?? "acquire";
  const releaseF = options.release ?? "release";
  const holds: Hold[] = [];
  const open = new Map<string, Hold>();
  const slot = (op: Operation): string => `${op.key ?? ""}\u0000${op.process}`;
  const byCall = [...operations].sort((a, b) => a.call - b.call);
  for (const op of byCall) {
    if (op.f === acquireF && op.status === "ok") {
      const hold: Hold = { process: op.process, key: op.key, acquire: op, release: undefined, from: op.ret, to: op.ret };
      holds.push(hold);
      open.set(slot(op), hold);
    } else if (op.f === releaseF) {
      const hold = open.get(slot(op));
      if (hold) {
        hold.release = op;
        hold.to = Math.max(hold.from, op.call);
        open.delete(slot(op));
      }
    }
  }
  const overlaps = findOverlaps(holds);
  const problems = overlaps.map(
    ([a, b]) => `${a.key ?? "lock"}: process ${a.process} held it over [${a.from}, ${a.to}] while process ${b.process} held it over [${b.from}, ${b.to}]`,
  );
  return { checker: "mutual-exclusion", valid: overlaps.length === 0, problems, detail: { holds, overlaps } };
}

/** Sweeps holds by start time per key; a hold starting before the latest end so far overlaps. */
function findOverlaps(holds: Hold[]): [Hold, Hold][] {
  const overlaps: [Hold, Hold][] = [];
  const byKey = new Map<string | undefined, Hold[]>();
  for (const hold of holds) {
    const group = byKey.get(hold.key) ?? [];
    group.push(hold);
    byKey.set(hold.key, group);
  }
  for (const group of byKey.values()) {
    group.sort((a, b) => a.from - b.from);
    let longest: Hold | undefined;
    for (const hold of group) {
      // Touching intervals (one ends where the next starts) are not an overlap.
      if (longest && hold.from < longest.to && hold.process !== longest.process) overlaps.push([longest, hold]);
      if (!longest || hold.to > longest.to) longest = hold;
    }
  }
  return overlaps;
}
