// Wing-Gong search with Lowe's configuration cache, for the operations of one partition.
//
// The search walks the entry list from the front. At a call entry it tries to linearize that
// op next: if the model accepts it and the resulting configuration is new, the op is lifted
// out of the list and the walk restarts at the front. Reaching a return entry means that op
// had to be linearized already and none of the choices so far allow it, so the search
// backtracks. An empty list means every op is placed: linearizable.
//
// Ops with an unknown outcome return at +infinity, so their return entries sit at the end.
// Reaching one means every op with a known outcome is placed; the remaining unknown ops are
// taken never to have happened, and the history is linearizable.
//
// At each configuration the candidates (call entries before the first return entry) are
// tried in two passes: ops with a known outcome first, then those with an unknown outcome.
// Any order is complete; this one reaches each (known ops, state) first with few unknown ops
// linearized, which is what lets the cache prune the rest (see ConfigCache).
//
// Unknown ops that the model declares interchangeable (same effect key) are taken in order of
// invocation: one is tried only once its predecessor of the same kind is linearized. Any
// linearization can be rewritten that way, since the earlier op was invoked earlier, has no
// deadline either, and does the same.
import type { Operation } from "../history/types.js";
import type { Model } from "../models/model.js";
import { LinearizedSet } from "./bitset.js";
import { CacheAdd, ConfigCache, type ConfigKey } from "./config-cache.js";
import { EntryList } from "./entry-list.js";
import { mix32 } from "../util/hash.js";

export type SearchVerdict = "linearizable" | "not-linearizable" | "unknown";

export interface SearchLimits {
  /** Polled every few thousand steps; true stops the search with an unknown verdict. */
  shouldStop?: () => boolean;
  /** Upper bound on the cache's memory; reaching it gives an unknown verdict. */
  maxCacheBytes?: number;
}

export interface SearchFailure {
  /** Indexes (into the partition's ops) of the longest linearizable prefix found, in order. */
  prefix: number[];
  /** The op whose return was reached with no way to linearize it after that prefix. */
  blocking: number;
}

export interface SearchStats {
  steps: number;
  configurations: number;
  maxDepth: number;
}

export interface SearchResult {
  verdict: SearchVerdict;
  reason?: "timeout" | "memory";
  failure?: SearchFailure;
  stats: SearchStats;
}

const POLL_MASK = 4095;
export const DEFAULT_MAX_CACHE_BYTES = 2 ** 31;

export function searchLinearization<S>(model: Model<S>, ops: readonly Operation[], limits: SearchLimits = {}): SearchResult {
  const n = ops.length;
  const list = new EntryList(ops);
  const { next, opOf, isReturn } = list;
  const tail = list.tail;
  const unknown = new Uint8Array(n);
  for (let i = 0; i < n; i++) unknown[i] = ops[i]!.ret === Infinity ? 1 : 0;

  const previousOfKind = interchangeablePredecessors(model, ops, unknown);
  const linearized = new LinearizedSet(n, unknown);
  const words = linearized.words;
  const knownMask = new Uint32Array(linearized.words.length);
  for (let i = 0; i < n; i++) if (unknown[i] === 0) knownMask[i >>> 5]! |= 1 << (i & 31);
  const hasUnknown = unknown.includes(1);
  const cache = new ConfigCache<S>(linearized.words.length, model.equal, limits.maxCacheBytes ?? DEFAULT_MAX_CACHE_BYTES, hasUnknown ? knownMask : undefined);
  const stackCalls = new Int32Array(n);
  /** The pass (0: known ops, 1: unknown ops) in which each stacked op was chosen. */
  const stackPass = new Uint8Array(n);
  const key: ConfigKey = { lo: 0, hi: 0, knownLo: 0, unknownCount: 0 };
  let pass = 0;
  const stackStates: S[] = new Array(n);
  const bestPrefix = new Int32Array(n);
  let bestDepth = -1;
  let blocking = -1;
  let depth = 0;
  let maxDepth = 0;
  let steps = 0;
  const shouldStop = limits.shouldStop;

  const stats = (): SearchStats => ({ steps, configurations: cache.size, maxDepth });
  let state = model.init();
  let entry = next[EntryList.HEAD]!;

  while (entry !== tail) {
    const op = opOf[entry]!;
    if (isReturn[entry] === 0) {
      if (unknown[op] !== pass) {
        entry = next[entry]!;
        continue;
      }
      const previous = previousOfKind[op]!;
      if (previous >= 0 && (words[previous >>> 5]! & (1 << (previous & 31))) === 0) {
        entry = next[entry]!;
        continue;
      }
      if ((++steps & POLL_MASK) === 0 && shouldStop && shouldStop()) {
        return { verdict: "unknown", reason: "timeout", stats: stats() };
      }
      const after = model.step(state, ops[op]!);
      if (after !== undefined) {
        linearized.set(op);
        const stateHash = model.hash(after);
        key.lo = linearized.hashLo ^ stateHash;
        key.hi = linearized.hashHi ^ mix32(stateHash ^ 0x7feb352d);
        key.knownLo = linearized.knownLo ^ stateHash;
        key.unknownCount = linearized.unknownCount;
        const added = cache.add(linearized.words, key, after);
        if (added === CacheAdd.Added) {
          stackCalls[depth] = entry;
          stackStates[depth] = state;
          stackPass[depth] = pass;
          depth++;
          if (depth > maxDepth) maxDepth = depth;
          state = after;
          list.lift(entry);
          entry = next[EntryList.HEAD]!;
          pass = 0;
          continue;
        }
        linearized.clear(op);
        if (added === CacheAdd.Full) return { verdict: "unknown", reason: "memory", stats: stats() };
      }
      entry = next[entry]!;
      continue;
    }
    if (unknown[op] === 1) break;
    if (pass === 0 && hasUnknown) {
      // Known candidates exhausted: now try the unknown ones.
      pass = 1;
      entry = next[EntryList.HEAD]!;
      continue;
    }
    // Dead end: op must already be linearized and cannot be.
    if (depth > bestDepth) {
      bestDepth = depth;
      blocking = op;
      for (let i = 0; i < depth; i++) bestPrefix[i] = opOf[stackCalls[i]!]!;
    }
    if (depth === 0) {
      return {
        verdict: "not-linearizable",
        failure: { prefix: Array.from(bestPrefix.subarray(0, bestDepth)), blocking },
        stats: stats(),
      };
    }
    depth--;
    const call = stackCalls[depth]!;
    state = stackStates[depth]!;
    stackStates[depth] = undefined as S; // let the state be collected
    pass = stackPass[depth]!;
    linearized.clear(opOf[call]!);
    list.unlift(call);
    entry = next[call]!;
  }
  return { verdict: "linearizable", stats: stats() };
}

/** For each unknown op, the latest earlier-invoked unknown op with the same effect key, or -1. */
function interchangeablePredecessors<S>(model: Model<S>, ops: readonly Operation[], unknown: Uint8Array): Int32Array {
  const previous = new Int32Array(ops.length).fill(-1);
  if (!model.effectKey) return previous;
  const order = [];
  for (let i = 0; i < ops.length; i++) if (unknown[i] === 1) order.push(i);
  order.sort((a, b) => ops[a]!.call - ops[b]!.call || a - b);
  const latest = new Map<string, number>();
  for (const i of order) {
    const kind = model.effectKey(ops[i]!);
    const before = latest.get(kind);
    if (before !== undefined) previous[i] = before;
    latest.set(kind, i);
  }
  return previous;
}
