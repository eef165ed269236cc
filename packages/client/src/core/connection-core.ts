import {
  AuthPacket,
  ConnectRequest,
  ErrorCode,
  EventType,
  Fifo,
  Framer,
  GetSASLRequest,
  JuteReader,
  JuteWriter,
  KeeperState,
  OpCode,
  ReplyHeader,
  RequestHeader,
  SetSASLResponse,
  WatcherEvent,
  Xid,
  readConnectResponse,
  writeConnectRequest,
} from "@zkts/jute";
import type { HostPort } from "../connect-string.js";
import { ReadWriteProbe } from "./read-write-probe.js";
import { ReconnectPolicy } from "./reconnect-policy.js";
import { setWatchesBatches } from "./set-watches.js";
import { WatchTable, type RawWatchEvent, type RawWatcher } from "./watch-table.js";

/**
 * The client's connection state machine, free of I/O: the caller feeds it transport events,
 * received bytes and the current time, and it answers through `CoreHooks` (open a transport,
 * send a frame, drop the transport, report events). Time never comes from a clock here, and
 * randomness only from the injected source, so tests can script every interleaving.
 */

export type SessionState = "connecting" | "connected" | "connectedReadOnly" | "expired" | "authFailed" | "closed";

export type SessionEvent =
  | { type: "connected"; sessionId: bigint; timeoutMs: number; readOnly: boolean; server: HostPort }
  | { type: "disconnected"; reason: string }
  | { type: "expired"; reason: string }
  | { type: "authFailed" }
  /** `reason` is set when the client gave up connecting (connectAttemptsMax), not closed by its user. */
  | { type: "closed"; reason?: string };

export interface CompletionInfo {
  /** The request was on the wire when the connection was lost. */
  outcomeUnknown?: boolean;
  detail?: string;
}

/** Called once per request with the reply's error code and, on success, a reader at its body. */
export type Completion = (err: number, body: JuteReader | null, info?: CompletionInfo) => void;

export interface CoreHooks {
  /** Open a transport to `server`; answer with onTransportOpen or onTransportClosed. */
  connect(server: HostPort): void;
  send(frame: Buffer): void;
  /** Drop the current transport; the core expects no further callbacks from it. */
  disconnect(): void;
  sessionEvent(event: SessionEvent): void;
  watchEvent(watchers: RawWatcher[], event: RawWatchEvent): void;
  /**
   * Ask `server` whether it serves reads and writes (the `isro` four-letter word answers
   * "rw"); answer with onReadWriteProbe. Without this hook a client on a read-only server
   * stays there until that connection ends.
   */
  probeReadWrite?(server: HostPort): void;
}

export interface CoreConfig {
  hosts: readonly HostPort[];
  sessionTimeoutMs: number;
  /** Per-attempt limit for TCP connect plus handshake; default sessionTimeout / hosts. */
  connectTimeoutMs?: number;
  /**
   * Before the first session is established, give up after this many failed connection
   * attempts (every host refusing once counts as many): the client ends closed and waiting
   * requests fail with CONNECTIONLOSS naming the last failure. Without it the client keeps
   * trying until the session timeout has passed. Once a session exists it does not apply.
   */
  connectAttemptsMax?: number;
  readOnlyAllowed: boolean;
  maxBufferBytes: number;
  maxOutstandingRequests: number;
  /** Request bytes in flight plus waiting; bounds memory when the server is slow. */
  maxOutstandingBytes?: number;
  reconnectDelayMsMin: number;
  reconnectDelayMsMax: number;
  random: () => number;
  /**
   * SASL: a fresh exchange for every connection, run right after the handshake (ZooKeeper's
   * clients authenticate each connection anew). Until it completes, requests wait and the
   * session does not count as connected; a failed exchange ends the client in authFailed.
   */
  sasl?: () => SaslExchange;
}

/** The client side of one SASL mechanism's exchange (DIGEST-MD5 in @zkts/sasl has this shape). */
export interface SaslExchange {
  /** The first token (empty for DIGEST-MD5). */
  start(): Buffer;
  /** The answer to a server token, or null once the exchange is complete with nothing to send. */
  evaluate(token: Buffer): Buffer | null;
  readonly complete: boolean;
}

type Phase = "waiting" | "opening" | "handshaking" | "open" | "closing" | "expired" | "authFailed" | "closed";

interface InFlight {
  xid: number;
  opCode: number;
  complete: Completion;
}

interface Queued {
  opCode: number;
  body: Buffer | null;
  complete: Completion;
}

interface AuthInfo {
  scheme: string;
  auth: Buffer;
  /** The caller waiting for the first server answer to this auth, if any. */
  waiter: Completion | null;
}

/** ZooKeeper's client sends a ping at least this often even with long session timeouts. */
const PING_INTERVAL_MS_MAX = 10_000;
const XID_MAX = 0x7fffffff;
const NO_SESSION = 0n;

export class ConnectionCore {
  readonly watches = new WatchTable();
  private phase: Phase = "waiting";
  private hostIndex = -1;
  private readonly policy: ReconnectPolicy;
  private readonly readWriteProbe: ReadWriteProbe;
  /** The host to try next instead of the next in turn (a read-write server a probe found). */
  private preferredHost: number | undefined;
  private readonly writer = new JuteWriter(1024);
  private framer: Framer;
  /** Bumped whenever the transport is dropped, so frames of a dead connection are ignored. */
  private generation = 0;

  private sessionIdValue = NO_SESSION;
  private passwd: Buffer = Buffer.alloc(16);
  private negotiatedTimeoutMs = 0;
  private lastZxidValue = 0n;
  private readOnlyValue = false;
  /**
   * ZooKeeper's seenRwServerBefore: until a read-write server has answered, every connect asks
   * for a new session, since a read-only server's sessions are its own and no other server
   * knows them.
   */
  private seenReadWriteServer = false;

  private xid = 0;
  private outstandingBytesValue = 0;
  private readonly inFlight = new Fifo<InFlight>();
  private queued: Queued[] = [];
  private readonly authInfos: AuthInfo[] = [];
  /** The SASL exchange of the current connection while it runs; requests wait until it is done. */
  private saslExchange: SaslExchange | null = null;
  /** Answers to auth packets arrive in order among themselves (the server answers inline). */
  private authWaiters: (Completion | null)[] = [];
  private closeWaiters: (() => void)[] = [];

  private startedAt = 0;
  private attemptStartedAt = 0;
  private retryAt = 0;
  private lastRecvAt = 0;
  private lastSendAt = 0;
  /** Last time the server answered on an open connection: the base of client-side expiry. */
  private lastHeardAt = 0;
  /** Why the last connection or attempt ended, for the expiry message. */
  private lastFailure: string | undefined;
  /** Connection attempts that ended before any session was established. */
  private attemptsFailedBeforeSession = 0;

  constructor(
    private readonly config: CoreConfig,
    private readonly hooks: CoreHooks,
  ) {
    if (config.hosts.length === 0) throw new Error("no hosts to connect to");
    this.policy = new ReconnectPolicy({
      hostCount: config.hosts.length,
      delayMsMin: config.reconnectDelayMsMin,
      delayMsMax: config.reconnectDelayMsMax,
      random: config.random,
    });
    this.framer = new Framer(config.maxBufferBytes);
    this.readWriteProbe = new ReadWriteProbe(config.hosts.length);
  }

  // ---- observers --------------------------------------------------------------------------

  get state(): SessionState {
    switch (this.phase) {
      case "open":
        return this.readOnlyValue ? "connectedReadOnly" : "connected";
      case "expired":
      case "authFailed":
      case "closed":
        return this.phase;
      default:
        return "connecting";
    }
  }

  get sessionId(): bigint {
    return this.sessionIdValue;
  }

  get sessionPassword(): Buffer {
    return this.passwd;
  }

  get sessionTimeoutMs(): number {
    return this.negotiatedTimeoutMs;
  }

  get lastZxidSeen(): bigint {
    return this.lastZxidValue;
  }

  get outstandingBytes(): number {
    return this.outstandingBytesValue;
  }

  get outstandingRequests(): number {
    return this.inFlight.length + this.queued.length;
  }

  get currentServer(): HostPort | undefined {
    return this.hostIndex < 0 ? undefined : this.config.hosts[this.hostIndex];
  }

  private get terminal(): boolean {
    return this.phase === "expired" || this.phase === "authFailed" || this.phase === "closed";
  }

  private get readTimeoutMs(): number {
    return Math.floor((this.negotiatedTimeoutMs * 2) / 3);
  }

  private get pingIntervalMs(): number {
    return Math.min(Math.floor(this.readTimeoutMs / 2), PING_INTERVAL_MS_MAX);
  }

  private get connectTimeoutMs(): number {
    return this.config.connectTimeoutMs ?? Math.max(1, Math.floor(this.config.sessionTimeoutMs / this.config.hosts.length));
  }

  // ---- inputs -----------------------------------------------------------------------------

  /** Starts the first connection attempt. `session` resumes an existing session. */
  start(now: number, session?: { sessionId: bigint; passwd: Buffer }): void {
    if (this.startedAt !== 0 || this.phase !== "waiting") throw new Error("core already started");
    this.startedAt = now;
    if (session !== undefined) {
      // A session handed over came from a read-write server.
      this.seenReadWriteServer = true;
      this.sessionIdValue = session.sessionId;
      this.passwd = session.passwd;
      this.negotiatedTimeoutMs = this.config.sessionTimeoutMs;
      this.lastHeardAt = now;
    }
    this.openNext(now);
  }

  onTransportOpen(now: number): void {
    if (this.phase !== "opening") return;
    this.phase = "handshaking";
    this.lastRecvAt = now;
    const writer = this.writer;
    writer.reset();
    writer.beginFrame();
    const resume = this.seenReadWriteServer;
    writeConnectRequest(
      writer,
      {
        protocolVersion: 0,
        lastZxidSeen: this.lastZxidValue,
        timeOut: this.config.sessionTimeoutMs,
        sessionId: resume ? this.sessionIdValue : NO_SESSION,
        passwd: resume ? this.passwd : Buffer.alloc(16),
      },
      this.config.readOnlyAllowed,
    );
    writer.endFrame();
    this.write(writer.toBuffer(), now);
  }

  onTransportClosed(now: number, reason: string): void {
    if (this.phase === "opening" || this.phase === "handshaking" || this.phase === "open" || this.phase === "closing") {
      this.lose(now, reason);
    }
  }

  onData(chunk: Buffer, now: number): void {
    if (this.phase !== "handshaking" && this.phase !== "open" && this.phase !== "closing") return;
    this.lastRecvAt = now;
    const generation = this.generation;
    try {
      this.framer.push(chunk, (frame) => {
        if (generation === this.generation) this.handleFrame(frame, now);
      });
    } catch (err) {
      if (generation === this.generation) this.lose(now, `protocol error: ${(err as Error).message}`);
    }
  }

  /** Runs whatever is due at `now`: pings, timeouts, retries, client-side expiry. */
  tick(now: number): void {
    switch (this.phase) {
      case "waiting":
        if (this.sessionExpiredLocally(now)) return;
        if (now >= this.retryAt) this.openNext(now);
        return;
      case "opening":
      case "handshaking":
        if (this.sessionExpiredLocally(now)) return;
        if (now - this.attemptStartedAt >= this.connectTimeoutMs) {
          this.lose(now, `no answer from ${this.describeServer()} within ${this.connectTimeoutMs} ms`);
        }
        return;
      case "open":
      case "closing":
        if (now - this.lastRecvAt >= this.readTimeoutMs) {
          this.lose(now, `no answer from ${this.describeServer()} for ${now - this.lastRecvAt} ms`);
          return;
        }
        if (this.phase === "open" && now - this.lastSendAt >= this.pingIntervalMs) this.sendPing(now);
        if (this.phase === "open") this.probeForReadWrite(now);
        return;
      default:
        return;
    }
  }

  /** The next time `tick` must run, or undefined when nothing is scheduled. */
  nextDeadline(): number | undefined {
    switch (this.phase) {
      case "waiting":
        return Math.min(this.retryAt, this.expiryDeadline());
      case "opening":
      case "handshaking":
        return Math.min(this.attemptStartedAt + this.connectTimeoutMs, this.expiryDeadline());
      case "open":
        return Math.min(this.lastRecvAt + this.readTimeoutMs, this.lastSendAt + this.pingIntervalMs, this.readWriteProbe.deadline ?? Infinity);
      case "closing":
        return this.lastRecvAt + this.readTimeoutMs;
      default:
        return undefined;
    }
  }

  /**
   * Queues one request. It goes out at once on an open connection and otherwise waits for the
   * next one; requests already on the wire when a connection drops fail with CONNECTIONLOSS.
   */
  submit(opCode: number, body: Buffer | null, complete: Completion, now: number): void {
    const refusal = this.refusal();
    if (refusal !== undefined) return complete(refusal.code, null, { detail: refusal.detail });
    const payloadBytes = 8 + (body?.length ?? 0);
    if (payloadBytes > this.config.maxBufferBytes) {
      return complete(ErrorCode.MARSHALLINGERROR, null, {
        detail: `request of ${payloadBytes} bytes exceeds jute.maxbuffer ${this.config.maxBufferBytes}`,
      });
    }
    if (this.outstandingRequests >= this.config.maxOutstandingRequests) {
      return complete(ErrorCode.THROTTLEDOP, null, {
        detail: `${this.outstandingRequests} requests outstanding, the client's limit is ${this.config.maxOutstandingRequests}`,
      });
    }
    const bytesMax = this.config.maxOutstandingBytes ?? Infinity;
    if (this.outstandingBytesValue > 0 && this.outstandingBytesValue + payloadBytes > bytesMax) {
      return complete(ErrorCode.THROTTLEDOP, null, {
        detail: `${this.outstandingBytesValue} request bytes outstanding, the client's limit is ${bytesMax}`,
      });
    }
    this.outstandingBytesValue += payloadBytes;
    const tracked: Completion = (err, reader, info) => {
      this.outstandingBytesValue -= payloadBytes;
      complete(err, reader, info);
    };
    if (this.phase === "open" && this.saslExchange === null) this.sendRequest(opCode, body, tracked, now);
    else this.queued.push({ opCode, body, complete: tracked });
  }

  /**
   * The answer to probeReadWrite. A read-write server found while on a read-only one is where
   * the client goes at once: the connection is dropped (requests on the wire end in
   * CONNECTIONLOSS, as after any loss) and the next one opens to that server.
   */
  onReadWriteProbe(server: HostPort, readWrite: boolean, now: number): void {
    const index = this.config.hosts.findIndex((h) => h.host === server.host && h.port === server.port);
    if (!this.readWriteProbe.settle(index, readWrite)) return;
    if (this.phase !== "open" || !this.readOnlyValue) return;
    this.preferredHost = index;
    this.lose(now, `${server.host}:${server.port} serves reads and writes`);
    this.policy.reset();
    this.openNext(now);
  }

  /** Adds credentials to the session; they are re-sent on every reconnect. */
  addAuth(scheme: string, auth: Buffer, complete: Completion, now: number): void {
    const refusal = this.refusal();
    if (refusal !== undefined) return complete(refusal.code, null, { detail: refusal.detail });
    const info: AuthInfo = { scheme, auth, waiter: complete };
    this.authInfos.push(info);
    if (this.phase === "open") this.sendAuth(info, now);
  }

  /** Closes the session on the server (when connected) and stops for good. */
  close(now: number, done: () => void): void {
    if (this.terminal) return done();
    this.closeWaiters.push(done);
    if (this.phase === "closing") return;
    this.failQueued(ErrorCode.CONNECTIONLOSS, "the client is closing");
    if (this.phase !== "open") return this.finishClose();
    this.phase = "closing";
    this.writeRequest(this.nextXid(), OpCode.closeSession, null, () => this.finishClose(), now);
  }

  // ---- internals --------------------------------------------------------------------------

  private refusal(): { code: number; detail: string } | undefined {
    switch (this.phase) {
      case "expired":
        return { code: ErrorCode.SESSIONEXPIRED, detail: "the session has expired" };
      case "authFailed":
        return { code: ErrorCode.AUTHFAILED, detail: "authentication failed" };
      case "closed":
      case "closing":
        return { code: ErrorCode.CONNECTIONLOSS, detail: "the client is closed" };
      default:
        return undefined;
    }
  }

  private openNext(now: number): void {
    this.hostIndex = this.preferredHost ?? (this.hostIndex + 1) % this.config.hosts.length;
    this.preferredHost = undefined;
    this.phase = "opening";
    this.attemptStartedAt = now;
    this.framer = new Framer(this.config.maxBufferBytes);
    this.authWaiters = [];
    this.hooks.connect(this.config.hosts[this.hostIndex]!);
  }

  private describeServer(): string {
    const s = this.currentServer;
    return s === undefined ? "the server" : `${s.host}:${s.port}`;
  }

  /** Client-side expiry (ZooKeeper 3.9.3): no server answered for a whole session timeout. */
  private expiryDeadline(): number {
    if (this.sessionIdValue === NO_SESSION) return this.startedAt + this.config.sessionTimeoutMs;
    // A read-only server's session is never resumed (the next connect asks for a new one), so
    // there is nothing to expire.
    if (!this.seenReadWriteServer) return Infinity;
    return this.lastHeardAt + this.negotiatedTimeoutMs;
  }

  private sessionExpiredLocally(now: number): boolean {
    if (now < this.expiryDeadline()) return false;
    const reason =
      this.sessionIdValue === NO_SESSION
        ? `no server answered within the session timeout of ${this.config.sessionTimeoutMs} ms`
        : `no server answered for the session timeout of ${this.negotiatedTimeoutMs} ms`;
    this.expire(this.lastFailure === undefined ? reason : `${reason}; last failure: ${this.lastFailure}`);
    return true;
  }

  private lose(now: number, reason: string): void {
    const wasOpen = this.phase === "open";
    const wasClosing = this.phase === "closing";
    this.lastFailure = reason;
    this.dropTransport();
    for (const entry of this.inFlight.takeAll()) {
      entry.complete(ErrorCode.CONNECTIONLOSS, null, { outcomeUnknown: true, detail: reason });
    }
    for (const waiter of this.authWaiters.splice(0)) waiter?.(ErrorCode.CONNECTIONLOSS, null, { detail: reason });
    if (wasClosing) return this.finishClose();
    if (this.sessionIdValue === NO_SESSION && !wasOpen) {
      this.attemptsFailedBeforeSession++;
      const max = this.config.connectAttemptsMax;
      if (max !== undefined && this.attemptsFailedBeforeSession >= max) {
        const attempts = this.attemptsFailedBeforeSession;
        return this.giveUp(`no server could be reached (${attempts} attempt${attempts === 1 ? "" : "s"}); last failure: ${reason}`);
      }
    }
    this.phase = "waiting";
    this.retryAt = now + this.policy.nextDelayMs();
    if (wasOpen) {
      this.lastHeardAt = now;
      this.hooks.sessionEvent({ type: "disconnected", reason });
    }
  }

  private dropTransport(): void {
    this.readWriteProbe.disarm();
    this.generation++;
    this.hooks.disconnect();
  }

  private expire(reason: string): void {
    this.terminate("expired", ErrorCode.SESSIONEXPIRED, reason, KeeperState.Expired);
    this.hooks.sessionEvent({ type: "expired", reason });
  }

  /** Ends a client that never got a session: closed, with the reason its user will read. */
  private giveUp(reason: string): void {
    this.terminate("closed", ErrorCode.CONNECTIONLOSS, reason, KeeperState.Closed);
    this.hooks.sessionEvent({ type: "closed", reason });
    for (const done of this.closeWaiters.splice(0)) done();
  }

  private finishClose(): void {
    if (this.terminal) return;
    this.terminate("closed", ErrorCode.CONNECTIONLOSS, "the client is closed", KeeperState.Closed);
    this.hooks.sessionEvent({ type: "closed" });
    for (const done of this.closeWaiters.splice(0)) done();
  }

  private terminate(phase: "expired" | "authFailed" | "closed", code: number, detail: string, state: number): void {
    this.phase = phase;
    this.dropTransport();
    for (const entry of this.inFlight.takeAll()) {
      entry.complete(code, null, { outcomeUnknown: code === ErrorCode.CONNECTIONLOSS, detail });
    }
    for (const waiter of this.authWaiters.splice(0)) waiter?.(code, null, { detail });
    for (const info of this.authInfos) {
      const waiter = info.waiter;
      info.waiter = null;
      waiter?.(code, null, { detail });
    }
    this.failQueued(code, detail);
    // Every watcher learns that no more events will come, as ZooKeeper's watchers do.
    const watchers = this.watches.clear();
    if (watchers.length > 0) this.hooks.watchEvent(watchers, { type: EventType.None, state, path: "", zxid: -1n });
  }

  private failQueued(code: number, detail: string): void {
    for (const entry of this.queued.splice(0)) entry.complete(code, null, { detail });
  }

  private handleFrame(frame: Buffer, now: number): void {
    if (this.phase === "handshaking") return this.handleConnectResponse(frame, now);
    const reader = new JuteReader(frame, 0, frame.length, this.config.maxBufferBytes);
    const header = ReplyHeader.read(reader);
    this.lastHeardAt = now;
    switch (header.xid) {
      case Xid.ping:
        return;
      case Xid.notification:
        return this.handleNotification(reader, header.zxid);
      case Xid.auth:
        return this.handleAuthReply(header.err);
      case Xid.setWatches:
        return;
    }
    const entry = this.inFlight.peek();
    if (entry === undefined || entry.xid !== header.xid) {
      return this.lose(now, `reply xid ${header.xid} out of order (expected ${entry?.xid ?? "none"})`);
    }
    this.inFlight.shift();
    if (header.zxid > 0n && header.zxid > this.lastZxidValue) this.lastZxidValue = header.zxid;
    entry.complete(header.err, header.err === 0 ? reader : null);
  }

  private handleConnectResponse(frame: Buffer, now: number): void {
    const reply = readConnectResponse(frame, this.config.maxBufferBytes);
    if (reply.timeOut <= 0) {
      return this.expire(`${this.describeServer()} reports the session has expired`);
    }
    this.sessionIdValue = reply.sessionId;
    this.passwd = reply.passwd ?? Buffer.alloc(16);
    this.negotiatedTimeoutMs = reply.timeOut;
    this.readOnlyValue = reply.readOnly;
    this.seenReadWriteServer ||= !reply.readOnly;
    if (reply.readOnly && this.hooks.probeReadWrite !== undefined) this.readWriteProbe.arm(now);
    this.phase = "open";
    this.lastRecvAt = now;
    this.lastHeardAt = now;
    this.policy.reset();
    for (const info of this.authInfos) this.sendAuth(info, now);
    for (const batch of setWatchesBatches(this.watches, this.lastZxidValue)) {
      this.writeFrame(Xid.setWatches, batch.opCode, batch.body, now);
    }
    if (this.config.sasl !== undefined) {
      this.startSasl(this.config.sasl(), now);
      return;
    }
    this.sessionUsable(now);
  }

  /** The connection serves requests: the waiting ones go out and the session counts as connected. */
  private sessionUsable(now: number): void {
    const queued = this.queued;
    this.queued = [];
    for (const entry of queued) this.sendRequest(entry.opCode, entry.body, entry.complete, now);
    this.hooks.sessionEvent({
      type: "connected",
      sessionId: this.sessionIdValue,
      timeoutMs: this.negotiatedTimeoutMs,
      readOnly: this.readOnlyValue,
      server: this.currentServer!,
    });
  }

  private startSasl(exchange: SaslExchange, now: number): void {
    this.saslExchange = exchange;
    let first: Buffer;
    try {
      first = exchange.start();
    } catch (err) {
      return this.saslFailed(`SASL could not start: ${(err as Error).message}`);
    }
    this.sendSasl(exchange, first, now);
  }

  /**
   * One sasl request (opcode 102, a normal xid) and its answer. The exchange goes on until it
   * completes; a refusal (AUTHFAILED, SESSIONCLOSEDREQUIRESASLAUTH), a server that answers
   * without a token (one with no SASL configured) or a token that does not check out ends the
   * client in authFailed, as ZooKeeper's Java client does.
   */
  private sendSasl(exchange: SaslExchange, token: Buffer, now: number): void {
    const generation = this.generation;
    // Its answer is handled within handleFrame, which has just set lastHeardAt to the time now.
    this.sendRequest(
      OpCode.sasl,
      GetSASLRequest.encode({ token }),
      (err, reader) => {
        // A reply from a connection since lost (the exchange died with it) changes nothing.
        if (generation !== this.generation || this.saslExchange !== exchange || this.phase !== "open") return;
        if (err !== 0) return this.saslFailed(`the server refused SASL authentication (error ${err})`);
        const answer = SetSASLResponse.read(reader!).token;
        if (answer === null) return this.saslFailed("the server answered SASL without a token: it has no SASL configured");
        let next: Buffer | null;
        try {
          next = exchange.evaluate(answer);
        } catch (e) {
          return this.saslFailed(`SASL authentication failed: ${(e as Error).message}`);
        }
        if (next !== null) return this.sendSasl(exchange, next, this.lastHeardAt);
        if (!exchange.complete) return this.saslFailed("the SASL exchange ended without completing");
        this.saslExchange = null;
        this.sessionUsable(this.lastHeardAt);
      },
      now,
    );
  }

  private saslFailed(detail: string): void {
    this.saslExchange = null;
    this.terminate("authFailed", ErrorCode.AUTHFAILED, detail, KeeperState.AuthFailed);
    this.hooks.sessionEvent({ type: "authFailed" });
  }

  private handleNotification(reader: JuteReader, zxid: bigint): void {
    const event = WatcherEvent.read(reader);
    const watchers = this.watches.route(event.type, event.path);
    if (watchers.length > 0) this.hooks.watchEvent(watchers, { ...event, zxid });
  }

  private handleAuthReply(err: number): void {
    const waiter = this.authWaiters.shift();
    if (err === ErrorCode.AUTHFAILED) {
      waiter?.(err, null, { detail: "the server rejected the credentials" });
      this.terminate("authFailed", ErrorCode.AUTHFAILED, "authentication failed", KeeperState.AuthFailed);
      this.hooks.sessionEvent({ type: "authFailed" });
      return;
    }
    waiter?.(err, null);
  }

  private sendAuth(info: AuthInfo, now: number): void {
    this.authWaiters.push(info.waiter);
    info.waiter = null;
    this.writeFrame(Xid.auth, OpCode.auth, AuthPacket.encode({ type: 0, scheme: info.scheme, auth: info.auth }), now);
  }

  private probeForReadWrite(now: number): void {
    if (!this.readOnlyValue || this.hooks.probeReadWrite === undefined) return;
    const index = this.readWriteProbe.due(now, this.hostIndex);
    if (index !== undefined) this.hooks.probeReadWrite(this.config.hosts[index]!);
  }

  private sendPing(now: number): void {
    this.writeFrame(Xid.ping, OpCode.ping, null, now);
  }

  private sendRequest(opCode: number, body: Buffer | null, complete: Completion, now: number): void {
    this.writeRequest(this.nextXid(), opCode, body, complete, now);
  }

  private writeRequest(xid: number, opCode: number, body: Buffer | null, complete: Completion, now: number): void {
    this.inFlight.push({ xid, opCode, complete });
    this.writeFrame(xid, opCode, body, now);
  }

  private nextXid(): number {
    this.xid = this.xid >= XID_MAX ? 1 : this.xid + 1;
    return this.xid;
  }

  private writeFrame(xid: number, type: number, body: Buffer | null, now: number): void {
    const writer = this.writer;
    writer.reset();
    writer.beginFrame();
    RequestHeader.write(writer, { xid, type });
    if (body !== null) writer.writeRaw(body);
    writer.endFrame();
    this.write(writer.toBuffer(), now);
  }

  private write(frame: Buffer, now: number): void {
    this.lastSendAt = now;
    this.hooks.send(frame);
  }
}
