import { ZkError, type ZkClient } from "@zkts/client";
import { deadlineSignal, isRetryable, newId, nextChildrenChange, retrying, sleep } from "./internal.js";

const PRIORITY_DEFAULT = 100;

/**
 * A priority queue whose consumers lock an entry while they work on it, node-compatible with
 * kazoo's LockingQueue. Entries are persistent sequential nodes `path/entries/entry-<PPP>-<seq>`
 * (three-digit priority, lower first; the names sort into priority-then-arrival order). get()
 * takes the first entry not yet taken by creating the ephemeral `path/taken/<entry name>`
 * holding this consumer's 32-hex id; consume() deletes entry and lock together, release()
 * only the lock. If the consumer's session ends first, its lock vanishes and the entry goes to
 * the next consumer, so an entry is never lost, though it may be worked on twice.
 */
export class LockingQueue {
  /** The taken entry and its value, until consume() or release(). */
  private processing: { entry: string; value: Buffer } | null = null;
  private readonly id = newId();

  constructor(
    private readonly client: ZkClient,
    readonly path: string,
  ) {}

  get entriesPath(): string {
    return `${this.path}/entries`;
  }

  get takenPath(): string {
    return `${this.path}/taken`;
  }

  /** The name of the entry this consumer holds, if any. */
  get heldEntry(): string | undefined {
    return this.processing?.entry;
  }

  /** Adds an entry; `priority` is 0 (first) to 999, default 100. */
  async put(value: Buffer | string, priority = PRIORITY_DEFAULT): Promise<void> {
    await this.ensurePaths();
    await this.client.create(this.entryPrefix(priority), value, { mode: "PERSISTENT_SEQUENTIAL" });
  }

  /** Adds several entries atomically (one multi), all with one priority. */
  async putAll(values: readonly (Buffer | string)[], priority = PRIORITY_DEFAULT): Promise<void> {
    const prefix = this.entryPrefix(priority);
    await this.ensurePaths();
    const transaction = this.client.transaction();
    for (const value of values) transaction.create(prefix, value, { mode: "PERSISTENT_SEQUENTIAL" });
    await transaction.commit();
  }

  /**
   * Locks and returns the first free entry, waiting for one if none is free; the entry still
   * held (not consumed or released) is returned again. Resolves undefined at the timeout.
   */
  async get(options: { timeoutMs?: number; signal?: AbortSignal } = {}): Promise<Buffer | undefined> {
    if (this.processing !== null) return this.processing.value;
    await this.ensurePaths();
    const signal = deadlineSignal(options.timeoutMs, options.signal);
    for (let round = 0; round < 100_000 && !signal?.aborted; round++) {
      const entries = nextChildrenChange(this.client, this.entriesPath, signal);
      const taken = nextChildrenChange(this.client, this.takenPath, signal);
      let names: string[];
      let takenNames: string[];
      try {
        [names, takenNames] = await Promise.all([entries.children, taken.children]);
      } catch (err) {
        if (!isRetryable(err)) throw err;
        await sleep(100);
        continue;
      }
      const takenSet = new Set(takenNames);
      const available = names.filter((name) => !takenSet.has(name)).sort();
      for (const entry of available) {
        const value = await this.take(entry);
        if (value !== undefined) {
          this.processing = { entry, value };
          return value;
        }
      }
      if (available.length === 0) await Promise.race([entries.changed, taken.changed]);
    }
    return undefined;
  }

  /** Whether this consumer's lock on its entry still stands (read after a sync). */
  async holdsLock(): Promise<boolean> {
    if (this.processing === null) return false;
    const lockPath = `${this.takenPath}/${this.processing.entry}`;
    try {
      await retrying(() => this.client.sync(lockPath));
    } catch (err) {
      // The lock was ephemeral: it ended with the session.
      if (ZkError.is(err, "SESSIONEXPIRED")) return false;
      throw err;
    }
    return this.lockIsOurs(lockPath);
  }

  private async lockIsOurs(lockPath: string): Promise<boolean> {
    try {
      const { data } = await retrying(() => this.client.getData(lockPath));
      return data.toString() === this.id;
    } catch (err) {
      if (ZkError.is(err, "NONODE") || ZkError.is(err, "SESSIONEXPIRED")) return false;
      throw err;
    }
  }

  /** Removes the held entry from the queue; false when no lock is held (any more). */
  async consume(): Promise<boolean> {
    if (this.processing === null || !(await this.holdsLock())) return false;
    const { entry } = this.processing;
    await this.client.transaction().delete(`${this.entriesPath}/${entry}`).delete(`${this.takenPath}/${entry}`).commit();
    this.processing = null;
    return true;
  }

  /** Gives the held entry back to the queue unconsumed; false when no lock is held (any more). */
  async release(): Promise<boolean> {
    if (this.processing === null || !(await this.holdsLock())) return false;
    await this.client.delete(`${this.takenPath}/${this.processing.entry}`);
    this.processing = null;
    return true;
  }

  /** Entries in the queue, taken ones included. */
  async length(): Promise<number> {
    await this.ensurePaths();
    return (await retrying(() => this.client.exists(this.entriesPath)))?.numChildren ?? 0;
  }

  private entryPrefix(priority: number): string {
    if (!Number.isInteger(priority) || priority < 0 || priority > 999) throw new Error("priority must be an integer from 0 to 999");
    return `${this.entriesPath}/entry-${String(priority).padStart(3, "0")}-`;
  }

  /** Locks `entry`; undefined when another consumer holds it or it was consumed meanwhile. */
  private async take(entry: string): Promise<Buffer | undefined> {
    const lockPath = `${this.takenPath}/${entry}`;
    let resent = false;
    try {
      await retrying(async () => {
        try {
          await this.client.create(lockPath, this.id, { mode: "EPHEMERAL" });
        } catch (err) {
          resent ||= isRetryable(err);
          throw err;
        }
      });
    } catch (err) {
      if (!ZkError.is(err, "NODEEXISTS")) throw err;
      // After a lost reply the existing lock may be our own first create.
      if (!resent || !(await this.lockIsOurs(lockPath))) return undefined;
    }
    try {
      return (await retrying(() => this.client.getData(`${this.entriesPath}/${entry}`))).data;
    } catch (err) {
      if (!ZkError.is(err, "NONODE")) throw err;
      await retrying(() => this.client.delete(lockPath)).catch(() => {});
      return undefined;
    }
  }

  private async ensurePaths(): Promise<void> {
    await this.client.mkdirp(this.takenPath);
    await this.client.mkdirp(this.entriesPath);
  }
}
