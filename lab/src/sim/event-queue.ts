/** One thing the simulation does at a simulated time. */
interface Scheduled {
  readonly at: number;
  readonly seq: number;
  readonly run: () => void | Promise<void>;
  /** The member a delivery is for (takeDueFor); absent for every other event. */
  readonly target?: number;
}

/**
 * The simulated clock: a min-heap of events by time, ties broken by the order they were
 * scheduled, so a run is a pure function of its seed.
 */
export class EventQueue {
  now = 0;
  private seq = 0;
  private readonly heap: Scheduled[] = [];

  get size(): number {
    return this.heap.length;
  }

  at(time: number, run: () => void | Promise<void>, target?: number): void {
    this.push({ at: Math.max(time, this.now), seq: this.seq++, run, ...(target === undefined ? {} : { target }) });
  }

  private push(item: Scheduled): void {
    const heap = this.heap;
    heap.push(item);
    let i = heap.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!before(item, heap[parent] as Scheduled)) break;
      heap[i] = heap[parent] as Scheduled;
      i = parent;
    }
    heap[i] = item;
  }

  after(delayMs: number, run: () => void | Promise<void>): void {
    this.at(this.now + delayMs, run);
  }

  /**
   * Takes out the deliveries for `target` due by `until`, in the order they would have run,
   * for the caller to run now (they arrive early: a network is allowed to be fast).
   */
  takeDueFor(target: number, until: number): (() => void | Promise<void>)[] {
    const taken = this.heap.filter((e) => e.target === target && e.at <= until).sort((a, b) => (before(a, b) ? -1 : 1));
    if (taken.length === 0) return [];
    const kept = this.heap.filter((e) => e.target !== target || e.at > until);
    this.heap.length = 0;
    // The others keep their times and their order of scheduling.
    for (const e of kept) this.push(e);
    return taken.map((e) => e.run);
  }

  /** Runs the next event (advancing the clock to it); false when none is due by `until`. */
  async runNext(until: number): Promise<boolean> {
    const top = this.heap[0];
    if (top === undefined || top.at > until) return false;
    const last = this.heap.pop() as Scheduled;
    if (this.heap.length > 0) this.siftDown(last);
    this.now = top.at;
    await top.run();
    return true;
  }

  private siftDown(item: Scheduled): void {
    const heap = this.heap;
    let i = 0;
    for (;;) {
      const left = 2 * i + 1;
      if (left >= heap.length) break;
      const right = left + 1;
      const child = right < heap.length && before(heap[right] as Scheduled, heap[left] as Scheduled) ? right : left;
      if (!before(heap[child] as Scheduled, item)) break;
      heap[i] = heap[child] as Scheduled;
      i = child;
    }
    heap[i] = item;
  }
}

function before(a: Scheduled, b: Scheduled): boolean {
  return a.at < b.at || (a.at === b.at && a.seq < b.seq);
}
