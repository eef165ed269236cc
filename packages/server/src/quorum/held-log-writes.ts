import { setTimeout as sleep } from "node:timers/promises";

/**
 * The unsafe mode ack-before-fsync: log writes kept in memory for `holdMs` while the caller
 * goes on as if they were durable. Holding the write back (rather than merely skipping the
 * fsync) is what makes the bug visible to a kill -9, which does not lose the page cache.
 * Writes are issued in the order they were held, each no earlier than `holdMs` after it.
 */
export class HeldLogWrites {
  private chain: Promise<void> = Promise.resolve();

  constructor(
    private readonly holdMs: number,
    private readonly clock: () => number,
    private readonly onError: (err: unknown) => void,
  ) {}

  hold(write: () => Promise<void>): void {
    const releaseAtMs = this.clock() + this.holdMs;
    this.chain = this.chain.then(async () => {
      const waitMs = releaseAtMs - this.clock();
      if (waitMs > 0) await sleep(waitMs);
      await write().catch(this.onError);
    });
  }

  /** Resolves once every write held so far has been issued and has finished. */
  drained(): Promise<void> {
    return this.chain;
  }
}
