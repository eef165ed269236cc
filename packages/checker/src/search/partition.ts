// P-compositionality: a history is linearizable iff each object's sub-history is, so ops are
// grouped by key and each group is searched on its own.
import type { Operation } from "../history/types.js";

export interface Partition {
  key: string | undefined;
  operations: Operation[];
}

export function partitionByKey(operations: readonly Operation[]): Partition[] {
  const groups = new Map<string | undefined, Operation[]>();
  for (const op of operations) {
    let group = groups.get(op.key);
    if (!group) groups.set(op.key, (group = []));
    group.push(op);
  }
  return [...groups].map(([key, ops]) => ({ key, operations: ops }));
}
