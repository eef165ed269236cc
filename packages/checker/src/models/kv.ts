// One entry of a key-value map: get, put and append on a string that starts empty. With the
// search's partitioning by key this checks a whole map; `keyed(kvEntry())` is the same map as
// one object, for checking without partitioning.
import { FNV_OFFSET, fnvContinue, mix32 } from "../util/hash.js";
import { describeOperation, effectOfInput, unsupported, type Model } from "./model.js";

export interface KvState {
  readonly text: string;
  /** FNV-1a of text before finalization: an append extends it without rereading the text,
   *  which matters because appended values make long strings. */
  readonly fnv: number;
}

const EMPTY: KvState = { text: "", fnv: FNV_OFFSET };

export function kvEntry(): Model<KvState> {
  const name = "kv";
  return {
    name,
    init: () => EMPTY,
    step(state, op) {
      switch (op.f) {
        case "get":
        case "read": {
          if (op.status === "unknown") return state;
          const out = String(op.output ?? "");
          // Lengths first: comparing a freshly concatenated string's content is costly.
          return out.length === state.text.length && out === state.text ? state : undefined;
        }
        case "put":
        case "write": {
          const text = String(op.input ?? "");
          return { text, fnv: fnvContinue(FNV_OFFSET, text) };
        }
        case "append": {
          const suffix = String(op.input ?? "");
          return { text: state.text + suffix, fnv: fnvContinue(state.fnv, suffix) };
        }
        default:
          return unsupported(name, op);
      }
    },
    equal: (a, b) => a.fnv === b.fnv && a.text === b.text,
    hash: (s) => mix32(s.fnv),
    isReadOnly: (op) => op.f === "get" || op.f === "read",
    describeOperation,
    effectKey: effectOfInput,
    describeState: (s) => JSON.stringify(s.text),
  };
}
