import { type TimedOp, latencyMs } from "./timed-ops.js";

/** Completions in one second of the run, by outcome. */
export interface ThroughputBucket {
  /** Whole seconds from the origin (negative before it). */
  readonly second: number;
  readonly ok: number;
  readonly fail: number;
  readonly info: number;
}

/** Latency quantiles of the ok ops that completed in one second. */
export interface LatencyBucket {
  readonly second: number;
  readonly count: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
}

function secondOf(timeNs: number, originNs: number): number {
  return Math.floor((timeNs - originNs) / 1e9);
}

/**
 * Completions per second, counted at completion time, for every second from the first
 * completion to the last: seconds with none are there as zeros, since an outage is the point.
 */
export function throughputPerSecond(ops: readonly TimedOp[], originNs: number): ThroughputBucket[] {
  const completed = ops.filter((t): t is TimedOp & { endNs: number } => t.endNs !== null);
  if (completed.length === 0) return [];
  const seconds = completed.map((t) => secondOf(t.endNs, originNs));
  const first = Math.min(...seconds);
  const last = Math.max(...seconds);
  const buckets = Array.from({ length: last - first + 1 }, (_, i) => ({ second: first + i, ok: 0, fail: 0, info: 0 }));
  completed.forEach((t, i) => {
    const bucket = buckets[seconds[i]! - first]!;
    if (t.outcome === "ok" || t.outcome === "fail" || t.outcome === "info") bucket[t.outcome]++;
  });
  return buckets;
}

/**
 * p50 and p99 latency of the ok ops completed in each second (nearest rank). Failed and
 * unknown ops are left out: their latency is mostly the time a client waited to give up, which
 * the plot shows as dots instead. Seconds without an ok op have no bucket.
 */
export function latencyPerSecond(ops: readonly TimedOp[], originNs: number): LatencyBucket[] {
  const bySecond = new Map<number, number[]>();
  for (const t of ops) {
    const ms = latencyMs(t);
    if (t.outcome !== "ok" || ms === null) continue;
    const second = secondOf(t.endNs!, originNs);
    const values = bySecond.get(second);
    if (values === undefined) bySecond.set(second, [ms]);
    else values.push(ms);
  }
  return [...bySecond]
    .sort(([a], [b]) => a - b)
    .map(([second, values]) => {
      const sorted = values.sort((a, b) => a - b);
      return { second, count: sorted.length, p50Ms: nearestRank(sorted, 0.5), p99Ms: nearestRank(sorted, 0.99) };
    });
}

/** The value at rank ceil(q * n) of sorted values (1-based): always one of the values. */
export function nearestRank(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) throw new Error("no values");
  const rank = Math.max(1, Math.ceil(q * sorted.length));
  return sorted[rank - 1]!;
}
