/** Counters and latency figures behind srvr, stat, mntr and the AdminServer. */
export class ServerMetrics {
  packetsReceived = 0;
  packetsSent = 0;
  latencyCount = 0;
  latencyTotalMs = 0;
  latencyMinMs = Number.POSITIVE_INFINITY;
  latencyMaxMs = 0;
  connectionsRejected = 0;
  watchEventsSent = 0;
  readonly startedAtMs: number;

  constructor(nowMs: number) {
    this.startedAtMs = nowMs;
  }

  recordLatency(ms: number): void {
    this.latencyCount++;
    this.latencyTotalMs += ms;
    if (ms < this.latencyMinMs) this.latencyMinMs = ms;
    if (ms > this.latencyMaxMs) this.latencyMaxMs = ms;
  }

  get latencyMin(): number {
    return this.latencyCount === 0 ? 0 : Math.round(this.latencyMinMs);
  }

  get latencyAvg(): number {
    return this.latencyCount === 0 ? 0 : this.latencyTotalMs / this.latencyCount;
  }

  get latencyMax(): number {
    return Math.round(this.latencyMaxMs);
  }

  reset(): void {
    this.packetsReceived = 0;
    this.packetsSent = 0;
    this.latencyCount = 0;
    this.latencyTotalMs = 0;
    this.latencyMinMs = Number.POSITIVE_INFINITY;
    this.latencyMaxMs = 0;
  }
}
