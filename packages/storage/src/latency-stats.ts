/** Running min/avg/max of a latency, in milliseconds (the fsync figures `mntr` reports). */
export interface LatencySummary {
  count: number;
  minMs: number;
  avgMs: number;
  maxMs: number;
  lastMs: number;
}

export class LatencyStats {
  private count = 0;
  private totalMs = 0;
  private minMs = Infinity;
  private maxMs = 0;
  private lastMs = 0;

  record(ms: number): void {
    this.count++;
    this.totalMs += ms;
    this.lastMs = ms;
    if (ms < this.minMs) this.minMs = ms;
    if (ms > this.maxMs) this.maxMs = ms;
  }

  summary(): LatencySummary {
    if (this.count === 0) return { count: 0, minMs: 0, avgMs: 0, maxMs: 0, lastMs: 0 };
    return {
      count: this.count,
      minMs: this.minMs,
      avgMs: this.totalMs / this.count,
      maxMs: this.maxMs,
      lastMs: this.lastMs,
    };
  }

  reset(): void {
    this.count = 0;
    this.totalMs = 0;
    this.minMs = Infinity;
    this.maxMs = 0;
    this.lastMs = 0;
  }
}
