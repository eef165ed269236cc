import { describe, expect, it } from "vitest";
import { ErrorCode } from "@zkts/jute";
import { ConnectionStates, ZkError, exponentialBackoff, isRetryable, noRetry, retry, retryNTimes } from "../src/index.js";
import type { SessionEvent } from "../src/core/connection-core.js";

/** mulberry32: a seeded uniform [0, 1) source, so jittered schedules replay. */
function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const loss = () => new ZkError(ErrorCode.CONNECTIONLOSS, { outcomeUnknown: true });

describe("exponentialBackoff", () => {
  it("doubles from the base up to the cap, gives up after maxRetries, and never waits longer than the ceiling", () => {
    const seed = Number(process.env.ZKTS_SEED ?? Date.now() % 2 ** 31);
    console.log(`exponentialBackoff jitter seed ${seed} (ZKTS_SEED=${seed} replays it)`);
    const policy = exponentialBackoff({ baseDelayMs: 100, maxDelayMs: 1000, maxRetries: 6, jitter: 0.5, random: seeded(seed) });
    const ceilings = [100, 200, 400, 800, 1000, 1000];
    for (let attempt = 1; attempt <= 6; attempt++) {
      const delay = policy.nextDelayMs(attempt, 0, loss())!;
      const ceiling = ceilings[attempt - 1]!;
      expect(delay).toBeGreaterThan(ceiling * 0.5);
      expect(delay).toBeLessThanOrEqual(ceiling);
    }
    expect(policy.nextDelayMs(7, 0, loss())).toBeNull();
  });

  it("takes its jitter only from the injected source: the same seed gives the same schedule", () => {
    const schedule = (seed: number) => {
      const policy = exponentialBackoff({ random: seeded(seed), maxRetries: 8 });
      return Array.from({ length: 8 }, (_, i) => policy.nextDelayMs(i + 1, 0, loss()));
    };
    expect(schedule(42)).toEqual(schedule(42));
    expect(schedule(42)).not.toEqual(schedule(43));
    const exact = exponentialBackoff({ jitter: 0, baseDelayMs: 10, maxRetries: 3 });
    expect([1, 2, 3].map((n) => exact.nextDelayMs(n, 0, loss()))).toEqual([10, 20, 40]);
  });

  it("respects a time budget: no wait runs past it, and none starts after it", () => {
    const policy = exponentialBackoff({ jitter: 0, baseDelayMs: 400, maxRetries: 100, maxElapsedMs: 1000 });
    expect(policy.nextDelayMs(1, 0, loss())).toBe(400);
    expect(policy.nextDelayMs(2, 900, loss())).toBe(100);
    expect(policy.nextDelayMs(3, 1000, loss())).toBeNull();
  });

  it("refuses nonsense bounds", () => {
    expect(() => exponentialBackoff({ baseDelayMs: 10, maxDelayMs: 5 })).toThrow(RangeError);
    expect(() => exponentialBackoff({ jitter: 2 })).toThrow(RangeError);
  });
});

describe("retry()", () => {
  /** A virtual clock: sleep advances it, so the schedule runs without waiting. */
  function virtualTime() {
    let nowMs = 0;
    const waits: number[] = [];
    return {
      waits,
      now: () => nowMs,
      sleep: async (ms: number) => {
        waits.push(ms);
        nowMs += ms;
      },
    };
  }

  it("retries retryable failures with the policy's delays and returns the first success", async () => {
    const time = virtualTime();
    const attempts: number[] = [];
    const value = await retry(
      async (attempt) => {
        attempts.push(attempt);
        if (attempt < 3) throw loss();
        return "done";
      },
      retryNTimes(5, 25),
      time,
    );
    expect(value).toBe("done");
    expect(attempts).toEqual([0, 1, 2, 3]);
    expect(time.waits).toEqual([25, 25, 25]);
  });

  it("lets final errors through at once, and the last retryable one when the policy gives up", async () => {
    const time = virtualTime();
    let tries = 0;
    await expect(
      retry(
        async () => {
          tries++;
          throw new ZkError(ErrorCode.NONODE, { path: "/x" });
        },
        retryNTimes(5, 1),
        time,
      ),
    ).rejects.toMatchObject({ codeName: "NONODE" });
    expect(tries).toBe(1);

    tries = 0;
    await expect(
      retry(
        async () => {
          tries++;
          throw loss();
        },
        retryNTimes(2, 1),
        time,
      ),
    ).rejects.toMatchObject({ codeName: "CONNECTIONLOSS" });
    expect(tries).toBe(3);
    await expect(retry(() => Promise.reject(loss()), noRetry, time)).rejects.toMatchObject({ codeName: "CONNECTIONLOSS" });
  });

  it("stops waiting when its signal aborts", async () => {
    const controller = new AbortController();
    const pending = retry(() => Promise.reject(loss()), retryNTimes(100, 60_000), { signal: controller.signal });
    setTimeout(() => controller.abort(new Error("shutting down")), 20);
    await expect(pending).rejects.toThrow("shutting down");
  });

  it("knows which errors are worth another try", () => {
    expect(isRetryable(loss())).toBe(true);
    expect(isRetryable(new ZkError(ErrorCode.OPERATIONTIMEOUT))).toBe(true);
    expect(isRetryable(new ZkError(ErrorCode.SESSIONMOVED))).toBe(true);
    expect(isRetryable(new ZkError(ErrorCode.SESSIONEXPIRED))).toBe(false);
    expect(isRetryable(new ZkError(ErrorCode.BADVERSION))).toBe(false);
    expect(isRetryable(new Error("other"))).toBe(false);
  });
});

describe("ConnectionStates", () => {
  const server = { host: "127.0.0.1", port: 2181 };
  const connected: SessionEvent = { type: "connected", sessionId: 1n, timeoutMs: 10_000, readOnly: false, server };
  const disconnected: SessionEvent = { type: "disconnected", reason: "socket closed" };
  const expired: SessionEvent = { type: "expired", reason: "server said so" };

  it("maps raw session events to connected, suspended, reconnected and lost", () => {
    const states = new ConnectionStates();
    const seen = [connected, disconnected, disconnected, connected, disconnected, connected, expired, connected, disconnected].map(
      (event) => states.next(event)?.state ?? null,
    );
    expect(seen).toEqual(["connected", "suspended", null, "reconnected", "suspended", "reconnected", "lost", null, null]);
  });

  it("reports nothing lost for a first session that never came, or a client closed by its user", () => {
    const never = new ConnectionStates();
    expect(never.next(disconnected)).toBeNull();
    expect(never.next(expired)).toBeNull();
    expect(never.state).toBeNull();
    const closedByUser = new ConnectionStates();
    closedByUser.next(connected);
    expect(closedByUser.next({ type: "closed" })).toBeNull();
    expect(closedByUser.state).toBe("connected");
  });

  it("carries read-only and the previous state", () => {
    const states = new ConnectionStates();
    expect(states.next({ ...connected, readOnly: true } as SessionEvent)).toEqual({ type: "state", state: "connected", previous: null, readOnly: true });
    states.next(disconnected);
    expect(states.next({ type: "authFailed" })).toEqual({ type: "state", state: "lost", previous: "suspended", readOnly: false });
  });
});
