import type { Socket } from "node:net";
import type { WatchedEvent, Watcher } from "@zkts/datatree";
import { type Id, JuteError, JuteWriter, Framer, ReplyHeader, WatcherEvent, Xid } from "@zkts/jute";
import type { RequestsInFlight } from "./requests-in-flight.js";
import { summarizeRequest, type RequestSummary } from "./request-summary.js";

/** What the server answers to one request: ReplyHeader fields plus an optional body writer. */
export interface Reply {
  err: number;
  zxid: bigint;
  body: ((writer: JuteWriter) => void) | null;
  /** Close the connection once this reply is out (closeSession, UNIMPLEMENTED). */
  closeAfter?: boolean;
}

/** A request waiting for its turn to be answered, in arrival order. */
interface PendingRequest {
  xid: number;
  receivedAtMs: number;
  /** Reads run when they reach the head of the queue, so they see every earlier write. */
  run: (() => Reply) | null;
  reply: Reply | null;
  /** Op and path, kept only while the slow-request log is on. */
  summary: RequestSummary | null;
  /** The request's opcode (readlatency or updatelatency), null when not known. */
  op: number | null;
}

export interface ConnectionHandler {
  onHandshake(connection: ClientConnection, payload: Buffer): void;
  onRequest(connection: ClientConnection, payload: Buffer): void;
  onFourLetterWord(connection: ClientConnection, word: string): void;
  onClose(connection: ClientConnection): void;
  isFourLetterWord(word: string): boolean;
  nowMs(): number;
  /** A queued request was answered `latencyMs` after it arrived; `op` is its opcode when known. */
  onReplySent(latencyMs: number, op: number | null): void;
  /** A packet came in: its 4-byte length and payload, or a four-letter word's 4 bytes. */
  onBytesReceived(bytes: number): void;
  onPacketSent(): void;
  log(level: "debug" | "info" | "warn" | "error", message: string, fields?: Record<string, unknown>): void;
}

/** What one connection may hold before the server stops reading from it or closes it. */
export interface ConnectionLimits {
  /** jute.maxbuffer: the largest request frame. */
  maxBuffer: number;
  /** zkts.slowRequestThresholdMs: requests answered this late are logged; 0 or absent logs none. */
  slowRequestThresholdMs?: number;
  /** Requests in flight before the server stops reading (maxOutstandingPerConnection). */
  maxOutstanding: number;
  /**
   * Reply bytes queued for the socket past which no further reply is produced and nothing more
   * is read, until the client has read enough of them: a client that never reads costs at most
   * this plus one reply.
   */
  outgoingBytesSoft: number;
  /**
   * Queued bytes past which a watch event closes the connection instead: events cannot wait
   * like replies can (they come from other sessions' writes), so a watcher that does not read
   * them is cut off rather than buffered for without bound.
   */
  outgoingBytesMax: number;
  /**
   * zookeeper.nio.sessionlessCnxnTimeout: how long a connection may take, from its accept, to
   * deliver its whole ConnectRequest (or a four-letter word). ZooKeeper restarts this wait on
   * every byte read, so a client trickling bytes keeps a connection forever; zkts does not.
   */
  handshakeTimeoutMs: number;
  /** The server's requests in flight across its connections, under globalOutstandingLimit. */
  inFlight: RequestsInFlight;
}

let nextConnectionId = 1;

/**
 * One client TCP connection: cuts the byte stream into frames, keeps replies in request
 * order, delivers watch events, and batches everything written in one turn of the event loop
 * into a single socket write.
 */
export class ClientConnection implements Watcher {
  readonly id = nextConnectionId++;
  sessionId = 0n;
  sessionTimeoutMs = 0;
  /** The ids the connection has proven; add to it with addAuthId. */
  readonly authInfo: Id[] = [];
  readonly remoteAddress: string;
  readonly remotePort: number;
  readonly establishedAtMs: number;
  lastZxid = 0n;
  lastLatencyMs = 0;
  packetsReceived = 0;
  packetsSent = 0;
  /** True once the session handshake has been answered. */
  open = false;
  closed = false;
  /** Reads on this connection are confirmed with a quorum first (`addauth zkts linearizable-reads`). */
  linearizableReads = false;
  /** The client sent the trailing readOnly byte, so it gets one back. */
  readOnlyByteSent = true;
  private handshakeSeen = false;
  private handshakeTimer: NodeJS.Timeout | null;
  private firstChunk = true;
  private readonly framer: Framer;
  private readonly queue: PendingRequest[] = [];
  private queueHead = 0;
  private readonly out = new JuteWriter(16 * 1024);
  private flushScheduled = false;
  private closeAfterFlush = false;
  /** Reading stopped because maxOutstanding requests are in flight. */
  private paused = false;
  /** Replies held back (and reading stopped) until the client reads what is queued. */
  private waitingForOutput = false;
  /** Reading stopped because the server has more than globalOutstandingLimit requests in flight. */
  private throttled = false;
  /** This connection's share of `limits.inFlight` as last reported. */
  private inFlightShare = 0;
  /** Frames read but not yet handed to the server because the connection is held back. */
  private frames: Buffer[] = [];
  private frameHead = 0;
  private pumpingFrames = false;
  /** Requests that arrived before the session was established, replayed once it is. */
  private held: Buffer[] = [];
  /** The request being handed to the server, so that what it enqueues can name its op and path. */
  private arriving: RequestSummary | null = null;
  /** The opcode of the request being handed to the server. */
  private arrivingOp: number | null = null;

  constructor(
    private readonly socket: Socket,
    private readonly handler: ConnectionHandler,
    private readonly limits: ConnectionLimits,
  ) {
    this.remoteAddress = (socket.remoteAddress ?? "unknown").replace(/^::ffff:/, "");
    this.remotePort = socket.remotePort ?? 0;
    this.establishedAtMs = handler.nowMs();
    // Every connection is authenticated by its address, as ZooKeeper's ip provider does.
    this.addAuthId({ scheme: "ip", id: this.remoteAddress });
    // A request frame is its payload plus a little header room over jute.maxbuffer.
    this.framer = new Framer(limits.maxBuffer);
    socket.setNoDelay(true);
    socket.on("data", (chunk: Buffer) => this.onData(chunk));
    socket.on("error", (err) => this.handler.log("debug", "connection error", { connection: this.id, err }));
    socket.on("close", () => this.onSocketClosed());
    socket.on("drain", () => this.resumeIfOutputRoom());
    this.handshakeTimer = setTimeout(() => this.onHandshakeTimeout(), limits.handshakeTimeoutMs);
    this.handshakeTimer.unref();
  }

  get outstanding(): number {
    return this.queue.length - this.queueHead;
  }

  /** Adds an id the connection has proven, unless it holds that id already (ServerCnxn.addAuthInfo). */
  addAuthId(id: Id): void {
    if (!this.authInfo.some((a) => a.scheme === id.scheme && a.id === id.id)) this.authInfo.push(id);
  }

  private onData(chunk: Buffer): void {
    if (this.closed) return;
    if (this.firstChunk && chunk.length >= 4) {
      this.firstChunk = false;
      const word = chunk.toString("latin1", 0, 4);
      if (this.handler.isFourLetterWord(word)) {
        this.handler.onBytesReceived(4);
        this.handler.onFourLetterWord(this, word);
        return;
      }
    }
    this.firstChunk = false;
    try {
      this.framer.push(chunk, (payload) => this.takeFrame(payload));
    } catch (err) {
      if (!(err instanceof JuteError)) throw err;
      this.handler.log("warn", "closing connection: bad frame", {
        connection: this.id,
        remote: `${this.remoteAddress}:${this.remotePort}`,
        reason: err.message,
      });
      this.close();
    }
  }

  /**
   * A chunk can carry hundreds of requests; once something holds this connection back, the
   * rest of them wait here instead of all entering the server, so every limit holds to the
   * request, as ZooKeeper's one-request-per-read loop makes it hold.
   */
  private takeFrame(payload: Buffer): void {
    if (this.frameHead === this.frames.length && !this.pumpingFrames && !this.holdsFrames()) this.onFrame(payload);
    else this.frames.push(payload);
  }

  private holdsFrames(): boolean {
    return this.open && (this.paused || this.waitingForOutput || this.throttled);
  }

  /** Hands waiting frames to the server in order while nothing holds the connection back. */
  private pumpFrames(): void {
    if (this.pumpingFrames) return;
    this.pumpingFrames = true;
    try {
      while (this.frameHead < this.frames.length && !this.closed && !this.holdsFrames()) {
        this.onFrame(this.frames[this.frameHead++]!);
      }
      if (this.frameHead === this.frames.length) {
        this.frames = [];
        this.frameHead = 0;
      }
    } finally {
      this.pumpingFrames = false;
    }
  }

  private onFrame(payload: Buffer): void {
    if (this.closed) return;
    this.packetsReceived++;
    this.handler.onBytesReceived(4 + payload.length);
    if (!this.handshakeSeen) {
      this.handshakeSeen = true;
      this.clearHandshakeTimer();
      this.handler.onHandshake(this, payload);
      return;
    }
    if (!this.open) {
      // Like ZooKeeper, take no request before the session exists (its createSession txn may
      // still be on its way to disk); hold them and stop reading until then.
      this.held.push(Buffer.from(payload));
      this.socket.pause();
      if (this.held.length > this.limits.maxOutstanding) this.close();
      return;
    }
    this.deliverRequest(payload);
    this.reportInFlight();
    if (!this.paused && this.outstanding >= this.limits.maxOutstanding) {
      this.paused = true;
      this.applyReading();
    }
    if (!this.throttled && this.limits.inFlight.shouldThrottle(this.outstanding)) {
      this.throttled = true;
      this.applyReading();
    }
  }

  private deliverRequest(payload: Buffer): void {
    const slowLogOn = (this.limits.slowRequestThresholdMs ?? 0) > 0;
    this.arriving = slowLogOn ? summarizeRequest(payload, this.limits.maxBuffer) : null;
    // RequestHeader: xid then type, each a 4-byte int.
    this.arrivingOp = payload.length >= 8 ? payload.readInt32BE(4) : null;
    try {
      this.handler.onRequest(this, payload);
    } finally {
      this.arriving = null;
      this.arrivingOp = null;
    }
  }

  /** Called once the handshake is answered: serves any request that came early. */
  sessionEstablished(): void {
    this.open = true;
    const held = this.held;
    this.held = [];
    for (const payload of held) {
      if (this.closed) return;
      this.deliverRequest(payload);
    }
    this.applyReading();
  }

  /** Queues a request whose reply is already known or will be supplied by `complete`. */
  enqueue(xid: number, run: (() => Reply) | null, reply: Reply | null = null): PendingRequest {
    const entry: PendingRequest = { xid, receivedAtMs: this.handler.nowMs(), run, reply, summary: this.arriving, op: this.arrivingOp };
    this.queue.push(entry);
    this.drain();
    return entry;
  }

  /** Supplies the reply of a queued write, then answers every request it was holding back. */
  complete(entry: PendingRequest, reply: Reply): void {
    entry.reply = reply;
    this.drain();
  }

  /** Answers queued requests in order until one is still waiting for its write. */
  drain(): void {
    while (this.queueHead < this.queue.length && !this.closed) {
      const entry = this.queue[this.queueHead]!;
      if (entry.reply === null) {
        if (entry.run === null) break;
        if (this.outgoingBytes() > this.limits.outgoingBytesSoft) {
          this.waitForOutputRoom();
          break;
        }
        entry.reply = entry.run();
      }
      this.queueHead++;
      this.writeReply(entry.xid, entry.reply);
      const latency = this.handler.nowMs() - entry.receivedAtMs;
      this.lastLatencyMs = latency;
      this.handler.onReplySent(latency, entry.op);
      if (entry.summary !== null && latency >= (this.limits.slowRequestThresholdMs ?? 0)) this.logSlowRequest(entry, latency);
      if (entry.reply.closeAfter) {
        this.closeAfterFlush = true;
        this.scheduleFlush();
        break;
      }
    }
    if (this.queueHead > 1024 && this.queueHead * 2 > this.queue.length) {
      this.queue.splice(0, this.queueHead);
      this.queueHead = 0;
    }
    this.reportInFlight();
    if (this.paused && this.outstanding < this.limits.maxOutstanding / 2) {
      this.paused = false;
      this.applyReading();
    }
    if (this.throttled && !this.limits.inFlight.shouldThrottle(this.outstanding)) {
      this.throttled = false;
      this.applyReading();
    }
  }

  /** Brings this connection's share of the server's requests in flight up to date. */
  private reportInFlight(): void {
    const share = this.closed || this.waitingForOutput ? 0 : this.outstanding;
    this.limits.inFlight.add(share - this.inFlightShare);
    this.inFlightShare = share;
  }

  /** Bytes written for this client that it has not taken yet (this turn's batch plus the socket's). */
  outgoingBytes(): number {
    return this.out.offset + this.socket.writableLength;
  }

  private waitForOutputRoom(): void {
    if (this.waitingForOutput) return;
    this.waitingForOutput = true;
    this.reportInFlight();
    this.applyReading();
  }

  /** Once the client has read its queued replies, the held-back requests run again. */
  private resumeIfOutputRoom(): void {
    if (!this.waitingForOutput || this.closed || this.outgoingBytes() > this.limits.outgoingBytesSoft) return;
    this.waitingForOutput = false;
    this.drain();
    this.applyReading();
  }

  /** Reads from the socket only while nothing holds this connection back. */
  private applyReading(): void {
    if (!this.open || this.closed) return;
    if (this.holdsFrames()) {
      this.socket.pause();
      return;
    }
    this.pumpFrames();
    if (!this.holdsFrames() && !this.closed) this.socket.resume();
  }

  private logSlowRequest(entry: PendingRequest, latencyMs: number): void {
    this.handler.log("warn", "slow request", {
      ...entry.summary,
      latencyMs,
      thresholdMs: this.limits.slowRequestThresholdMs,
      sessionId: `0x${this.sessionId.toString(16)}`,
      xid: entry.xid,
      err: entry.reply?.err ?? null,
      client: `${this.remoteAddress}:${this.remotePort}`,
    });
  }

  /** Sends a reply at once, outside the request order (auth replies, as ZooKeeper does). */
  writeReply(xid: number, reply: Reply): void {
    const w = this.out;
    w.beginFrame();
    ReplyHeader.write(w, { xid, zxid: reply.zxid, err: reply.err });
    if (reply.body !== null) reply.body(w);
    w.endFrame();
    this.packetsSent++;
    this.handler.onPacketSent();
    if (reply.zxid > 0n) this.lastZxid = reply.zxid;
    this.scheduleFlush();
  }

  /** Writes a raw frame (the handshake reply). */
  writeFrame(body: (writer: JuteWriter) => void): void {
    this.out.beginFrame();
    body(this.out);
    this.out.endFrame();
    this.packetsSent++;
    this.handler.onPacketSent();
    this.scheduleFlush();
  }

  notify(event: WatchedEvent): void {
    if (this.closed) return;
    if (this.outgoingBytes() > this.limits.outgoingBytesMax) {
      this.handler.log("warn", "closing connection: the client does not read its watch events", {
        connection: this.id,
        session: this.sessionId.toString(16),
        queuedBytes: this.outgoingBytes(),
      });
      // Dropped, not flushed: what is queued is what the client would not take.
      this.socket.destroy();
      this.close();
      return;
    }
    const w = this.out;
    w.beginFrame();
    ReplyHeader.write(w, { xid: Xid.notification, zxid: -1n, err: 0 });
    WatcherEvent.write(w, { type: event.type, state: event.state, path: event.path });
    w.endFrame();
    this.packetsSent++;
    this.handler.onPacketSent();
    this.scheduleFlush();
  }

  /** Writes plain text (a four-letter word's answer) and closes. */
  writeTextAndClose(text: string): void {
    if (this.closed) return;
    this.socket.end(text);
    this.closed = true;
  }

  /** Sends what is buffered, then closes. */
  closeAfterPendingWrites(): void {
    this.closeAfterFlush = true;
    this.scheduleFlush();
  }

  private scheduleFlush(): void {
    if (this.flushScheduled) return;
    this.flushScheduled = true;
    setImmediate(() => this.flush());
  }

  private flush(): void {
    this.flushScheduled = false;
    if (this.out.offset > 0 && !this.socket.destroyed) {
      this.socket.write(this.out.toBuffer());
    }
    this.out.reset();
    if (this.closeAfterFlush) this.close();
    else this.resumeIfOutputRoom();
  }

  private onHandshakeTimeout(): void {
    this.handshakeTimer = null;
    if (this.closed || this.handshakeSeen) return;
    this.handler.log("info", "closing connection: no session handshake within the sessionless connection timeout", {
      connection: this.id,
      remote: `${this.remoteAddress}:${this.remotePort}`,
      timeoutMs: this.limits.handshakeTimeoutMs,
    });
    this.socket.destroy();
    this.close();
  }

  private clearHandshakeTimer(): void {
    if (this.handshakeTimer === null) return;
    clearTimeout(this.handshakeTimer);
    this.handshakeTimer = null;
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.clearHandshakeTimer();
    this.reportInFlight();
    if (this.out.offset > 0 && !this.socket.destroyed) this.socket.write(this.out.toBuffer());
    this.out.reset();
    this.socket.end();
    this.socket.destroySoon?.();
    setTimeout(() => this.socket.destroy(), 1000).unref();
  }

  private onSocketClosed(): void {
    this.closed = true;
    this.clearHandshakeTimer();
    this.reportInFlight();
    this.handler.onClose(this);
  }
}
