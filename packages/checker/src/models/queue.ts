// A FIFO queue: enqueue x, and dequeue → the oldest element, or nil when empty.
import { combineHash, hashValue } from "../util/hash.js";
import { describeValue, valueEquals } from "../util/values.js";
import { describeOperation, effectOfInput, unsupported, type Model } from "./model.js";

export function fifoQueue(): Model<readonly unknown[]> {
  const name = "queue";
  return {
    name,
    init: () => [],
    step(state, op) {
      if (op.f === "enqueue") return [...state, op.input];
      if (op.f === "dequeue") {
        const empty = state.length === 0;
        if (op.status === "unknown") return empty ? state : state.slice(1);
        if (empty) return op.output === null || op.output === undefined ? state : undefined;
        return valueEquals(op.output, state[0]) ? state.slice(1) : undefined;
      }
      return unsupported(name, op);
    },
    equal: (a, b) => a.length === b.length && a.every((item, i) => valueEquals(item, b[i])),
    hash: (s) => s.reduce<number>((h, item) => combineHash(h, hashValue(item)), s.length),
    // A dequeue that was not answered may still have removed an element, so none is read-only.
    isReadOnly: () => false,
    describeOperation,
    effectKey: effectOfInput,
    describeState: (s) => `[${s.map(describeValue).join(" ")}]`,
  };
}
