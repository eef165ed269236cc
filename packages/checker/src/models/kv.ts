// One entry of a key-value map: get, put and append on a string that starts empty. With the
// search's partitioning by key this checks a whole map; `keyed(kvEntry())` is the same map as
// one object, for checking without partitioning.
import { hashString } from "../util/hash.js";
import { describeOperation, unsupported, type Model } from "./model.js";

export function kvEntry(): Model<string> {
  const name = "kv";
  return {
    name,
    init: () => "",
    step(state, op) {
      switch (op.f) {
        case "get":
        case "read":
          return op.status === "unknown" || String(op.output ?? "") === state ? state : undefined;
        case "put":
        case "write":
          return String(op.input ?? "");
        case "append":
          return state + String(op.input ?? "");
        default:
          return unsupported(name, op);
      }
    },
    equal: (a, b) => a === b,
    hash: hashString,
    isReadOnly: (op) => op.f === "get" || op.f === "read",
    describeOperation,
    describeState: (s) => JSON.stringify(s),
  };
}
