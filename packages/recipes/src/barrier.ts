import { ZkError, type ZkClient } from "@zkts/client";
import { deadlineSignal, nextChildrenChange, retrying, waitUntilGone } from "./internal.js";

/** A barrier that is up while its node exists: waiters block until someone removes it. */
export class Barrier {
  constructor(
    private readonly client: ZkClient,
    readonly path: string,
  ) {}

  async create(): Promise<void> {
    await this.client.mkdirp(this.path);
  }

  async remove(): Promise<void> {
    try {
      await retrying(() => this.client.delete(this.path));
    } catch (err) {
      if (!ZkError.is(err, "NONODE")) throw err;
    }
  }

  /** Resolves true once the barrier is down, false on timeout. */
  async wait(options: { timeoutMs?: number; signal?: AbortSignal } = {}): Promise<boolean> {
    const signal = deadlineSignal(options.timeoutMs, options.signal);
    for (let round = 0; round < 100_000; round++) {
      if ((await retrying(() => this.client.exists(this.path))) === null) return true;
      try {
        await waitUntilGone(this.client, this.path, signal);
      } catch (err) {
        if (signal?.aborted) return false;
        throw err;
      }
    }
    return false;
  }
}

/**
 * The double barrier of the ZooKeeper recipes: `enter()` returns once `size` participants
 * have entered, `leave()` once all of them have left. Participants are ephemeral children;
 * a `ready` node releases the entry so late watchers cannot miss the moment.
 */
export class DoubleBarrier {
  private readonly readyPath: string;
  private readonly myPath: string;

  constructor(
    private readonly client: ZkClient,
    readonly path: string,
    readonly size: number,
    readonly participant: string,
  ) {
    this.readyPath = `${path}/ready`;
    this.myPath = `${path}/${participant}`;
  }

  async enter(options: { timeoutMs?: number; signal?: AbortSignal } = {}): Promise<boolean> {
    const signal = deadlineSignal(options.timeoutMs, options.signal);
    await this.client.mkdirp(this.path);
    let readySeen = false;
    const readyWatch = new Promise<void>((resolve) => {
      this.client
        .exists(this.readyPath, () => resolve())
        .then(
          (stat) => {
            if (stat !== null) {
              readySeen = true;
              resolve();
            }
          },
          () => resolve(),
        );
    });
    try {
      await this.client.create(this.myPath, null, { mode: "EPHEMERAL" });
    } catch (err) {
      if (!ZkError.is(err, "NODEEXISTS")) throw err;
    }
    const participants = (await this.client.getChildren(this.path)).filter((c) => c !== "ready");
    if (participants.length >= this.size && !readySeen) {
      try {
        await this.client.create(this.readyPath);
      } catch (err) {
        if (!ZkError.is(err, "NODEEXISTS")) throw err;
      }
    }
    const aborted = new Promise<"aborted">((resolve) => {
      if (signal === undefined) return;
      if (signal.aborted) resolve("aborted");
      signal.addEventListener("abort", () => resolve("aborted"), { once: true });
    });
    if ((await Promise.race([readyWatch, aborted])) === "aborted") {
      await this.client.delete(this.myPath).catch(() => {});
      return false;
    }
    return true;
  }

  async leave(options: { timeoutMs?: number; signal?: AbortSignal } = {}): Promise<boolean> {
    const signal = deadlineSignal(options.timeoutMs, options.signal);
    try {
      await this.client.delete(this.myPath);
    } catch (err) {
      if (!ZkError.is(err, "NONODE")) throw err;
    }
    for (let round = 0; round < 100_000; round++) {
      const { children, changed } = nextChildrenChange(this.client, this.path, signal);
      const left = (await children).filter((c) => c !== "ready");
      if (left.length === 0) {
        // The last one out takes the ready flag down so the barrier can be reused.
        await this.client.delete(this.readyPath).catch(() => {});
        return true;
      }
      await changed;
      if (signal?.aborted) return false;
    }
    return false;
  }
}
