import type { LatencySummary } from "@zkts/storage";
import type { SummaryFigure } from "./summary-figure.js";

/**
 * Turns the txn log's running fsync totals into fsynctime samples. It is read after each
 * batch the log makes durable, so it usually sees one new fsync and records its exact
 * duration (`lastMs`); when several completed in between, the newest is recorded exactly and
 * the others at their mean, so count and sum stay exact and only the percentiles blur.
 */
export class FsyncSampler {
  private seenCount = 0;
  private seenSumMs = 0;

  constructor(private readonly into: SummaryFigure) {}

  /** Records the fsyncs the log did since the last call. */
  sample(stats: LatencySummary): void {
    // The log was reopened (a TRUNC replaces the appender): its totals start again.
    if (stats.count < this.seenCount) {
      this.seenCount = 0;
      this.seenSumMs = 0;
    }
    const fresh = stats.count - this.seenCount;
    if (fresh <= 0) return;
    const sumMs = stats.avgMs * stats.count;
    const freshSumMs = Math.max(0, sumMs - this.seenSumMs);
    this.into.observe(stats.lastMs);
    if (fresh > 1) {
      const othersMs = Math.max(0, freshSumMs - stats.lastMs) / (fresh - 1);
      for (let i = 1; i < fresh; i++) this.into.observe(othersMs);
    }
    this.seenCount = stats.count;
    this.seenSumMs = sumMs;
  }
}
