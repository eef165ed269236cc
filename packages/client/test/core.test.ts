import {
  ConnectRequest,
  ConnectResponse,
  ErrorCode,
  EventType,
  JuteReader,
  OpCode,
  ReplyHeader,
  RequestHeader,
  SetWatches,
  SetWatches2,
  Stat,
  WatcherEvent,
  GetDataRequest,
  AuthPacket,
} from "@zkts/jute";
import { describe, expect, it } from "vitest";
import { ConnectionCore, type CoreConfig, type SessionEvent } from "../src/core/connection-core.js";
import type { RawWatchEvent } from "../src/core/watch-table.js";

/**
 * The connection core driven with scripted frames and a hand-moved clock: no sockets, no
 * timers. Each test plays the server's part byte by byte.
 */

interface Sent {
  xid: number;
  type: number;
  reader: JuteReader;
}

class Harness {
  readonly connects: string[] = [];
  readonly frames: Buffer[] = [];
  readonly events: SessionEvent[] = [];
  readonly watchEvents: { count: number; event: RawWatchEvent }[] = [];
  /** Hosts the core asked to probe for being read-write. */
  readonly probes: string[] = [];
  disconnects = 0;
  now = 1_000;
  readonly core: ConnectionCore;

  constructor(config: Partial<CoreConfig> = {}) {
    this.core = new ConnectionCore(
      {
        hosts: [
          { host: "a", port: 1 },
          { host: "b", port: 2 },
        ],
        sessionTimeoutMs: 9000,
        readOnlyAllowed: false,
        maxBufferBytes: 0xfffff,
        maxOutstandingRequests: 100,
        reconnectDelayMsMin: 100,
        reconnectDelayMsMax: 1000,
        random: () => 0.5,
        ...config,
      },
      {
        connect: (s) => this.connects.push(`${s.host}:${s.port}`),
        send: (frame) => this.frames.push(frame),
        disconnect: () => this.disconnects++,
        probeReadWrite: (s) => this.probes.push(`${s.host}:${s.port}`),
        sessionEvent: (e) => this.events.push(e),
        watchEvent: (watchers, event) => {
          for (const w of watchers) w(event);
          this.watchEvents.push({ count: watchers.length, event });
        },
      },
    );
  }

  /** Frames sent since the last call, decoded past the length prefix. */
  takeSent(): Buffer[] {
    return this.frames.splice(0).map((f) => {
      expect(f.readInt32BE(0)).toBe(f.length - 4);
      return f.subarray(4);
    });
  }

  takeRequests(): Sent[] {
    return this.takeSent().map((payload) => {
      const reader = new JuteReader(payload);
      const header = RequestHeader.read(reader);
      return { xid: header.xid, type: header.type, reader };
    });
  }

  receive(payload: Buffer): void {
    const frame = Buffer.alloc(4 + payload.length);
    frame.writeInt32BE(payload.length, 0);
    payload.copy(frame, 4);
    this.core.onData(frame, this.now);
  }

  reply(xid: number, zxid: bigint, err: number, body: Buffer = Buffer.alloc(0)): void {
    this.receive(Buffer.concat([ReplyHeader.encode({ xid, zxid, err }), body]));
  }

  /** Opens the transport and answers the handshake. */
  establish(sessionId = 0x1234n, timeOut = 9000): void {
    this.core.onTransportOpen(this.now);
    this.takeSent();
    const passwd = Buffer.alloc(16, 7);
    this.receive(Buffer.concat([ConnectResponse.encode({ protocolVersion: 0, timeOut, sessionId, passwd }), Buffer.from([0])]));
  }

  /** Opens the transport, returns the ConnectRequest sent, and answers it as a read-only or read-write server. */
  handshake(sessionId: bigint, readOnly: boolean): ConnectRequest {
    this.takeSent();
    this.core.onTransportOpen(this.now);
    const request = ConnectRequest.read(new JuteReader(this.takeSent()[0]!));
    const passwd = Buffer.alloc(16, 7);
    this.receive(Buffer.concat([ConnectResponse.encode({ protocolVersion: 0, timeOut: 9000, sessionId, passwd }), Buffer.from([readOnly ? 1 : 0])]));
    return request;
  }

  advance(ms: number): void {
    this.now += ms;
    this.core.tick(this.now);
  }
}

function results() {
  const log: { err: number; outcomeUnknown?: boolean; body: JuteReader | null }[] = [];
  const complete = (err: number, body: JuteReader | null, info?: { outcomeUnknown?: boolean }) => log.push({ err, body, outcomeUnknown: info?.outcomeUnknown });
  return { log, complete };
}

const getData = (path: string) => GetDataRequest.encode({ path, watch: false });
const ZERO_STAT = Stat.decode(Buffer.alloc(Stat.sizeMin));

describe("ConnectionCore", () => {
  it("sends the handshake with the readOnly byte and reports the session", () => {
    const h = new Harness({ readOnlyAllowed: true });
    h.core.start(h.now);
    expect(h.connects).toEqual(["a:1"]);
    h.core.onTransportOpen(h.now);
    const [payload] = h.takeSent();
    const reader = new JuteReader(payload!);
    const request = ConnectRequest.read(reader);
    expect(request).toMatchObject({ protocolVersion: 0, lastZxidSeen: 0n, timeOut: 9000, sessionId: 0n });
    expect(reader.readBool()).toBe(true);
    expect(reader.remaining).toBe(0);
    h.receive(Buffer.concat([ConnectResponse.encode({ protocolVersion: 0, timeOut: 6000, sessionId: 42n, passwd: Buffer.alloc(16) }), Buffer.from([1])]));
    expect(h.core.state).toBe("connectedReadOnly");
    expect(h.events).toEqual([{ type: "connected", sessionId: 42n, timeoutMs: 6000, readOnly: true, server: { host: "a", port: 1 } }]);
  });

  it("matches replies to requests in order and tracks the last zxid", () => {
    const h = new Harness();
    h.core.start(h.now);
    h.establish();
    const { log, complete } = results();
    h.core.submit(OpCode.getData, getData("/a"), complete, h.now);
    h.core.submit(OpCode.getData, getData("/b"), complete, h.now);
    const sent = h.takeRequests();
    expect(sent.map((s) => [s.xid, s.type])).toEqual([
      [1, OpCode.getData],
      [2, OpCode.getData],
    ]);
    expect(GetDataRequest.read(sent[1]!.reader).path).toBe("/b");
    h.reply(1, 0x10n, 0, Stat.encode(ZERO_STAT));
    h.reply(2, 0x11n, ErrorCode.NONODE);
    expect(log.map((l) => l.err)).toEqual([0, ErrorCode.NONODE]);
    expect(log[0]!.body!.remaining).toBe(Stat.sizeMin);
    expect(h.core.lastZxidSeen).toBe(0x11n);
  });

  it("treats an out-of-order reply as connection loss and fails requests with an unknown outcome", () => {
    const h = new Harness();
    h.core.start(h.now);
    h.establish();
    const { log, complete } = results();
    h.core.submit(OpCode.getData, getData("/a"), complete, h.now);
    h.core.submit(OpCode.getData, getData("/b"), complete, h.now);
    h.reply(2, 5n, 0);
    expect(log).toEqual([
      { err: ErrorCode.CONNECTIONLOSS, body: null, outcomeUnknown: true },
      { err: ErrorCode.CONNECTIONLOSS, body: null, outcomeUnknown: true },
    ]);
    expect(h.disconnects).toBe(1);
    expect(h.events.at(-1)).toMatchObject({ type: "disconnected" });
    expect(h.core.state).toBe("connecting");
  });

  it("reconnects to the next host with the session, then sends auth, SetWatches and queued requests in order", () => {
    const h = new Harness();
    h.core.start(h.now);
    h.establish(77n);
    const auth = results();
    h.core.addAuth("digest", Buffer.from("u:p"), auth.complete, h.now);
    h.reply(-4, 0n, 0);
    expect(auth.log).toEqual([{ err: 0, body: null, outcomeUnknown: undefined }]);
    h.core.watches.add("data", "/d", () => {});
    h.core.watches.add("child", "/c", () => {});
    const { log, complete } = results();
    h.core.submit(OpCode.getData, getData("/x"), complete, h.now);
    h.reply(1, 0x99n, 0, Stat.encode(ZERO_STAT));
    h.takeSent();

    h.core.onTransportClosed(h.now, "reset");
    expect(h.events.at(-1)).toMatchObject({ type: "disconnected" });
    h.core.submit(OpCode.getData, getData("/queued"), complete, h.now);
    expect(h.takeSent()).toEqual([]);
    h.advance(h.core.nextDeadline()! - h.now);
    expect(h.connects).toEqual(["a:1", "b:2"]);
    h.core.onTransportOpen(h.now);
    const request = ConnectRequest.read(new JuteReader(h.takeSent()[0]!));
    expect(request).toMatchObject({ sessionId: 77n, lastZxidSeen: 0x99n });
    expect(request.passwd).toEqual(Buffer.alloc(16, 7));
    h.receive(Buffer.concat([ConnectResponse.encode({ protocolVersion: 0, timeOut: 9000, sessionId: 77n, passwd: Buffer.alloc(16, 7) }), Buffer.from([0])]));
    const sent = h.takeRequests();
    expect(sent.map((s) => [s.xid, s.type])).toEqual([
      [-4, OpCode.auth],
      [-8, OpCode.setWatches],
      [2, OpCode.getData],
    ]);
    expect(AuthPacket.read(sent[0]!.reader)).toMatchObject({ scheme: "digest", auth: Buffer.from("u:p") });
    expect(SetWatches.read(sent[1]!.reader)).toEqual({ relativeZxid: 0x99n, dataWatches: ["/d"], existWatches: [], childWatches: ["/c"] });
    expect(GetDataRequest.read(sent[2]!.reader).path).toBe("/queued");
  });

  it("uses SetWatches2 when persistent watches exist", () => {
    const h = new Harness();
    h.core.watches.add("persistentRecursive", "/r", () => {});
    h.core.start(h.now, { sessionId: 5n, passwd: Buffer.alloc(16) });
    h.establish(5n);
    const [sent] = h.takeRequests();
    expect(sent!.type).toBe(OpCode.setWatches2);
    expect(SetWatches2.read(sent!.reader).persistentRecursiveWatches).toEqual(["/r"]);
  });

  it("pings when idle and gives up on a silent server after the read timeout", () => {
    const h = new Harness();
    h.core.start(h.now);
    h.establish(1n, 9000);
    // readTimeout = 6000 ms, ping interval = 3000 ms.
    h.advance(2999);
    expect(h.takeRequests()).toEqual([]);
    h.advance(1);
    expect(h.takeRequests().map((s) => [s.xid, s.type])).toEqual([[-2, OpCode.ping]]);
    h.reply(-2, 0n, 0);
    h.advance(3000);
    expect(h.takeRequests().map((s) => s.xid)).toEqual([-2]);
    expect(h.core.state).toBe("connected");
    h.advance(3000);
    expect(h.core.state).toBe("connecting");
    expect(h.events.at(-1)).toMatchObject({ type: "disconnected" });
  });

  it("expires the session locally after a whole timeout without any server", () => {
    const h = new Harness();
    h.core.start(h.now);
    h.establish(1n, 9000);
    h.core.onTransportClosed(h.now, "reset");
    const { log, complete } = results();
    h.core.submit(OpCode.getData, getData("/a"), complete, h.now);
    const lostAt = h.now;
    for (let i = 0; i < 100 && h.core.state !== "expired"; i++) {
      const deadline = h.core.nextDeadline()!;
      h.now = deadline;
      h.core.tick(h.now);
      if (h.connects.length > 0 && h.core.state === "connecting") h.core.onTransportClosed(h.now, "refused");
    }
    expect(h.core.state).toBe("expired");
    expect(h.now - lostAt).toBe(9000);
    expect(log).toEqual([{ err: ErrorCode.SESSIONEXPIRED, body: null, outcomeUnknown: undefined }]);
    expect(h.events.at(-1)).toMatchObject({ type: "expired" });
  });

  it("gives up the first session after connectAttemptsMax refused attempts, failing waiting requests with the last failure", () => {
    const h = new Harness({ connectAttemptsMax: 2 });
    h.core.start(h.now);
    const { log, complete } = results();
    h.core.submit(OpCode.getData, getData("/a"), complete, h.now);
    h.core.onTransportClosed(h.now, "connection to a:1 closed: connect ECONNREFUSED");
    expect(h.core.state).toBe("connecting");
    h.now = h.core.nextDeadline()!;
    h.core.tick(h.now);
    expect(h.connects).toEqual(["a:1", "b:2"]);
    h.core.onTransportClosed(h.now, "connection to b:2 closed: connect ECONNREFUSED");
    expect(h.core.state).toBe("closed");
    expect(h.core.nextDeadline()).toBeUndefined();
    const reason = "no server could be reached (2 attempts); last failure: connection to b:2 closed: connect ECONNREFUSED";
    expect(h.events.at(-1)).toEqual({ type: "closed", reason });
    expect(log).toEqual([{ err: ErrorCode.CONNECTIONLOSS, body: null, outcomeUnknown: undefined }]);
  });

  it("keeps retrying after failed attempts once it has had a session, whatever connectAttemptsMax says", () => {
    const h = new Harness({ connectAttemptsMax: 1 });
    h.core.start(h.now);
    h.establish(1n, 9000);
    for (let i = 0; i < 3; i++) {
      h.core.onTransportClosed(h.now, "refused");
      expect(h.core.state).toBe("connecting");
      h.now = h.core.nextDeadline()!;
      h.core.tick(h.now);
    }
  });

  it("reports expiry when the server answers the handshake with a zero timeout", () => {
    const h = new Harness();
    const watcherEvents: RawWatchEvent[] = [];
    h.core.watches.add("data", "/w", (e) => watcherEvents.push(e));
    h.core.start(h.now, { sessionId: 9n, passwd: Buffer.alloc(16) });
    h.core.onTransportOpen(h.now);
    h.receive(ConnectResponse.encode({ protocolVersion: 0, timeOut: 0, sessionId: 0n, passwd: Buffer.alloc(16) }));
    expect(h.core.state).toBe("expired");
    expect(watcherEvents).toEqual([{ type: EventType.None, state: -112, path: "", zxid: -1n }]);
    const { log, complete } = results();
    h.core.submit(OpCode.getData, getData("/a"), complete, h.now);
    expect(log[0]!.err).toBe(ErrorCode.SESSIONEXPIRED);
  });

  it("refuses requests over jute.maxbuffer and over the outstanding limit without sending", () => {
    const h = new Harness({ maxBufferBytes: 100, maxOutstandingRequests: 2 });
    h.core.start(h.now);
    h.establish();
    const { log, complete } = results();
    h.core.submit(OpCode.setData, Buffer.alloc(93), complete, h.now);
    expect(log.map((l) => l.err)).toEqual([ErrorCode.MARSHALLINGERROR]);
    h.core.submit(OpCode.getData, getData("/1"), complete, h.now);
    h.core.submit(OpCode.getData, getData("/2"), complete, h.now);
    h.core.submit(OpCode.getData, getData("/3"), complete, h.now);
    expect(log.map((l) => l.err)).toEqual([ErrorCode.MARSHALLINGERROR, ErrorCode.THROTTLEDOP]);
    expect(h.takeRequests().map((s) => s.xid)).toEqual([1, 2]);
  });

  it("bounds the bytes of outstanding requests, always admitting one", () => {
    const h = new Harness({ maxOutstandingBytes: 1000 });
    h.core.start(h.now);
    h.establish();
    const { log, complete } = results();
    h.core.submit(OpCode.setData, Buffer.alloc(1500), complete, h.now);
    h.core.submit(OpCode.setData, Buffer.alloc(10), complete, h.now);
    expect(log.map((l) => l.err)).toEqual([ErrorCode.THROTTLEDOP]);
    expect(h.core.outstandingBytes).toBe(1508);
    h.reply(1, 1n, 0);
    expect(h.core.outstandingBytes).toBe(0);
    h.core.submit(OpCode.setData, Buffer.alloc(400), complete, h.now);
    h.core.submit(OpCode.setData, Buffer.alloc(400), complete, h.now);
    h.core.submit(OpCode.setData, Buffer.alloc(400), complete, h.now);
    expect(log.map((l) => l.err)).toEqual([ErrorCode.THROTTLEDOP, 0, ErrorCode.THROTTLEDOP]);
    h.core.onTransportClosed(h.now, "reset");
    expect(h.core.outstandingBytes).toBe(0);
  });

  it("fans a notification out to every watcher and consumes one-shot watches", () => {
    const h = new Harness();
    h.core.start(h.now);
    h.establish();
    const seen: string[] = [];
    h.core.watches.add("data", "/n", () => seen.push("data1"));
    h.core.watches.add("data", "/n", () => seen.push("data2"));
    h.core.watches.add("persistentRecursive", "/", () => seen.push("recursive"));
    const notify = (type: number, path: string) => h.reply(-1, -1n, 0, WatcherEvent.encode({ type, state: 3, path }));
    notify(EventType.NodeDataChanged, "/n");
    notify(EventType.NodeDataChanged, "/n");
    notify(EventType.NodeChildrenChanged, "/n");
    expect(seen).toEqual(["data1", "data2", "recursive", "recursive"]);
  });

  it("closes by sending closeSession and finishing on its reply", () => {
    const h = new Harness();
    h.core.start(h.now);
    h.establish();
    let closed = false;
    h.core.close(h.now, () => (closed = true));
    expect(h.takeRequests().map((s) => [s.xid, s.type])).toEqual([[1, OpCode.closeSession]]);
    expect(closed).toBe(false);
    h.reply(1, 3n, 0);
    expect(closed).toBe(true);
    expect(h.core.state).toBe("closed");
    expect(h.events.at(-1)).toEqual({ type: "closed" });
    expect(h.core.nextDeadline()).toBeUndefined();
  });

  it("asks for a new session on every connect until a read-write server has answered, then resumes its session", () => {
    const h = new Harness({ readOnlyAllowed: true });
    h.core.start(h.now);
    expect(h.handshake(42n, true).sessionId).toBe(0n);
    expect(h.core.state).toBe("connectedReadOnly");
    // A read-only server's session is its own: the next server is asked for a new one.
    h.core.onTransportClosed(h.now, "reset");
    h.advance(h.core.nextDeadline()! - h.now);
    expect(h.handshake(43n, true)).toMatchObject({ sessionId: 0n, passwd: Buffer.alloc(16) });
    h.core.onTransportClosed(h.now, "reset");
    h.advance(h.core.nextDeadline()! - h.now);
    expect(h.handshake(77n, false).sessionId).toBe(0n);
    expect(h.core.state).toBe("connected");
    h.core.onTransportClosed(h.now, "reset");
    h.advance(h.core.nextDeadline()! - h.now);
    expect(h.handshake(77n, true)).toMatchObject({ sessionId: 77n, passwd: Buffer.alloc(16, 7) });
    expect(h.events.filter((e) => e.type === "connected").map((e) => e.type === "connected" && [e.sessionId, e.readOnly])).toEqual([
      [42n, true],
      [43n, true],
      [77n, false],
      [77n, true],
    ]);
    expect(h.events.some((e) => e.type === "expired")).toBe(false);
  });

  it("does not expire a read-only session however long no server answers: the next connect asks for a new one", () => {
    const h = new Harness({ readOnlyAllowed: true });
    h.core.start(h.now);
    h.handshake(42n, true);
    h.core.onTransportClosed(h.now, "reset");
    const lostAt = h.now;
    // Well past the 9 s session timeout, every attempt refused.
    while (h.now < lostAt + 30_000) {
      h.advance(h.core.nextDeadline()! - h.now);
      h.core.onTransportClosed(h.now, "refused");
    }
    expect(h.core.state).toBe("connecting");
    expect(h.events.some((e) => e.type === "expired")).toBe(false);
  });

  it("probes the other hosts for a read-write server while on a read-only one, backing off, and moves to the first found", () => {
    const h = new Harness({
      readOnlyAllowed: true,
      hosts: [
        { host: "a", port: 1 },
        { host: "b", port: 2 },
        { host: "c", port: 3 },
      ],
    });
    h.core.start(h.now);
    h.handshake(42n, true);
    expect(h.core.nextDeadline()).toBe(h.now + 100);
    h.advance(100);
    expect(h.probes).toEqual(["b:2"]);
    // One probe at a time: nothing more is due until it is answered.
    h.advance(1000);
    expect(h.probes).toEqual(["b:2"]);
    h.core.onReadWriteProbe({ host: "b", port: 2 }, false, h.now);
    h.takeSent();
    h.advance(h.core.nextDeadline()! - h.now);
    expect(h.probes).toEqual(["b:2", "c:3"]);
    h.core.onReadWriteProbe({ host: "c", port: 3 }, false, h.now);
    // The interval doubles after each probe: 100, 200, 400 ms.
    const before = h.now;
    h.takeSent();
    h.advance(h.core.nextDeadline()! - h.now);
    expect(h.probes).toEqual(["b:2", "c:3", "b:2"]);
    expect(h.now - before).toBeLessThanOrEqual(400);
    const { log, complete } = results();
    h.core.submit(OpCode.getData, getData("/a"), complete, h.now);
    h.core.onReadWriteProbe({ host: "b", port: 2 }, true, h.now);
    expect(log).toEqual([{ err: ErrorCode.CONNECTIONLOSS, body: null, outcomeUnknown: true }]);
    expect(h.events.at(-1)).toMatchObject({ type: "disconnected" });
    expect(h.connects).toEqual(["a:1", "b:2"]);
    expect(h.handshake(77n, false).sessionId).toBe(0n);
    expect(h.core.state).toBe("connected");
    h.advance(60_000);
    expect(h.probes).toHaveLength(3);
  });

  it("does not probe on a read-write server, nor without the probe hook", () => {
    const h = new Harness({ readOnlyAllowed: true });
    h.core.start(h.now);
    h.handshake(7n, false);
    h.advance(5000);
    expect(h.probes).toEqual([]);
  });
});
