import { type Socket, connect } from "node:net";
import { Framer, JuteReader, JuteWriter, ReplyHeader, RequestHeader, WatcherEvent, Xid, readConnectResponse, writeConnectRequest } from "@zkts/jute";

export interface RawReply {
  xid: number;
  zxid: bigint;
  err: number;
  body: JuteReader;
}

export interface RawEvent {
  type: number;
  state: number;
  path: string;
}

/** One frame after the handshake, as it came: a watch event (with its header's zxid) or a reply. */
export type RawArrival = { kind: "event"; zxid: bigint; event: RawEvent } | { kind: "reply"; xid: number; zxid: bigint; err: number };

export interface ConnectOptions {
  timeoutMs?: number;
  sessionId?: bigint;
  /** null sends the password as a null buffer (length −1). */
  passwd?: Buffer | null;
  lastZxidSeen?: bigint;
  maxBuffer?: number;
}

/**
 * A bare protocol session for conformance tests: sends any request record and hands back the
 * raw reply, so the tests see exactly what a server put on the wire. Watch events and replies
 * are kept in arrival order.
 */
export class RawSession {
  sessionId = 0n;
  passwd: Buffer = Buffer.alloc(16);
  timeOut = 0;
  closed = false;
  readonly events: RawEvent[] = [];
  /** Every frame after the handshake, events and replies alike, in arrival order (never taken). */
  readonly arrivals: RawArrival[] = [];
  private xid = 0;
  private readonly waiting = new Map<number, (reply: RawReply) => void>();
  private onClosedCallbacks: (() => void)[] = [];

  private constructor(
    private readonly socket: Socket,
    private readonly framer: Framer,
  ) {}

  static async connect(port: number, options: ConnectOptions = {}): Promise<RawSession> {
    const socket = connect(port, "127.0.0.1");
    socket.setNoDelay(true);
    await new Promise<void>((resolve, reject) => {
      socket.once("connect", resolve);
      socket.once("error", reject);
    });
    const session = new RawSession(socket, new Framer(options.maxBuffer ?? 0xfffff + 1024));
    const handshake = new Promise<Buffer>((resolve, reject) => {
      let first = true;
      socket.on("data", (chunk: Buffer) => {
        session.framer.push(chunk, (payload) => {
          if (first) {
            first = false;
            resolve(Buffer.from(payload));
          } else session.onFrame(payload);
        });
      });
      socket.once("close", () => {
        session.closed = true;
        if (first) reject(new Error("closed during handshake"));
        for (const cb of session.onClosedCallbacks) cb();
        for (const [, resolveReply] of session.waiting) {
          resolveReply({ xid: 0, zxid: 0n, err: -4, body: new JuteReader(Buffer.alloc(0)) });
        }
        session.waiting.clear();
      });
      socket.on("error", () => {});
    });
    const w = new JuteWriter();
    w.beginFrame();
    writeConnectRequest(
      w,
      {
        protocolVersion: 0,
        lastZxidSeen: options.lastZxidSeen ?? 0n,
        timeOut: options.timeoutMs ?? 30000,
        sessionId: options.sessionId ?? 0n,
        passwd: options.passwd === undefined ? Buffer.alloc(16) : options.passwd,
      },
      false,
    );
    w.endFrame();
    socket.write(w.toBuffer());
    const reply = readConnectResponse(await withTimeout(handshake, 10000, "handshake"));
    session.sessionId = reply.sessionId;
    session.passwd = reply.passwd ?? Buffer.alloc(0);
    session.timeOut = reply.timeOut;
    return session;
  }

  private onFrame(payload: Buffer): void {
    const reader = new JuteReader(Buffer.from(payload), 0, payload.length, 0x7fffffff);
    const header = ReplyHeader.read(reader);
    if (header.xid === Xid.notification) {
      const event = WatcherEvent.read(reader);
      this.events.push(event);
      this.arrivals.push({ kind: "event", zxid: header.zxid, event });
      return;
    }
    this.arrivals.push({ kind: "reply", xid: header.xid, zxid: header.zxid, err: header.err });
    const resolve = this.waiting.get(header.xid);
    if (resolve === undefined) return;
    this.waiting.delete(header.xid);
    resolve({ ...header, body: reader });
  }

  /** Sends one request and resolves with its reply (or err -4 if the connection closes). */
  request(type: number, body: ((w: JuteWriter) => void) | null, xid?: number): Promise<RawReply> {
    const id = xid ?? ++this.xid;
    const w = new JuteWriter();
    w.beginFrame();
    RequestHeader.write(w, { xid: id, type });
    if (body !== null) body(w);
    w.endFrame();
    const reply = new Promise<RawReply>((resolve) => this.waiting.set(id, resolve));
    if (this.closed) return Promise.resolve({ xid: id, zxid: 0n, err: -4, body: new JuteReader(Buffer.alloc(0)) });
    this.socket.write(w.toBuffer());
    return withTimeout(reply, 15000, `reply to op ${type}`);
  }

  /** Writes raw bytes (malformed frames). */
  writeRaw(bytes: Buffer): void {
    this.socket.write(bytes);
  }

  whenClosed(): Promise<void> {
    if (this.closed) return Promise.resolve();
    return new Promise((resolve) => this.onClosedCallbacks.push(resolve));
  }

  takeEvents(): RawEvent[] {
    return this.events.splice(0, this.events.length);
  }

  /** Drops the TCP connection without closing the session. */
  drop(): void {
    this.socket.destroy();
    this.closed = true;
  }
}

export function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout;
  return Promise.race([
    promise.finally(() => clearTimeout(timer)),
    new Promise<T>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms waiting for ${what}`)), ms);
    }),
  ]);
}
