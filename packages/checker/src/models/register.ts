// A read/write register, and the compare-and-set register that extends it.
import type { Operation } from "../history/types.js";
import { hashValue } from "../util/hash.js";
import { describeValue, valueEquals } from "../util/values.js";
import { describeOperation, effectOfInput, unsupported, type Model } from "./model.js";

const READS = new Set(["read", "get"]);
const WRITES = new Set(["write", "put", "set"]);

function registerModel(name: string, initial: unknown, withCas: boolean): Model<unknown> {
  return {
    name,
    init: () => initial,
    step(state, op) {
      if (READS.has(op.f)) {
        return op.status === "unknown" || valueEquals(op.output, state) ? state : undefined;
      }
      if (WRITES.has(op.f)) return op.input;
      if (withCas && op.f === "cas") return stepCas(state, op);
      return unsupported(name, op);
    },
    equal: valueEquals,
    hash: hashValue,
    isReadOnly: (op) => READS.has(op.f),
    describeOperation,
    effectKey: effectOfInput,
    describeState: describeValue,
  };
}

/** cas [old new]: takes effect when the register holds old. An ok output of `false` records
 *  a cas that was answered "no", which says the register did not hold old. */
function stepCas(state: unknown, op: Operation): unknown {
  const pair = op.input;
  if (!Array.isArray(pair) || pair.length !== 2) throw new Error(`op ${op.id}: cas needs [old new]`);
  const matches = valueEquals(state, pair[0]);
  if (op.status !== "unknown" && op.output === false) return matches ? undefined : state;
  return matches ? pair[1] : undefined;
}

export function register(initial: unknown = null): Model<unknown> {
  return registerModel("register", initial, false);
}

export function casRegister(initial: unknown = null): Model<unknown> {
  return registerModel("cas-register", initial, true);
}
