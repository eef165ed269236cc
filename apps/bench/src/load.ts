import { connect, type Socket } from "node:net";
import {
  AuthPacket,
  CreateRequest,
  Framer,
  GetDataRequest,
  Ids,
  JuteReader,
  JuteWriter,
  OpCode,
  ReplyHeader,
  RequestHeader,
  SetDataRequest,
  errorCodeName,
  writeConnectRequest,
} from "@zkts/jute";
import { LatencyHistogram, type LatencySummary } from "./histogram.js";

export interface LoadOptions {
  host: string;
  port: number;
  clients: number;
  /** Requests each client keeps in flight. */
  outstanding: number;
  durationMs: number;
  dataSize: number;
  /** Fraction of requests that are getData; the rest are setData. */
  readRatio: number;
  /** Seed of the read/write choice, so two runs issue the same sequence. */
  seed: number;
  /** An AuthPacket each connection sends first (e.g. zkts's `zkts linearizable-reads`). */
  auth?: { scheme: string; auth: string };
  /** Where a progress line goes every second of the measured phase; default stderr, null for none. */
  progress?: ((line: string) => void) | null;
  /**
   * Offered load: requests per second across all clients, issued on a fixed schedule whatever
   * the replies (an open loop), each client keeping at most `outstanding` in flight. Latency
   * counts from when a request was due, so a server that falls behind shows it in the
   * percentiles instead of slowing the load down (coordinated omission). Absent: each client
   * sends its next request as soon as a reply frees a slot (a closed loop).
   */
  ratePerSecond?: number;
}

const PROGRESS_EVERY_MS = 1000;

/** The operations the load issues, each with its own latency histogram. */
export type LoadOperation = "getData" | "setData";

export interface LoadResult {
  operations: number;
  reads: number;
  writes: number;
  errors: number;
  elapsedMs: number;
  /** Every reply's latency, whatever its operation. */
  latencyMs: LatencySummary;
  byOperation: Record<LoadOperation, LatencySummary>;
  /**
   * Replies received in each second of the measured phase, from the clock's start; the last
   * entry is the partial second in which the requests still in flight at the deadline came back.
   */
  throughputPerSecond: number[];
}

/** A small xorshift generator: the benchmark's only randomness, seeded. */
function xorshift(seed: number): () => number {
  let x = seed | 0 || 1;
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) / 0x100000000;
  };
}

const AUTH_XID = -4;

export class BenchConnection {
  private readonly framer = new Framer(0x7fffffff);
  private readonly writer = new JuteWriter(64 * 1024);
  private readonly sentAt = new Map<number, { at: bigint; type: number }>();
  private xid = 0;
  private onHandshake: (() => void) | null = null;
  private onAuth: ((err: number) => void) | null = null;
  /** Called with each reply to a request sent with send(): its error code, latency and request type. */
  onReply: (err: number, latencyNs: bigint, type: number) => void = () => {};

  constructor(private readonly socket: Socket) {
    socket.setNoDelay(true);
    let handshaken = false;
    socket.on("data", (chunk: Buffer) =>
      this.framer.push(chunk, (payload) => {
        if (!handshaken) {
          handshaken = true;
          this.onHandshake?.();
          return;
        }
        const header = ReplyHeader.read(new JuteReader(payload, 0, payload.length, 0x7fffffff));
        if (header.xid === AUTH_XID) {
          this.onAuth?.(header.err);
          return;
        }
        const sent = this.sentAt.get(header.xid);
        if (sent === undefined) return;
        this.sentAt.delete(header.xid);
        this.onReply(header.err, process.hrtime.bigint() - sent.at, sent.type);
      }),
    );
  }

  static async open(host: string, port: number): Promise<BenchConnection> {
    const socket = connect(port, host);
    await new Promise<void>((resolve, reject) => {
      socket.once("connect", resolve);
      socket.once("error", reject);
    });
    const connection = new BenchConnection(socket);
    const ready = new Promise<void>((resolve) => (connection.onHandshake = resolve));
    const w = new JuteWriter();
    w.beginFrame();
    writeConnectRequest(w, { protocolVersion: 0, lastZxidSeen: 0n, timeOut: 30000, sessionId: 0n, passwd: Buffer.alloc(16) }, false);
    w.endFrame();
    socket.write(w.toBuffer());
    await ready;
    return connection;
  }

  /** `dueAt`: when the request was due (an offered load's schedule); its latency counts from then. */
  send(type: number, body: (w: JuteWriter) => void, dueAt: bigint = process.hrtime.bigint()): void {
    const xid = ++this.xid;
    const w = this.writer;
    w.reset();
    w.beginFrame();
    RequestHeader.write(w, { xid, type });
    body(w);
    w.endFrame();
    this.sentAt.set(xid, { at: dueAt, type });
    this.socket.write(w.toBuffer());
  }

  /** Sends an AuthPacket and waits for its answer (ZooKeeper answers auth with xid -4). */
  async authenticate(scheme: string, auth: string): Promise<void> {
    const answered = new Promise<number>((resolve) => (this.onAuth = resolve));
    const w = this.writer;
    w.reset();
    w.beginFrame();
    RequestHeader.write(w, { xid: AUTH_XID, type: OpCode.auth });
    AuthPacket.write(w, { type: 0, scheme, auth: Buffer.from(auth) });
    w.endFrame();
    this.socket.write(w.toBuffer());
    const err = await answered;
    if (err !== 0) throw new Error(`auth ${scheme} failed: ${errorCodeName.get(err) ?? err}`);
  }

  close(): void {
    this.socket.destroy();
  }
}

/** Runs a pipelined getData/setData load and reports throughput and latency. */
export async function runLoad(options: LoadOptions): Promise<LoadResult> {
  const random = xorshift(options.seed);
  const data = Buffer.alloc(options.dataSize, 0x61);
  const connections = await Promise.all(Array.from({ length: options.clients }, () => BenchConnection.open(options.host, options.port)));
  if (options.auth !== undefined) {
    const { scheme, auth } = options.auth;
    await Promise.all(connections.map((c) => c.authenticate(scheme, auth)));
  }
  const prefix = `/zkts-bench-${options.seed}-${process.pid}`;
  // Each client works on its own znode, created before the clock starts.
  await Promise.all(
    connections.map(
      (c, i) =>
        new Promise<void>((resolve) => {
          c.onReply = () => resolve();
          c.send(OpCode.create, (w) =>
            CreateRequest.write(w, {
              path: `${prefix}-${i}`,
              data,
              acl: [...Ids.OPEN_ACL_UNSAFE],
              flags: 0,
            }),
          );
        }),
    ),
  );
  const all = new LatencyHistogram();
  const byOperation = { getData: new LatencyHistogram(), setData: new LatencyHistogram() };
  const throughputPerSecond: number[] = [];
  let reads = 0;
  let writes = 0;
  let errors = 0;
  let firstErrorCode: number | null = null;
  const started = process.hrtime.bigint();
  const deadline = started + BigInt(options.durationMs) * 1_000_000n;
  const report = options.progress === undefined ? (line: string) => process.stderr.write(`${line}\n`) : options.progress;
  let reportedOps = 0;
  const progressTimer =
    report === null
      ? null
      : setInterval(() => {
          const elapsedS = Number(process.hrtime.bigint() - started) / 1e9;
          const recent = ((all.count - reportedOps) / PROGRESS_EVERY_MS) * 1000;
          reportedOps = all.count;
          report(
            `zkts-bench: ${elapsedS.toFixed(1)} s of ${(options.durationMs / 1000).toFixed(1)} s, ${all.count} ops, ${recent.toFixed(0)} ops/s in the last ${PROGRESS_EVERY_MS / 1000} s`,
          );
        }, PROGRESS_EVERY_MS);
  await Promise.all(
    connections.map(
      (c, i) =>
        new Promise<void>((resolve) => {
          const path = `${prefix}-${i}`;
          let inFlight = 0;
          const issue = (dueAt?: bigint) => {
            inFlight++;
            if (random() < options.readRatio) {
              reads++;
              c.send(OpCode.getData, (w) => GetDataRequest.write(w, { path, watch: false }), dueAt);
            } else {
              writes++;
              c.send(OpCode.setData, (w) => SetDataRequest.write(w, { path, data, version: -1 }), dueAt);
            }
          };
          const schedule = options.ratePerSecond === undefined ? null : new OfferedSchedule(options.ratePerSecond / options.clients, started, deadline);
          c.onReply = (err, latencyNs, type) => {
            inFlight--;
            if (err !== 0) {
              errors++;
              firstErrorCode ??= err;
            }
            const latencyMs = Number(latencyNs) / 1e6;
            all.recordMs(latencyMs);
            (type === OpCode.getData ? byOperation.getData : byOperation.setData).recordMs(latencyMs);
            const now = process.hrtime.bigint();
            const second = Number((now - started) / 1_000_000_000n);
            while (throughputPerSecond.length <= second) throughputPerSecond.push(0);
            throughputPerSecond[second]!++;
            if (schedule !== null) {
              // A freed slot takes the oldest request that was due and could not go out.
              sendDue();
              if (schedule.finished(now) && inFlight === 0) resolve();
            } else if (now < deadline) issue();
            else if (inFlight === 0) resolve();
          };
          const sendDue = () => {
            const now = process.hrtime.bigint();
            while (schedule !== null && inFlight < options.outstanding) {
              const dueAt = schedule.next(now);
              if (dueAt === null) break;
              issue(dueAt);
            }
          };
          if (schedule === null) {
            for (let k = 0; k < options.outstanding; k++) issue();
            return;
          }
          const ticker = setInterval(() => {
            sendDue();
            if (!schedule.finished(process.hrtime.bigint())) return;
            clearInterval(ticker);
            if (inFlight === 0) resolve();
          }, 1);
        }),
    ),
  );
  const elapsedMs = Number(process.hrtime.bigint() - started) / 1e6;
  if (progressTimer !== null) clearInterval(progressTimer);
  for (const c of connections) c.close();
  if (errors > 0) process.stderr.write(`zkts-bench: ${errors} requests failed (the first with ${errorCodeName.get(firstErrorCode!) ?? firstErrorCode})\n`);
  return {
    operations: all.count,
    reads,
    writes,
    errors,
    elapsedMs,
    latencyMs: all.summary(),
    byOperation: { getData: byOperation.getData.summary(), setData: byOperation.setData.summary() },
    throughputPerSecond,
  };
}

/**
 * One client's share of an offered load: requests due at evenly spaced times from `start`
 * until `deadline`. next() hands out the oldest due time not yet taken (null when none is due
 * yet), so requests held back by the in-flight cap go out late but keep their due time.
 */
export class OfferedSchedule {
  private taken = 0;
  private readonly intervalNs: number;

  constructor(
    ratePerSecond: number,
    private readonly start: bigint,
    private readonly deadline: bigint,
  ) {
    if (!(ratePerSecond > 0)) throw new RangeError(`an offered load needs a positive rate, not ${ratePerSecond}`);
    this.intervalNs = 1e9 / ratePerSecond;
  }

  private dueAt(index: number): bigint {
    return this.start + BigInt(Math.round(index * this.intervalNs));
  }

  next(now: bigint): bigint | null {
    const due = this.dueAt(this.taken);
    if (due > now || due >= this.deadline) return null;
    this.taken++;
    return due;
  }

  /** Every request due before the deadline has been handed out, and the deadline passed. */
  finished(now: bigint): boolean {
    return now >= this.deadline && this.dueAt(this.taken) >= this.deadline;
  }

  /** Requests handed out so far. */
  get issued(): number {
    return this.taken;
  }
}

/** Operations per second over the whole measured phase. */
export function throughput(r: LoadResult): number {
  return (r.operations / r.elapsedMs) * 1000;
}

/** A run as `--json` prints it: what was asked (the seed among it) and everything measured. */
export type LoadReport = ReturnType<typeof loadReport>;

export function loadReport(options: LoadOptions, r: LoadResult) {
  const { host, port, clients, outstanding, durationMs, dataSize, readRatio, seed, auth, ratePerSecond } = options;
  return {
    parameters: {
      server: `${host}:${port}`,
      clients,
      outstanding,
      durationMs,
      dataSize,
      readRatio,
      seed,
      ...(auth ? { auth: auth.scheme } : {}),
      ...(ratePerSecond === undefined ? {} : { ratePerSecond }),
    },
    seed,
    operationsPerSecond: throughput(r),
    ...r,
  };
}

export function formatResult(name: string, r: LoadResult): string {
  return `${name.padEnd(22)} ${throughput(r).toFixed(0).padStart(9)} ops/s   p50 ${r.latencyMs.p50.toFixed(2)} ms   p99 ${r.latencyMs.p99.toFixed(2)} ms   max ${r.latencyMs.max.toFixed(1)} ms   (${r.operations} ops, ${r.errors} errors)`;
}
