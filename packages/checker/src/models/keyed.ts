// Lifts a one-object model to a map of objects addressed by op.key. Checking a history with
// `keyed(m)` in one piece gives the same verdict as checking each key with `m` apart; the
// search uses the latter (P-compositionality), and tests use this to confirm it.
import type { Operation } from "../history/types.js";
import { hashString, mix32 } from "../util/hash.js";
import type { Model } from "./model.js";

export interface KeyedState<S> {
  /** Sorted; only keys whose state differs from the initial one. */
  readonly keys: readonly string[];
  readonly states: readonly S[];
}

export function keyed<S>(inner: Model<S>): Model<KeyedState<S>> {
  const initial = inner.init();
  const lookup = (state: KeyedState<S>, key: string): S => {
    const index = state.keys.indexOf(key);
    return index < 0 ? initial : state.states[index]!;
  };
  return {
    name: `keyed(${inner.name})`,
    init: () => ({ keys: [], states: [] }),
    step(state, op) {
      const key = op.key ?? "";
      const next = inner.step(lookup(state, key), op as Operation);
      if (next === undefined) return undefined;
      const keys = state.keys.filter((k) => k !== key);
      const states = state.states.filter((_, i) => state.keys[i] !== key);
      if (!inner.equal(next, initial)) {
        let at = 0;
        while (at < keys.length && keys[at]! < key) at++;
        keys.splice(at, 0, key);
        states.splice(at, 0, next);
      }
      return { keys, states };
    },
    equal(a, b) {
      if (a.keys.length !== b.keys.length) return false;
      for (let i = 0; i < a.keys.length; i++) {
        if (a.keys[i] !== b.keys[i] || !inner.equal(a.states[i]!, b.states[i]!)) return false;
      }
      return true;
    },
    hash(state) {
      let h = 0x1234567;
      for (let i = 0; i < state.keys.length; i++) h = mix32(h ^ hashString(state.keys[i]!) ^ inner.hash(state.states[i]!));
      return h;
    },
    isReadOnly: (op) => inner.isReadOnly(op),
    describeOperation: (op) => `${op.key ?? ""}: ${inner.describeOperation(op)}`,
    describeState: (state) =>
      `{${state.keys.map((key, i) => `${key}: ${inner.describeState(state.states[i]!)}`).join(", ")}}`,
  };
}
