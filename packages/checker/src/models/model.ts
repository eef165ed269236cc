// What a sequential specification must provide to the linearizability search.
import type { Operation } from "../history/types.js";
import { describeValue } from "../util/values.js";

/**
 * A sequential model of one object (one register, one queue, one znode). The search checks
 * each key's operations against a fresh `init()` state, so models never look at `op.key`.
 *
 * `step` must be pure: it returns the state after `op` took effect, or undefined when `op`,
 * with its recorded output, is impossible in `state`. For an op whose status is "unknown" the
 * output is missing; step should then return the state the op would produce if it took effect
 * here, or undefined if it cannot take effect (never taking effect is handled by the search).
 */
export interface Model<State = unknown> {
  readonly name: string;
  init(): State;
  step(state: State, op: Operation): State | undefined;
  /** Must agree with `hash`: equal states have equal hashes. */
  equal(a: State, b: State): boolean;
  /** A 32-bit integer. */
  hash(state: State): number;
  /** True when the op can never change the state; those with an unknown outcome are dropped. */
  isReadOnly(op: Operation): boolean;
  /**
   * Optional. Ops of unknown outcome with equal keys must have the same effect in every state.
   * The search then treats them as interchangeable and only ever linearizes the earliest
   * invoked ones of a kind. Leave it out when the effect depends on anything else (the mutex
   * depends on the process).
   */
  effectKey?(op: Operation): string;
  describeOperation(op: Operation): string;
  describeState(state: State): string;
}

/** The default one-line description: `f input → output`. */
export function describeOperation(op: Operation): string {
  const input = op.input === null || op.input === undefined ? "" : ` ${describeValue(op.input)}`;
  const output = op.status === "unknown" ? "?" : describeValue(op.output);
  return `${op.f}${input} → ${output}`;
}

/** The effect key of models whose step reads only `f` and `input` of an unknown op. */
export function effectOfInput(op: Operation): string {
  return `${op.f}\u0000${JSON.stringify(op.input ?? null)}`;
}

export function unsupported(model: string, op: Operation): never {
  throw new Error(`model ${model} has no operation "${op.f}" (op ${op.id})`);
}
