import { ConnectResponse, JuteReader, OpCode, ReplyHeader, RequestHeader, WatcherEvent, GetDataRequest, ErrorCode } from "@zkts/jute";
import { describe, expect, it } from "vitest";
import { ConnectionCore } from "../src/core/connection-core.js";

/**
 * The connection core against a randomly misbehaving scripted server: replies, errors,
 * notifications, dropped connections, expired sessions and clock jumps in random order. The
 * invariants: every request completes exactly once, successful replies complete requests in
 * the order they were sent, nothing is sent while no connection is open, and a closed core
 * holds nothing and schedules nothing. A failure prints the seed that replays it.
 */

function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const totals = { sent: 0, ok: 0 };

function runScenario(seed: number, steps: number): void {
  const random = mulberry32(seed);
  const pick = (n: number) => Math.floor(random() * n);
  let now = 1_000;
  let transportOpen = false;
  /** The core asked for a transport and the scripted network has not answered yet. */
  let connectRequested = false;
  let handshakeDone = false;
  let expectHandshake = false;
  /** xids the scripted server has received and not answered, in order. */
  let unanswered: number[] = [];
  const completions = new Map<number, number>();
  const successOrder: number[] = [];
  const sentOrder = new Map<number, number>();
  let sendCounter = 0;
  const xidToRequest = new Map<number, number>();
  let nextRequest = 0;
  const pendingIds: number[] = [];

  const core: ConnectionCore = new ConnectionCore(
    {
      hosts: [
        { host: "a", port: 1 },
        { host: "b", port: 2 },
        { host: "c", port: 3 },
      ],
      sessionTimeoutMs: 6000,
      readOnlyAllowed: false,
      maxBufferBytes: 0xfffff,
      maxOutstandingRequests: 20,
      maxOutstandingBytes: 4000,
      reconnectDelayMsMin: 10,
      reconnectDelayMsMax: 200,
      random,
    },
    {
      connect: () => {
        expect(transportOpen).toBe(false);
        connectRequested = true;
      },
      send: (frame) => {
        expect(transportOpen, "a frame was sent with no transport").toBe(true);
        const payload = frame.subarray(4);
        if (expectHandshake) {
          expectHandshake = false;
          return;
        }
        expect(handshakeDone, "a request went out before the handshake finished").toBe(true);
        const header = RequestHeader.read(new JuteReader(payload));
        if (header.xid > 0) {
          unanswered.push(header.xid);
          if (header.type === OpCode.getData) {
            const id = pendingIds.shift();
            expect(id, "a request was sent that nobody submitted").toBeDefined();
            xidToRequest.set(header.xid, id!);
            stats.sent++;
            sentOrder.set(id!, sendCounter++);
          }
        } else if (header.xid === -4) unanswered.push(-4);
      },
      disconnect: () => {
        transportOpen = false;
        connectRequested = false;
        handshakeDone = false;
        unanswered = [];
      },
      sessionEvent: () => {},
      watchEvent: () => {},
    },
  );

  let stats = { sent: 0, ok: 0 };
  const submit = () => {
    const id = nextRequest++;
    completions.set(id, 0);
    const body = GetDataRequest.encode({ path: `/n${id}`, watch: false });
    // Registered before submit: an open core sends synchronously inside submit().
    pendingIds.push(id);
    core.submit(
      OpCode.getData,
      body,
      (err) => {
        completions.set(id, completions.get(id)! + 1);
        if (err === 0) successOrder.push(id);
        // Refused on the spot: it never reaches the wire.
        const waiting = pendingIds.indexOf(id);
        if (waiting >= 0) pendingIds.splice(waiting, 1);
      },
      now,
    );
  };

  core.start(now);
  for (let step = 0; step < steps; step++) {
    const state = core.state;
    if (state === "expired" || state === "closed" || state === "authFailed") break;
    const r = pick(100);
    if (r < 30) {
      submit();
    } else if (r < 50 && handshakeDone && unanswered.length > 0) {
      const xid = unanswered.shift()!;
      const err = pick(4) === 0 ? ErrorCode.NONODE : 0;
      core.onData(
        Buffer.concat([
          lengthPrefix(
            Buffer.concat([ReplyHeader.encode({ xid, zxid: BigInt(step + 1), err }), err === 0 && xid > 0 ? Buffer.alloc(68 + 4) : Buffer.alloc(0)]),
          ),
        ]),
        now,
      );
    } else if (r < 55 && handshakeDone) {
      core.onData(
        lengthPrefix(Buffer.concat([ReplyHeader.encode({ xid: -1, zxid: -1n, err: 0 }), WatcherEvent.encode({ type: 3, state: 3, path: "/w" })])),
        now,
      );
    } else if (r < 60 && transportOpen) {
      transportOpen = false;
      core.onTransportClosed(now, "random drop");
      handshakeDone = false;
      unanswered = [];
    } else if (r < 70 && connectRequested) {
      // The connection attempt fails (refused).
      connectRequested = false;
      core.onTransportClosed(now, "refused");
    } else if (r < 75 && connectRequested) {
      connectRequested = false;
      transportOpen = true;
      expectHandshake = true;
      core.onTransportOpen(now);
    } else if (r < 85 && transportOpen && !handshakeDone && !expectHandshake) {
      const expire = pick(40) === 0;
      handshakeDone = !expire;
      core.onData(
        lengthPrefix(
          Buffer.concat([
            ConnectResponse.encode({ protocolVersion: 0, timeOut: expire ? 0 : 6000, sessionId: expire ? 0n : 7n, passwd: Buffer.alloc(16) }),
            Buffer.from([0]),
          ]),
        ),
        now,
      );
    } else {
      // Mostly small steps; now and then straight to the core's next deadline.
      const deadline = core.nextDeadline();
      now = deadline !== undefined && pick(10) === 0 ? Math.max(now, deadline) : now + pick(300);
      core.tick(now);
    }
  }
  let closed = false;
  core.close(now, () => (closed = true));
  // The server drops the connection instead of answering closeSession half of the time; the
  // other half nothing answers and the read timeout ends the close.
  if (!closed && transportOpen && pick(2) === 0) core.onTransportClosed(now, "closed by server");
  if (!closed) core.tick(now + 10 * 6000);
  expect(closed, `seed ${seed}: close never finished`).toBe(true);
  expect(["closed", "expired", "authFailed"]).toContain(core.state);
  expect(core.nextDeadline()).toBeUndefined();
  expect(core.outstandingRequests).toBe(0);
  expect(core.outstandingBytes).toBe(0);
  for (const [id, count] of completions) expect(count, `seed ${seed}: request ${id} completed ${count} times`).toBe(1);
  expect(
    successOrder.every((id) => sentOrder.has(id)),
    `seed ${seed}: a success for a request never sent`,
  ).toBe(true);
  totals.sent += stats.sent;
  totals.ok += successOrder.length;
  const sentRanks = successOrder.map((id) => sentOrder.get(id)!);
  expect(sentRanks, `seed ${seed}: successes out of send order`).toEqual([...sentRanks].sort((a, b) => a - b));
}

function lengthPrefix(payload: Buffer): Buffer {
  const frame = Buffer.alloc(4 + payload.length);
  frame.writeInt32BE(payload.length, 0);
  payload.copy(frame, 4);
  return frame;
}

describe("ConnectionCore under a random scripted server", () => {
  it("keeps its invariants over many seeded scenarios", () => {
    const base = Number(process.env.CORE_SEED ?? Date.now() % 1_000_000);
    console.log(`core random scenarios: base seed ${base} (CORE_SEED=${base} replays)`);
    for (let i = 0; i < 300; i++) {
      const seed = base + i;
      try {
        runScenario(seed, 400);
      } catch (err) {
        throw new Error(`scenario seed ${seed} failed: ${(err as Error).message}`);
      }
    }
    // The scenarios must actually exercise the request path, not only connection churn.
    expect(totals.sent).toBeGreaterThan(1000);
    expect(totals.ok).toBeGreaterThan(500);
  });
});
