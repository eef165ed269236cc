import { ErrorCode } from "@zkts/jute";
import { ZkError } from "./errors.js";

/**
 * When to try again after a failure. `attempt` counts the retries so far plus one (the first
 * retry asks with 1); `elapsedMs` is the time since the first try. A number is the delay
 * before the next try, null means give up and let the error through.
 */
export interface RetryPolicy {
  nextDelayMs(attempt: number, elapsedMs: number, error: unknown): number | null;
}

export interface ExponentialBackoffOptions {
  /** Delay before the first retry, before jitter. Default 100 ms. */
  baseDelayMs?: number;
  /** No delay exceeds this. Default 10 s. */
  maxDelayMs?: number;
  /** Retries after the first try. Default 5. */
  maxRetries?: number;
  /** Give up once this much time has passed since the first try. Default: no bound. */
  maxElapsedMs?: number;
  /**
   * Fraction of each delay drawn at random: 0 waits exactly base·2^(n-1), 1 waits anywhere in
   * (0, base·2^(n-1)]. Spreads out clients that all lost the same server. Default 0.5.
   */
  jitter?: number;
  /** Uniform [0, 1) source for the jitter; inject a seeded one to replay. Default Math.random. */
  random?: () => number;
}

/**
 * Doubling delays with a cap, a bound on retries (and optionally on total time) and jitter
 * from an injected random source: the shape of Curator's ExponentialBackoffRetry and
 * BoundedExponentialBackoffRetry and of kazoo's KazooRetry.
 */
export function exponentialBackoff(options: ExponentialBackoffOptions = {}): RetryPolicy {
  const baseDelayMs = options.baseDelayMs ?? 100;
  const maxDelayMs = options.maxDelayMs ?? 10_000;
  const maxRetries = options.maxRetries ?? 5;
  const maxElapsedMs = options.maxElapsedMs ?? Infinity;
  const jitter = options.jitter ?? 0.5;
  const random = options.random ?? Math.random;
  if (!(baseDelayMs >= 0 && maxDelayMs >= baseDelayMs)) throw new RangeError("exponentialBackoff: need 0 <= baseDelayMs <= maxDelayMs");
  if (!(jitter >= 0 && jitter <= 1)) throw new RangeError("exponentialBackoff: jitter must be within [0, 1]");
  return {
    nextDelayMs(attempt, elapsedMs) {
      if (attempt > maxRetries || elapsedMs >= maxElapsedMs) return null;
      // 2^30 already dwarfs any sensible cap; the bound keeps the power finite.
      const uncapped = baseDelayMs * 2 ** Math.min(attempt - 1, 30);
      const ceiling = Math.min(uncapped, maxDelayMs);
      const delay = ceiling * (1 - jitter * random());
      // Never sleep past the time budget: the last try happens at the deadline at the latest.
      return Math.max(0, Math.min(delay, maxElapsedMs - elapsedMs));
    },
  };
}

/** The same delay between tries, `maxRetries` times (Curator's RetryNTimes). */
export function retryNTimes(maxRetries: number, delayMs: number): RetryPolicy {
  return { nextDelayMs: (attempt) => (attempt > maxRetries ? null : delayMs) };
}

/** Never retries: the default of every client operation. */
export const noRetry: RetryPolicy = { nextDelayMs: () => null };

/**
 * Failures worth another try: the connection dropped (CONNECTIONLOSS; the client is
 * reconnecting), the server timed out (OPERATIONTIMEOUT), or the session moved to another
 * server (SESSIONMOVED). Expiry, auth failure and every answer about the data are final.
 */
export function isRetryable(err: unknown): boolean {
  if (!(err instanceof ZkError)) return false;
  return err.code === ErrorCode.CONNECTIONLOSS || err.code === ErrorCode.OPERATIONTIMEOUT || err.code === ErrorCode.SESSIONMOVED;
}

export interface RetryOptions {
  /** Which errors to retry; default isRetryable. */
  retryIf?: (err: unknown) => boolean;
  /** Stops waiting and rejects with the signal's reason. */
  signal?: AbortSignal;
  /** Called before each wait, e.g. to log. */
  onRetry?: (err: unknown, attempt: number, delayMs: number) => void;
  /** Injected for tests: the clock and the wait. Defaults performance.now and setTimeout. */
  now?: () => number;
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
}

/**
 * Runs `fn` until it resolves, a failure is not retryable, or the policy gives up; the last
 * error is thrown. `fn` gets the attempt number (0 for the first try). Use it around
 * idempotent steps only, or around steps that first look at what an earlier try left
 * behind: a write that failed with `outcomeUnknown` may have been applied.
 *
 *     const data = await retry(() => zk.getData("/config"), exponentialBackoff({ maxRetries: 3 }));
 */
export async function retry<T>(fn: (attempt: number) => Promise<T>, policy: RetryPolicy, options: RetryOptions = {}): Promise<T> {
  const retryIf = options.retryIf ?? isRetryable;
  const now = options.now ?? (() => performance.now());
  const sleep = options.sleep ?? abortableSleep;
  const startedAt = now();
  // Bounded even for a policy that never gives up.
  for (let attempt = 0; attempt < RETRIES_HARD_MAX; attempt++) {
    options.signal?.throwIfAborted();
    try {
      return await fn(attempt);
    } catch (err) {
      if (!retryIf(err)) throw err;
      const delayMs = policy.nextDelayMs(attempt + 1, now() - startedAt, err);
      if (delayMs === null) throw err;
      options.onRetry?.(err, attempt + 1, delayMs);
      await sleep(delayMs, options.signal);
    }
  }
  throw new Error(`retry: gave up after ${RETRIES_HARD_MAX} tries`);
}

const RETRIES_HARD_MAX = 10_000;

function abortableSleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(signal.reason);
      return;
    }
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal!.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}
