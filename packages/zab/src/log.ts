import { assert, fail } from "./assert.js";
import type { Entry } from "./messages.js";
import type { Zxid } from "./zxid.js";

/**
 * The tail of the transaction log that the core keeps in memory: every entry after
 * `base`, in strictly increasing zxid order. `base` is the zxid the state before the
 * first entry corresponds to (a snapshot, or entries dropped to bound memory); the
 * leader can send a DIFF only from `base` or from a zxid it holds.
 */
export class MemLog {
  /** The entries from index `head` on; those before it were dropped and are cut off in one go later. */
  private entries: Entry[];
  private head = 0;

  constructor(
    private baseZxid: Zxid,
    entries: readonly Entry[],
  ) {
    assert(baseZxid >= 0n, "base zxid is not negative");
    this.entries = [];
    for (const e of entries) this.append(e);
  }

  get base(): Zxid {
    return this.baseZxid;
  }

  get length(): number {
    return this.entries.length - this.head;
  }

  lastZxid(): Zxid {
    return this.entries.length > this.head ? (this.entries[this.entries.length - 1] as Entry).zxid : this.baseZxid;
  }

  append(entry: Entry): void {
    if (entry.zxid <= this.lastZxid()) fail(`log append out of order: ${entry.zxid} after ${this.lastZxid()}`);
    this.entries.push(entry);
  }

  /** Index of the first entry with zxid > z. */
  private upperBound(z: Zxid): number {
    let lo = this.head;
    let hi = this.entries.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((this.entries[mid] as Entry).zxid <= z) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  has(z: Zxid): boolean {
    if (z === this.baseZxid) return true;
    const i = this.upperBound(z) - 1;
    return i >= this.head && (this.entries[i] as Entry).zxid === z;
  }

  /** The largest zxid in the log (or the base) that is <= z; null when z is below the base. */
  floor(z: Zxid): Zxid | null {
    if (z < this.baseZxid) return null;
    const i = this.upperBound(z) - 1;
    return i >= this.head ? (this.entries[i] as Entry).zxid : this.baseZxid;
  }

  /** The zxid of the first entry after z, or null when the log ends at or before z. */
  firstAfter(z: Zxid): Zxid | null {
    const i = Math.max(this.upperBound(z), this.head);
    return i < this.entries.length ? (this.entries[i] as Entry).zxid : null;
  }

  /** Entries with after < zxid <= through, in order. */
  slice(after: Zxid, through: Zxid = this.lastZxid()): Entry[] {
    if (after < this.baseZxid) fail(`slice below the base: ${after} < ${this.baseZxid}`);
    return this.entries.slice(this.upperBound(after), this.upperBound(through));
  }

  /** Drops every entry after z. */
  truncate(z: Zxid): void {
    if (z < this.baseZxid) fail(`truncate below the base: ${z} < ${this.baseZxid}`);
    this.entries.length = this.upperBound(z);
  }

  /** Forgets everything: the state is now a snapshot at z. */
  reset(z: Zxid): void {
    assert(z >= 0n, "snapshot zxid is not negative");
    this.baseZxid = z;
    this.entries = [];
    this.head = 0;
  }

  /**
   * Keeps at most `retain` entries, dropping only entries at or below `through`. Called after
   * every Ready: the dropped entries are only skipped (`head` moves on) until they are as many
   * as those kept, so the array is copied once per `retain` or so entries, not every time.
   */
  compact(retain: number, through: Zxid): void {
    const excess = this.length - retain;
    if (excess <= 0) return;
    const droppable = Math.min(excess, this.upperBound(through) - this.head);
    if (droppable <= 0) return;
    this.head += droppable;
    this.baseZxid = (this.entries[this.head - 1] as Entry).zxid;
    if (this.head >= this.entries.length - this.head) {
      this.entries = this.entries.slice(this.head);
      this.head = 0;
    }
  }
}
