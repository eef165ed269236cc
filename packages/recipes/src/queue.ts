import { ZkError, type ZkClient } from "@zkts/client";
import { bySequence, deadlineSignal, nextChildrenChange, retrying } from "./internal.js";

const ITEM_PREFIX = "item-";

/**
 * A distributed FIFO queue: producers add persistent sequential nodes, consumers take the
 * lowest sequence number. Taking is getData then delete; whoever's delete succeeds owns the
 * item, so each item is consumed at most once even with many consumers.
 */
export class DistributedQueue {
  constructor(
    private readonly client: ZkClient,
    readonly path: string,
  ) {}

  /** Appends an item; returns its node name. */
  async put(data: Buffer | string): Promise<string> {
    for (let attempt = 0; attempt < 3; attempt++) {
      try {
        const created = await this.client.create(`${this.path}/${ITEM_PREFIX}`, data, { mode: "PERSISTENT_SEQUENTIAL" });
        return created.path.slice(this.path.length + 1);
      } catch (err) {
        if (!ZkError.is(err, "NONODE")) throw err;
        await this.client.mkdirp(this.path);
      }
    }
    throw new ZkError(-101, { path: this.path, detail: "could not create the queue node" });
  }

  /** Removes and returns the head item, or undefined when the queue is empty. */
  async poll(): Promise<Buffer | undefined> {
    for (let round = 0; round < 10_000; round++) {
      const items = await this.items();
      if (items.length === 0) return undefined;
      const taken = await this.tryTake(items);
      if (taken !== undefined) return taken;
    }
    throw new Error(`queue ${this.path}: too much contention`);
  }

  /** Waits for and removes the head item; resolves undefined on timeout. */
  async take(options: { timeoutMs?: number; signal?: AbortSignal } = {}): Promise<Buffer | undefined> {
    const signal = deadlineSignal(options.timeoutMs, options.signal);
    await this.client.mkdirp(this.path);
    for (let round = 0; round < 100_000; round++) {
      const { children, changed } = nextChildrenChange(this.client, this.path, signal);
      const items = (await retrying(() => children)).filter((c) => c.startsWith(ITEM_PREFIX)).sort(bySequence);
      if (items.length > 0) {
        const taken = await this.tryTake(items);
        if (taken !== undefined) return taken;
        continue;
      }
      await changed;
      if (signal?.aborted) return undefined;
    }
    throw new Error(`queue ${this.path}: too many wake-ups`);
  }

  async size(): Promise<number> {
    return (await this.items()).length;
  }

  private async items(): Promise<string[]> {
    try {
      return (await this.client.getChildren(this.path)).filter((c) => c.startsWith(ITEM_PREFIX)).sort(bySequence);
    } catch (err) {
      if (ZkError.is(err, "NONODE")) return [];
      throw err;
    }
  }

  private async tryTake(items: string[]): Promise<Buffer | undefined> {
    for (const item of items) {
      const path = `${this.path}/${item}`;
      try {
        const { data, stat } = await this.client.getData(path);
        await this.client.delete(path, stat.version);
        return data;
      } catch (err) {
        // Another consumer took it first.
        if (ZkError.is(err, "NONODE") || ZkError.is(err, "BADVERSION")) continue;
        throw err;
      }
    }
    return undefined;
  }
}
