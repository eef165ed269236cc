// A second, plainer reference for medium histories (tens of ops): the same exhaustive search
// as the brute force, with a memo of (placed ops, state) so it finishes. It treats ops of
// unknown outcome like any other op that may be left out, with none of the search's
// pruning of unknown ops, so it checks that pruning.
import type { Model, Operation } from "../../src/index.js";

export function memoReferenceLinearizable<S>(model: Model<S>, operations: readonly Operation[]): boolean {
  const byKey = new Map<string | undefined, Operation[]>();
  for (const op of operations) {
    if (op.status === "fail") continue;
    byKey.set(op.key, [...(byKey.get(op.key) ?? []), op]);
  }
  return [...byKey.values()].every((ops) => searchOne(model, ops));
}

function searchOne<S>(model: Model<S>, ops: readonly Operation[]): boolean {
  const placed = ops.map(() => false);
  const failed = new Set<string>();
  const search = (state: S): boolean => {
    // The earliest return among unplaced ops bounds which ops may go next.
    let deadline = Infinity;
    let pendingKnown = false;
    ops.forEach((op, i) => {
      if (placed[i] || op.status === "unknown") return;
      pendingKnown = true;
      deadline = Math.min(deadline, op.ret);
    });
    if (!pendingKnown) return true;
    const memo = `${placed.map((p) => (p ? 1 : 0)).join("")}|${JSON.stringify(state)}`;
    if (failed.has(memo)) return false;
    for (let i = 0; i < ops.length; i++) {
      if (placed[i] || ops[i]!.call > deadline) continue;
      const after = model.step(state, ops[i]!);
      if (after === undefined) continue;
      placed[i] = true;
      const found = search(after);
      placed[i] = false;
      if (found) return true;
    }
    failed.add(memo);
    return false;
  };
  return search(model.init());
}
