// A deliberately simple reference checker: tries every order of the ops that respects real
// time, with each op of unknown outcome either placed somewhere or left out. Exponential, so
// only for a handful of ops; it shares nothing with the search but the model's step.
import type { Model, Operation } from "../../src/index.js";

export function bruteForceLinearizable<S>(model: Model<S>, operations: readonly Operation[]): boolean {
  const ops = operations.filter((op) => op.status !== "fail");
  const placed = new Array<boolean>(ops.length).fill(false);

  const mayGoNext = (candidate: Operation): boolean => ops.every((other, j) => placed[j] || other === candidate || !(other.ret < candidate.call));

  const search = (state: S): boolean => {
    // Done when every op with a known outcome is placed; unknown ones may never happen.
    if (ops.every((op, i) => placed[i] || op.status === "unknown")) return true;
    for (let i = 0; i < ops.length; i++) {
      if (placed[i] || !mayGoNext(ops[i]!)) continue;
      const after = model.step(state, ops[i]!);
      if (after === undefined) continue;
      placed[i] = true;
      const found = search(after);
      placed[i] = false;
      if (found) return true;
    }
    return false;
  };
  // Different keys are different objects: check each on its own.
  const keys = new Set(ops.map((op) => op.key));
  if (keys.size > 1) {
    return [...keys].every((key) =>
      bruteForceLinearizable(
        model,
        ops.filter((op) => op.key === key),
      ),
    );
  }
  return search(model.init());
}
