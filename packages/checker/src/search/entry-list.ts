// The history as a doubly linked list of call and return entries over typed arrays. The
// search removes an op's two entries when it linearizes the op ("lift") and puts them back
// when it backtracks ("unlift"); since backtracking is last-in first-out, the removed
// entries remember their neighbours and no allocation is needed.
import type { Operation } from "../history/types.js";

export class EntryList {
  /** Sentinels: HEAD = 0, TAIL = 2n + 1; entries are 1..2n. */
  static readonly HEAD = 0;
  readonly tail: number;
  readonly next: Int32Array;
  readonly prev: Int32Array;
  /** The op (index into the partition's op array) of each entry. */
  readonly opOf: Int32Array;
  /** 1 for a return entry. */
  readonly isReturn: Uint8Array;
  /** For a call entry, its op's return entry. */
  readonly returnOf: Int32Array;

  constructor(ops: readonly Operation[]) {
    const n = ops.length;
    const count = 2 * n;
    this.tail = count + 1;
    this.next = new Int32Array(count + 2);
    this.prev = new Int32Array(count + 2);
    this.opOf = new Int32Array(count + 2).fill(-1);
    this.isReturn = new Uint8Array(count + 2);
    this.returnOf = new Int32Array(count + 2);

    // Order by time; at equal times calls come first, because intervals are closed: an op
    // returning at t and one invoked at t overlap.
    const order = Array.from({ length: count }, (_, i) => i);
    const time = (i: number): number => (i < n ? ops[i]!.call : ops[i - n]!.ret);
    order.sort((a, b) => time(a) - time(b) || (a < n ? 0 : 1) - (b < n ? 0 : 1) || a - b);

    const callEntry = new Int32Array(n);
    order.forEach((item, position) => {
      const entry = position + 1;
      if (item < n) {
        this.opOf[entry] = item;
        callEntry[item] = entry;
      } else {
        this.opOf[entry] = item - n;
        this.isReturn[entry] = 1;
      }
    });
    for (let entry = 1; entry <= count; entry++) {
      if (this.isReturn[entry]) this.returnOf[callEntry[this.opOf[entry]!]!] = entry;
    }
    for (let entry = 0; entry <= count; entry++) {
      this.next[entry] = entry + 1;
      this.prev[entry + 1] = entry;
    }
  }

  /** Removes a call entry and its return entry. */
  lift(call: number): void {
    const { next, prev } = this;
    next[prev[call]!] = next[call]!;
    prev[next[call]!] = prev[call]!;
    const ret = this.returnOf[call]!;
    next[prev[ret]!] = next[ret]!;
    prev[next[ret]!] = prev[ret]!;
  }

  /** Undoes the matching lift; must run in reverse order of lifts. */
  unlift(call: number): void {
    const { next, prev } = this;
    const ret = this.returnOf[call]!;
    next[prev[ret]!] = ret;
    prev[next[ret]!] = ret;
    next[prev[call]!] = call;
    prev[next[call]!] = call;
  }
}
