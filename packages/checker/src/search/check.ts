// Checks a whole history: drops ops that cannot matter, partitions by key, searches each
// partition (smallest first, so a small failing object is found early) and combines the
// verdicts. The verdict is never a guess: a search stopped by a limit makes it "unknown".
import type { Operation } from "../history/types.js";
import { keyed } from "../models/keyed.js";
import type { Model } from "../models/model.js";
import { partitionByKey } from "./partition.js";
import { searchLinearization, type SearchStats, type SearchVerdict } from "./wgl.js";

export type Verdict = SearchVerdict;

export interface CheckOptions {
  /** Check each key apart (default). When false, all keys form one object. */
  partition?: boolean;
  /** Polled during the search; true stops it with an unknown verdict. */
  shouldStop?: () => boolean;
  /** With `timeoutMs`, a time limit measured on this clock (milliseconds). */
  clock?: () => number;
  timeoutMs?: number;
  maxCacheBytes?: number;
}

export interface PartitionFailure<S> {
  /** The longest linearizable prefix found, in linearization order. */
  prefix: Operation[];
  /** Model states after each op of the prefix. */
  states: S[];
  /** The state after the whole prefix (the initial state when the prefix is empty). */
  stateAtFailure: S;
  /** The op that cannot be placed after that prefix. */
  blocking: Operation;
}

export interface PartitionResult<S> {
  key: string | undefined;
  operations: Operation[];
  /** "skipped" when the check stopped before reaching this partition. */
  verdict: Verdict | "skipped";
  reason?: "timeout" | "memory";
  failure?: PartitionFailure<S>;
  stats?: SearchStats;
}

export interface CheckResult<S = unknown> {
  verdict: Verdict;
  reason?: "timeout" | "memory";
  model: Model<S>;
  partitions: PartitionResult<S>[];
  /** Ops left out of the search: failed ones, and reads with an unknown result. */
  dropped: Operation[];
}

/** Failed ops did not happen; a read whose result is unknown constrains nothing. */
export function isRelevant<S>(model: Model<S>, op: Operation): boolean {
  if (op.status === "fail") return false;
  return op.status === "ok" || !model.isReadOnly(op);
}

export function checkOperations<S>(model: Model<S>, operations: readonly Operation[], options: CheckOptions = {}): CheckResult<S> {
  const shouldStop = stopCondition(options);
  const kept = operations.filter((op) => isRelevant(model, op));
  const dropped = operations.filter((op) => !isRelevant(model, op));
  const partitioned = options.partition !== false;
  const keys = new Set(kept.map((op) => op.key));
  // Without partitioning, several keys need a model of the whole map.
  const searchModel = (partitioned || keys.size <= 1 ? model : keyed(model)) as Model<S>;
  const groups = partitioned ? partitionByKey(kept) : [{ key: undefined, operations: kept }];
  groups.sort((a, b) => a.operations.length - b.operations.length);

  const partitions: PartitionResult<S>[] = groups.map((group) => ({ ...group, verdict: "skipped" }));
  let verdict: Verdict = "linearizable";
  let reason: CheckResult<S>["reason"];
  for (const partition of partitions) {
    const result = searchLinearization(searchModel, partition.operations, {
      shouldStop,
      maxCacheBytes: options.maxCacheBytes,
    });
    partition.verdict = result.verdict;
    partition.stats = result.stats;
    if (result.reason) partition.reason = result.reason;
    if (result.failure) {
      partition.failure = describeFailure(searchModel, partition.operations, result.failure.prefix, result.failure.blocking);
    }
    if (result.verdict === "not-linearizable") {
      verdict = "not-linearizable";
      reason = undefined;
      break;
    }
    if (result.verdict === "unknown") {
      verdict = "unknown";
      reason = result.reason;
      if (result.reason === "timeout") break;
    }
  }
  const out: CheckResult<S> = { verdict, model: searchModel, partitions, dropped };
  if (reason) out.reason = reason;
  return out;
}

function stopCondition(options: CheckOptions): (() => boolean) | undefined {
  const { shouldStop, clock, timeoutMs } = options;
  if (!clock || timeoutMs === undefined) return shouldStop;
  const deadline = clock() + timeoutMs;
  return () => (shouldStop !== undefined && shouldStop()) || clock() >= deadline;
}

function describeFailure<S>(model: Model<S>, ops: readonly Operation[], prefixIndexes: number[], blockingIndex: number): PartitionFailure<S> {
  const prefix = prefixIndexes.map((i) => ops[i]!);
  const states: S[] = [];
  let state = model.init();
  for (const op of prefix) {
    const after = model.step(state, op);
    if (after === undefined) throw new Error(`internal: prefix op ${op.id} does not replay`);
    state = after;
    states.push(state);
  }
  return { prefix, states, stateAtFailure: state, blocking: ops[blockingIndex]! };
}
