// A grow-only set: add x, and read → every element. Elements are compared by their JSON text.
import type { Operation } from "../history/types.js";
import { hashString } from "../util/hash.js";
import { describeOperation, effectOfInput, unsupported, type Model } from "./model.js";

export interface SetState {
  /** Sorted element keys. */
  readonly items: readonly string[];
  /** XOR of the items' hashes, so adding an element updates it in O(1). */
  readonly hash: number;
}

const elementKey = (value: unknown): string => JSON.stringify(value ?? null);

// A read's output is turned into sorted keys once per op, not at every step of the search.
const readKeys = new WeakMap<Operation, string[]>();

function keysOfRead(op: Operation): string[] {
  let keys = readKeys.get(op);
  if (!keys) {
    const output = Array.isArray(op.output) ? op.output : [];
    keys = [...new Set(output.map(elementKey))].sort();
    readKeys.set(op, keys);
  }
  return keys;
}

export function setModel(): Model<SetState> {
  const name = "set";
  return {
    name,
    init: () => ({ items: [], hash: 0 }),
    step(state, op) {
      if (op.f === "add") {
        const key = elementKey(op.input);
        let at = 0;
        while (at < state.items.length && state.items[at]! < key) at++;
        if (state.items[at] === key) return state;
        const items = [...state.items];
        items.splice(at, 0, key);
        return { items, hash: state.hash ^ hashString(key) };
      }
      if (op.f === "read") {
        if (op.status === "unknown") return state;
        const keys = keysOfRead(op);
        if (keys.length !== state.items.length) return undefined;
        for (let i = 0; i < keys.length; i++) if (keys[i] !== state.items[i]) return undefined;
        return state;
      }
      return unsupported(name, op);
    },
    equal: (a, b) => a.hash === b.hash && a.items.length === b.items.length && a.items.every((k, i) => k === b.items[i]),
    hash: (s) => s.hash,
    isReadOnly: (op) => op.f === "read",
    describeOperation,
    effectKey: effectOfInput,
    describeState: (s) => `#{${s.items.join(" ")}}`,
  };
}
