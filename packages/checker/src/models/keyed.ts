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
  /** XOR of the entries' hashes, updated per step instead of recomputed over every key. */
  readonly hash: number;
}

export function keyed<S>(inner: Model<S>): Model<KeyedState<S>> {
  const initial = inner.init();
  const keyHashes = new Map<string, number>();
  const entryHash = (key: string, state: S): number => {
    let h = keyHashes.get(key);
    if (h === undefined) keyHashes.set(key, (h = hashString(key)));
    return mix32(h ^ inner.hash(state));
  };
  const empty: KeyedState<S> = { keys: [], states: [], hash: 0 };
  const innerEffect = inner.effectKey?.bind(inner);

  return {
    name: `keyed(${inner.name})`,
    init: () => empty,
    step(state, op) {
      const key = op.key ?? "";
      const { keys, states } = state;
      let at = 0;
      while (at < keys.length && keys[at]! < key) at++;
      const present = keys[at] === key;
      const before = present ? states[at]! : initial;
      const after = inner.step(before, op as Operation);
      if (after === undefined) return undefined;
      let hash = state.hash;
      if (present) hash ^= entryHash(key, before);
      const keep = !inner.equal(after, initial);
      if (keep) hash ^= entryHash(key, after);
      // Copy once, replacing, inserting or removing the entry at `at`.
      const nextKeys = keys.slice(0, at);
      const nextStates = states.slice(0, at);
      if (keep) {
        nextKeys.push(key);
        nextStates.push(after);
      }
      for (let i = present ? at + 1 : at; i < keys.length; i++) {
        nextKeys.push(keys[i]!);
        nextStates.push(states[i]!);
      }
      return { keys: nextKeys, states: nextStates, hash };
    },
    equal(a, b) {
      if (a.hash !== b.hash || a.keys.length !== b.keys.length) return false;
      for (let i = 0; i < a.keys.length; i++) {
        if (a.keys[i] !== b.keys[i] || !inner.equal(a.states[i]!, b.states[i]!)) return false;
      }
      return true;
    },
    hash: (state) => state.hash,
    isReadOnly: (op) => inner.isReadOnly(op),
    ...(innerEffect ? { effectKey: (op: Operation) => `${op.key ?? ""}\u0000${innerEffect(op)}` } : {}),
    describeOperation: (op) => `${op.key ?? ""}: ${inner.describeOperation(op)}`,
    describeState: (state) => `{${state.keys.map((key, i) => `${key}: ${inner.describeState(state.states[i]!)}`).join(", ")}}`,
  };
}
