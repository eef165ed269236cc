// A counter: add with a numeric delta, read returning the value. Each ok read must lie between
// the sum of adds certainly applied before it (acknowledged before the read was invoked) and
// the same sum widened by every add that may have been applied (invoked before the read
// returned, acknowledged or unknown), each contributing in whichever direction its sign allows.
import type { Operation } from "../history/types.js";
import type { WorkloadResult } from "./result.js";

export interface CounterRead {
  read: Operation;
  lower: number;
  upper: number;
}

export function checkCounter(operations: readonly Operation[], initial = 0): WorkloadResult<{ reads: CounterRead[]; errors: CounterRead[] }> {
  const adds = operations.filter((op) => op.f === "add" && op.status !== "fail");
  const reads: CounterRead[] = [];
  for (const read of operations) {
    if (read.f !== "read" || read.status !== "ok") continue;
    let lower = initial;
    let upper = initial;
    for (const add of adds) {
      const delta = Number(add.input);
      if (add.status === "ok" && add.ret < read.call) {
        lower += delta;
        upper += delta;
      } else if (add.call <= read.ret) {
        if (delta < 0) lower += delta;
        else upper += delta;
      }
    }
    reads.push({ read, lower, upper });
  }
  const errors = reads.filter(({ read, lower, upper }) => {
    const value = Number(read.output);
    return !(value >= lower && value <= upper);
  });
  const problems = errors.map(({ read, lower, upper }) => `read ${read.id} returned ${String(read.output)}, outside [${lower}, ${upper}]`);
  return { checker: "counter", valid: errors.length === 0, problems, detail: { reads, errors } };
}
