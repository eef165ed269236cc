/**
 * When to try the next server. Each host in the (shuffled) list is tried once per round with
 * no delay between hosts; after a whole round fails the next round waits an exponentially
 * growing, jittered delay so a restarting ensemble is not hammered by every client at once.
 */
export interface ReconnectPolicyOptions {
  hostCount: number;
  delayMsMin: number;
  delayMsMax: number;
  random: () => number;
}

export class ReconnectPolicy {
  private attemptsInRound = 0;
  private failedRounds = 0;

  constructor(private readonly opts: ReconnectPolicyOptions) {}

  /** Called after a successful handshake: the next failure starts a fresh round. */
  reset(): void {
    this.attemptsInRound = 0;
    this.failedRounds = 0;
  }

  /** Delay before the next attempt, after one attempt failed or a connection was lost. */
  nextDelayMs(): number {
    this.attemptsInRound++;
    if (this.attemptsInRound < this.opts.hostCount) return 0;
    this.attemptsInRound = 0;
    this.failedRounds++;
    const base = Math.min(this.opts.delayMsMax, this.opts.delayMsMin * 2 ** Math.min(this.failedRounds - 1, 16));
    // Full jitter over the upper half keeps a floor while still spreading clients.
    return Math.round(base / 2 + (this.opts.random() * base) / 2);
  }
}
