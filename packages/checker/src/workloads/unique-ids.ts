// Unique ids: every acknowledged value of the generating op (a sequential znode name, a
// counter ticket) must differ from every other.
import type { Operation } from "../history/types.js";
import { describeValue } from "../util/values.js";
import type { WorkloadResult } from "./result.js";

export function checkUniqueIds(operations: readonly Operation[], f = "generate"): WorkloadResult<{ duplicates: Map<string, Operation[]>; count: number }> {
  const seen = new Map<string, Operation[]>();
  let count = 0;
  for (const op of operations) {
    if (op.f !== f || op.status !== "ok") continue;
    count++;
    const id = JSON.stringify(op.output);
    const group = seen.get(id) ?? [];
    group.push(op);
    seen.set(id, group);
  }
  const duplicates = new Map([...seen].filter(([, ops]) => ops.length > 1));
  const problems = [...duplicates.values()].map(
    (ops) => `id ${describeValue(ops[0]!.output)} returned ${ops.length} times (ops ${ops.map((op) => op.id).join(", ")})`,
  );
  return { checker: "unique-ids", valid: duplicates.size === 0, problems, detail: { duplicates, count } };
}
