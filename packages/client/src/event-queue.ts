import { Fifo } from "@zkts/jute";

/**
 * A bounded queue that turns pushed values into an async iterator. When the consumer falls
 * more than `capacity` values behind, the iterator fails rather than buffering without limit.
 */
export class EventQueue<T> implements AsyncIterableIterator<T> {
  private readonly buffered = new Fifo<T>();
  private waiter: { resolve: (r: IteratorResult<T>) => void; reject: (e: unknown) => void } | undefined;
  private ended = false;
  private failure: unknown;

  constructor(
    private readonly capacity: number,
    private readonly onReturn: () => void = () => {},
  ) {}

  push(value: T): void {
    if (this.ended || this.failure !== undefined) return;
    if (this.waiter !== undefined) {
      const w = this.waiter;
      this.waiter = undefined;
      w.resolve({ value, done: false });
      return;
    }
    if (this.buffered.length >= this.capacity) {
      this.fail(new Error(`event queue overflow: the consumer is more than ${this.capacity} events behind`));
      return;
    }
    this.buffered.push(value);
  }

  /** Ends the iteration after the buffered values. */
  end(): void {
    if (this.ended) return;
    this.ended = true;
    this.settleWaiter();
  }

  /** Fails the iteration after the buffered values. */
  fail(error: unknown): void {
    if (this.ended || this.failure !== undefined) return;
    this.failure = error;
    this.settleWaiter();
  }

  next(): Promise<IteratorResult<T>> {
    if (this.buffered.length > 0) return Promise.resolve({ value: this.buffered.shift()!, done: false });
    if (this.failure !== undefined) return Promise.reject(this.failure);
    if (this.ended) return Promise.resolve({ value: undefined, done: true });
    return new Promise((resolve, reject) => {
      this.waiter = { resolve, reject };
    });
  }

  return(): Promise<IteratorResult<T>> {
    if (!this.ended) {
      this.end();
      this.onReturn();
    }
    this.buffered.clear();
    return Promise.resolve({ value: undefined, done: true });
  }

  [Symbol.asyncIterator](): AsyncIterableIterator<T> {
    return this;
  }

  private settleWaiter(): void {
    const w = this.waiter;
    if (w === undefined) return;
    this.waiter = undefined;
    if (this.failure !== undefined) w.reject(this.failure);
    else w.resolve({ value: undefined, done: true });
  }
}
