import type { ForwardedRequest, Message } from "@zkts/server";
import type { EventQueue } from "./event-queue.js";
import type { SimRandom } from "./random.js";

/**
 * What travels between members. Peer messages are the zab core's (it numbers each quorum
 * connection, so it survives loss, duplication and reordering). A forwarded client request
 * rides the learner's TCP connection to its leader in a real server: ordered, never
 * duplicated, lost only with the connection, and only meaningful to the leadership it was
 * sent to (`epoch`, `incarnation` of the leader).
 */
export type Envelope =
  | { readonly kind: "peer"; readonly message: Message }
  | {
      readonly kind: "forward";
      readonly from: number;
      readonly to: number;
      readonly request: ForwardedRequest;
      readonly epoch: number;
      readonly incarnation: number;
    };

export interface NetworkFaults {
  /** Probability that a peer message is lost. */
  dropRate: number;
  /** Probability that a peer message arrives twice. */
  duplicateRate: number;
  /**
   * Probability that a quorum message overtakes the ones before it on its connection (TCP
   * never does this; the core must treat it as a broken connection). Election notifications
   * travel on their own channel and are reordered freely by their independent delays.
   */
  reorderRate: number;
  /** Delivery delay bounds in ms. */
  delayMinMs: number;
  delayMaxMs: number;
}

export const CALM_NETWORK: NetworkFaults = { dropRate: 0, duplicateRate: 0, reorderRate: 0, delayMinMs: 1, delayMaxMs: 5 };

/** Messages in flight between members, with partitions, loss, duplication, delay and reordering. */
export class SimNetwork {
  faults: NetworkFaults = CALM_NETWORK;
  /** Directed pairs "a>b" that cannot talk. */
  private readonly cut = new Set<string>();
  /** Quorum connections keep their order per pair: the latest delivery time scheduled on each. */
  private readonly tail = new Map<string, number>();
  readonly sent = new Map<string, number>();
  dropped = 0;
  duplicated = 0;

  constructor(
    private readonly random: SimRandom,
    private readonly queue: EventQueue,
    private readonly deliver: (to: number, envelope: Envelope) => Promise<void>,
  ) {}

  /** Splits the members into groups that cannot reach each other. */
  partition(groups: readonly (readonly number[])[]): void {
    this.cut.clear();
    for (const a of groups) {
      for (const b of groups) {
        if (a === b) continue;
        for (const x of a) for (const y of b) this.cut.add(`${x}>${y}`);
      }
    }
  }

  /** Cuts single directions, on top of what is cut already: [from, to] stops reaching `to`. */
  cutPairs(pairs: readonly (readonly [number, number])[]): void {
    for (const [from, to] of pairs) this.cut.add(`${from}>${to}`);
  }

  heal(): void {
    this.cut.clear();
  }

  get partitioned(): boolean {
    return this.cut.size > 0;
  }

  canReach(from: number, to: number): boolean {
    return !this.cut.has(`${from}>${to}`);
  }

  sendPeer(message: Message): void {
    this.sent.set(message.type, (this.sent.get(message.type) ?? 0) + 1);
    if (!this.canReach(message.from, message.to)) return;
    if (this.random.chance(this.faults.dropRate)) {
      this.dropped++;
      return;
    }
    const copies = this.random.chance(this.faults.duplicateRate) ? 2 : 1;
    if (copies === 2) this.duplicated++;
    const fifo = message.type !== "NOTIFICATION" && !this.random.chance(this.faults.reorderRate);
    for (let i = 0; i < copies; i++) {
      const at = fifo ? this.inOrder(`${message.from}>${message.to}`) : this.queue.now + this.delay();
      this.queue.at(
        at,
        async () => {
          if (this.canReach(message.from, message.to)) await this.deliver(message.to, { kind: "peer", message });
        },
        message.to,
      );
    }
  }

  sendForward(envelope: Extract<Envelope, { kind: "forward" }>): void {
    this.sent.set("FORWARD", (this.sent.get("FORWARD") ?? 0) + 1);
    if (!this.canReach(envelope.from, envelope.to)) return;
    this.queue.at(
      this.inOrder(`${envelope.from}>${envelope.to}`),
      async () => {
        // A partition in between breaks the connection, and what was on it is lost.
        if (this.canReach(envelope.from, envelope.to)) await this.deliver(envelope.to, envelope);
      },
      envelope.to,
    );
  }

  /** A delivery time no earlier than the last one scheduled on the same connection. */
  private inOrder(pair: string): number {
    const at = Math.max(this.queue.now + this.delay(), this.tail.get(pair) ?? 0);
    this.tail.set(pair, at);
    return at;
  }

  private delay(): number {
    return this.random.between(this.faults.delayMinMs, this.faults.delayMaxMs);
  }
}
