/**
 * When, and which host, to ask whether it serves reads and writes while the client is on a
 * read-only server, as ZooKeeper's ClientCnxn does: the first probe 100 ms after the read-only
 * session opens, then twice as long after each probe up to a minute, over the other hosts in
 * turn; finding a read-write server starts the interval over. One probe at a time.
 */
const PROBE_INTERVAL_MS_MIN = 100;
const PROBE_INTERVAL_MS_MAX = 60_000;

export class ReadWriteProbe {
  private intervalMs = PROBE_INTERVAL_MS_MIN;
  private nextAt = Infinity;
  /** The host index being probed, or null. */
  private inFlight: number | null = null;
  private cursor: number;

  constructor(private readonly hostCount: number) {
    this.cursor = hostCount - 1;
  }

  /** A read-only session opened at `now`. */
  arm(now: number): void {
    this.nextAt = now + this.intervalMs;
  }

  /** No read-only session any more: nothing to look for. */
  disarm(): void {
    this.nextAt = Infinity;
  }

  /** When the next probe is due, or undefined while none is scheduled or one is out. */
  get deadline(): number | undefined {
    return this.inFlight !== null || this.nextAt === Infinity ? undefined : this.nextAt;
  }

  /** The host to probe now (not `current` when there are others), or undefined if none is due. */
  due(now: number, current: number): number | undefined {
    if (this.inFlight !== null || now < this.nextAt) return undefined;
    this.intervalMs = Math.min(2 * this.intervalMs, PROBE_INTERVAL_MS_MAX);
    this.nextAt = now + this.intervalMs;
    this.cursor = (this.cursor + 1) % this.hostCount;
    if (this.cursor === current && this.hostCount > 1) this.cursor = (this.cursor + 1) % this.hostCount;
    this.inFlight = this.cursor;
    return this.cursor;
  }

  /** The answer of the probe of host `index`; true when it is a read-write server to move to. */
  settle(index: number, readWrite: boolean): boolean {
    if (this.inFlight !== index) return false;
    this.inFlight = null;
    if (readWrite) this.intervalMs = PROBE_INTERVAL_MS_MIN;
    return readWrite;
  }
}
