/**
 * ZooKeeper's two kinds of Summary: BASIC ones export the median, ADVANCED ones the 50th, 90th
 * and 99th percentiles to Prometheus (and p50/p95/p99/p999 to mntr).
 */
export type SummaryDetail = "basic" | "advanced";

/** Samples kept for percentiles: the newest this many, from the last SAMPLE_AGE_MS_MAX. */
const SAMPLES_MAX = 4096;
/** As long as Prometheus's Java client keeps a summary's samples (10 minutes). */
const SAMPLE_AGE_MS_MAX = 10 * 60 * 1000;

/**
 * One ZooKeeper Summary (fsynctime, readlatency, ...): what mntr shows since the last `srst`
 * (count, sum, min, max) and what Prometheus shows since the start (a summary's count and sum
 * must never go down), plus a bounded window of recent samples for the percentiles.
 */
export class SummaryFigure {
  count = 0;
  sum = 0;
  min = 0;
  max = 0;
  /** Never reset: Prometheus's _count and _sum. */
  totalCount = 0;
  totalSum = 0;
  private readonly samples: number[] = [];
  private readonly sampledAtMs: number[] = [];
  /** Next slot to overwrite once the window is full. */
  private next = 0;

  constructor(
    readonly name: string,
    readonly detail: SummaryDetail,
    private readonly clock: () => number = Date.now,
  ) {}

  observe(value: number): void {
    this.min = this.count === 0 ? value : Math.min(this.min, value);
    this.max = this.count === 0 ? value : Math.max(this.max, value);
    this.count++;
    this.sum += value;
    this.totalCount++;
    this.totalSum += value;
    const now = this.clock();
    if (this.samples.length < SAMPLES_MAX) {
      this.samples.push(value);
      this.sampledAtMs.push(now);
    } else {
      this.samples[this.next] = value;
      this.sampledAtMs[this.next] = now;
      this.next = (this.next + 1) % SAMPLES_MAX;
    }
  }

  get avg(): number {
    return this.count === 0 ? 0 : this.sum / this.count;
  }

  /** `srst`: mntr's figures start again; Prometheus's totals carry on (ZooKeeper's provider ignores resets too). */
  reset(): void {
    this.count = 0;
    this.sum = 0;
    this.min = 0;
    this.max = 0;
  }

  /** The q-quantile (0..1) of the recent samples, nearest rank; 0 with none. */
  quantile(q: number): number {
    const sorted = this.recentSamples().sort((a, b) => a - b);
    if (sorted.length === 0) return 0;
    const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
    return sorted[rank]!;
  }

  private recentSamples(): number[] {
    const oldest = this.clock() - SAMPLE_AGE_MS_MAX;
    const out: number[] = [];
    for (let i = 0; i < this.samples.length; i++) if (this.sampledAtMs[i]! >= oldest) out.push(this.samples[i]!);
    return out;
  }
}

/** A ZooKeeper Counter: mntr shows it since the last `srst`, Prometheus since the start. */
export class CounterFigure {
  value = 0;
  total = 0;

  constructor(readonly name: string) {}

  add(delta = 1): void {
    this.value += delta;
    this.total += delta;
  }

  reset(): void {
    this.value = 0;
  }
}
