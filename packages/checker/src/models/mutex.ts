// A mutex: acquire succeeds only when free, release only by the holder.
import type { ProcessId } from "../history/types.js";
import { hashValue } from "../util/hash.js";
import { describeOperation, unsupported, type Model } from "./model.js";

/** The holding process, or null when free. */
export type MutexState = ProcessId | null;

export function mutex(): Model<MutexState> {
  const name = "mutex";
  return {
    name,
    init: () => null,
    step(state, op) {
      if (op.f === "acquire") return state === null ? op.process : undefined;
      if (op.f === "release") return state === op.process ? null : undefined;
      return unsupported(name, op);
    },
    equal: (a, b) => a === b,
    hash: hashValue,
    isReadOnly: () => false,
    describeOperation,
    describeState: (s) => (s === null ? "free" : `held by ${s}`),
  };
}
