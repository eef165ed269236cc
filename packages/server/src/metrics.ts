import { OpCode } from "@zkts/jute";
import { CounterFigure, SummaryFigure } from "./metrics/summary-figure.js";
import { TREE_WRITE_OPS } from "./read-requests.js";

/**
 * Requests ZooKeeper counts as quorum requests (Request.isQuorum): their latency goes to
 * updatelatency, every other request's (reads, sync, ping) to readlatency.
 */
const QUORUM_OPS: ReadonlySet<number> = new Set<number>([...TREE_WRITE_OPS, OpCode.createSession, OpCode.closeSession, OpCode.error]);

/**
 * Counters and timings behind srvr, stat, mntr, the AdminServer's monitor and the Prometheus
 * endpoint, under ZooKeeper's ServerStats and ServerMetrics names. `reset()` is `srst`.
 */
export class ServerMetrics {
  packetsReceived = 0;
  packetsSent = 0;
  latencyCount = 0;
  latencyTotalMs = 0;
  latencyMinMs = Number.POSITIVE_INFINITY;
  latencyMaxMs = 0;
  watchEventsSent = 0;
  readonly startedAtMs: number;
  readonly readLatency: SummaryFigure;
  readonly updateLatency: SummaryFigure;
  /** Each fsync of the txn log, in ms (sampled from the log's running totals: fsync-sampler.ts). */
  readonly fsyncTime: SummaryFigure;
  /** Each snapshot written, in ms. */
  readonly snapshotTime: SummaryFigure;
  /** Loading the data directory at start (snapshot and log replay), in ms. */
  readonly dbInitTime: SummaryFigure;
  /** ConnectRequests handled (ZooKeeper counts handshakes, not accepted sockets). */
  readonly connectionRequests = new CounterFigure("connection_request_count");
  /** Connections refused at accept (maxClientCnxns). */
  readonly connectionsRejected = new CounterFigure("connection_rejected");
  /** Bytes of the packets read from clients: 4 for the length plus the payload, 4 for a four-letter word. */
  readonly bytesReceived = new CounterFigure("bytes_received_count");

  constructor(nowMs: number, clock: () => number = Date.now) {
    this.startedAtMs = nowMs;
    this.readLatency = new SummaryFigure("readlatency", "advanced", clock);
    this.updateLatency = new SummaryFigure("updatelatency", "advanced", clock);
    this.fsyncTime = new SummaryFigure("fsynctime", "basic", clock);
    this.snapshotTime = new SummaryFigure("snapshottime", "basic", clock);
    this.dbInitTime = new SummaryFigure("dbinittime", "basic", clock);
  }

  /** One request answered `ms` after it arrived; `op` is its opcode (null when unknown). */
  recordLatency(ms: number, op: number | null = null): void {
    this.latencyCount++;
    this.latencyTotalMs += ms;
    if (ms < this.latencyMinMs) this.latencyMinMs = ms;
    if (ms > this.latencyMaxMs) this.latencyMaxMs = ms;
    if (op === null) return;
    (QUORUM_OPS.has(op) ? this.updateLatency : this.readLatency).observe(ms);
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

  /** `srst`: ServerStats starts again, and so do the provider's counters and summaries (as ZooKeeper's default provider's do). */
  reset(): void {
    this.packetsReceived = 0;
    this.packetsSent = 0;
    this.latencyCount = 0;
    this.latencyTotalMs = 0;
    this.latencyMinMs = Number.POSITIVE_INFINITY;
    this.latencyMaxMs = 0;
    for (const s of [this.readLatency, this.updateLatency, this.fsyncTime, this.snapshotTime, this.dbInitTime]) s.reset();
    for (const c of [this.connectionRequests, this.connectionsRejected, this.bytesReceived]) c.reset();
  }
}
