import { collectGarbage } from "./collect-garbage.js";

export interface IdleCollectorOptions {
  /** Txns applied since the last collection before a quiet spell is worth one. */
  txnsMin?: number;
  /** How long without a txn counts as quiet. */
  quietMs?: number;
  collect?: () => Promise<unknown>;
}

const TXNS_MIN_DEFAULT = 10_000;
const QUIET_MS_DEFAULT = 2_000;

/**
 * Runs one full garbage collection when a burst of writes has ended: after `txnsMin` txns or
 * more, once none came for `quietMs`. A burst leaves V8's heap grown well past what the tree
 * needs, and V8 gives it back only when its own heuristics decide to; a server that has gone
 * quiet can afford the pause. Snapshots collect too (DurableStore), which resets the count.
 */
export class IdleCollector {
  private readonly txnsMin: number;
  private readonly quietMs: number;
  private readonly collect: () => Promise<unknown>;
  private txnsSince = 0;
  private lastTxnAt = 0;
  private timer: NodeJS.Timeout | null = null;
  private collecting = false;

  constructor(options: IdleCollectorOptions = {}) {
    this.txnsMin = options.txnsMin ?? TXNS_MIN_DEFAULT;
    this.quietMs = options.quietMs ?? QUIET_MS_DEFAULT;
    this.collect = options.collect ?? collectGarbage;
  }

  start(): void {
    if (this.timer !== null) return;
    this.timer = setInterval(() => void this.check(performance.now()), this.quietMs / 2);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer !== null) clearInterval(this.timer);
    this.timer = null;
  }

  recordTxns(count: number, now: number): void {
    this.txnsSince += count;
    this.lastTxnAt = now;
  }

  /** A collection just ran (after a snapshot): the garbage so far is gone. */
  collected(): void {
    this.txnsSince = 0;
  }

  async check(now: number): Promise<void> {
    if (this.collecting || this.txnsSince < this.txnsMin || now - this.lastTxnAt < this.quietMs) return;
    this.collecting = true;
    this.txnsSince = 0;
    try {
      await this.collect();
    } finally {
      this.collecting = false;
    }
  }
}
