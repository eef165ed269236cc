/**
 * A first-in first-out queue whose `shift` takes constant time, amortised. `Array.shift`
 * moves every element left, which on a queue of 100,000 entries costs more than the work
 * each entry stands for; here a head index moves instead, and the array is compacted once
 * the consumed slots outnumber the live ones, so each entry is copied at most once more.
 *
 * It lives in jute because jute is the one package both the client and the server import.
 */
export class Fifo<T> implements Iterable<T> {
  private items: (T | undefined)[] = [];
  private head = 0;

  get length(): number {
    return this.items.length - this.head;
  }

  push(item: T): void {
    this.items.push(item);
  }

  /** The oldest entry, left in the queue; undefined when it is empty. */
  peek(): T | undefined {
    return this.head < this.items.length ? this.items[this.head] : undefined;
  }

  /** Takes the oldest entry; undefined when the queue is empty. */
  shift(): T | undefined {
    if (this.head >= this.items.length) return undefined;
    const item = this.items[this.head];
    this.items[this.head] = undefined;
    this.head++;
    if (this.head === this.items.length) this.clear();
    else if (this.head >= COMPACT_AFTER && this.head * 2 >= this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
    return item;
  }

  /** Empties the queue, returning what it held, oldest first. */
  takeAll(): T[] {
    const taken = this.items.slice(this.head) as T[];
    this.clear();
    return taken;
  }

  clear(): void {
    this.items = [];
    this.head = 0;
  }

  *[Symbol.iterator](): Iterator<T> {
    for (let i = this.head; i < this.items.length; i++) yield this.items[i] as T;
  }
}

/** Consumed slots tolerated before compacting: small queues never copy. */
const COMPACT_AFTER = 1024;
