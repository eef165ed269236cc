import { build, type Histogram } from "hdr-histogram-js";

/** Percentiles of one kind of operation, in milliseconds, as every report prints them. */
export interface LatencySummary {
  count: number;
  meanMs: number;
  p50: number;
  p90: number;
  p99: number;
  p999: number;
  max: number;
}

/**
 * Latencies kept in an HDR histogram at microsecond resolution with 3 significant digits:
 * fixed memory however long the run, and percentiles to within 0.1 %, where a sorted array of
 * every sample grows with the run and costs a sort at the end.
 */
export class LatencyHistogram {
  private readonly histogram: Histogram = build({ numberOfSignificantValueDigits: 3 });

  recordMs(latencyMs: number): void {
    // HDR histograms count integers; a sub-microsecond latency still counts as one sample.
    this.histogram.recordValue(Math.max(1, Math.round(latencyMs * 1000)));
  }

  get count(): number {
    return this.histogram.totalCount;
  }

  summary(): LatencySummary {
    const h = this.histogram;
    if (h.totalCount === 0) return { count: 0, meanMs: 0, p50: 0, p90: 0, p99: 0, p999: 0, max: 0 };
    // A percentile is reported as the top of its bucket, which can lie above the largest value
    // recorded (kept exactly); no percentile is really above the maximum, so it is capped there.
    const at = (percentile: number) => Math.min(h.getValueAtPercentile(percentile), h.maxValue) / 1000;
    return {
      count: h.totalCount,
      meanMs: h.mean / 1000,
      p50: at(50),
      p90: at(90),
      p99: at(99),
      p999: at(99.9),
      max: h.maxValue / 1000,
    };
  }
}

/** The summary of a handful of figures (failover rounds, say): each one recorded, in ms. */
export function summarize(figuresMs: number[]): LatencySummary {
  const histogram = new LatencyHistogram();
  for (const figure of figuresMs) histogram.recordMs(figure);
  return histogram.summary();
}
