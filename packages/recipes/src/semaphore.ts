import { ZkError, type ZkClient } from "@zkts/client";
import type { AcquireOptions } from "./contender.js";
import { bySequence, createTagged, deadlineSignal, newId, nextChildrenChange, retrying } from "./internal.js";

/**
 * A counting semaphore with `permits` leases: each holder is one of the first `permits`
 * ephemeral sequential nodes under `path`. Waiters watch the children list, because any
 * earlier release can admit them; this is the one recipe here with a (bounded) herd effect.
 */
export class Semaphore {
  private node: string | undefined;
  private readonly id = newId();

  constructor(
    private readonly client: ZkClient,
    readonly path: string,
    readonly permits: number,
  ) {
    if (!Number.isInteger(permits) || permits < 1) throw new Error("permits must be a positive integer");
  }

  get isAcquired(): boolean {
    return this.node !== undefined && this.holding;
  }

  private holding = false;

  async acquire(options: AcquireOptions = {}): Promise<boolean> {
    const signal = deadlineSignal(options.timeoutMs, options.signal);
    this.node = await createTagged(this.client, this.path, `${this.id}__lease__`, this.id, null);
    const node = this.node;
    for (let round = 0; round < 100_000; round++) {
      const { children, changed } = nextChildrenChange(this.client, this.path, signal);
      const sorted = (await retrying(() => children)).filter((c) => c.includes("__lease__")).sort(bySequence);
      // release() during the wait abandons the attempt.
      if (this.node !== node) return false;
      const index = sorted.indexOf(node);
      if (index < 0) throw new ZkError(-112, { path: this.path, detail: "the lease node vanished" });
      if (index < this.permits) {
        this.holding = true;
        return true;
      }
      await changed;
      if (this.node !== node) return false;
      if (signal?.aborted) {
        await this.release();
        return false;
      }
    }
    throw new Error(`semaphore ${this.path}: too many wake-ups`);
  }

  async release(): Promise<void> {
    const node = this.node;
    this.node = undefined;
    this.holding = false;
    if (node === undefined) return;
    try {
      await retrying(() => this.client.delete(`${this.path}/${node}`));
    } catch (err) {
      if (!ZkError.is(err, "NONODE") && !ZkError.is(err, "SESSIONEXPIRED")) throw err;
    }
  }
}
