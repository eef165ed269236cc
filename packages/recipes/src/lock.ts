import type { ZkClient } from "@zkts/client";
import { Contender, type AcquireOptions, type LockOptions } from "./contender.js";

export const LOCK_KIND = "__lock__";
export const READ_LOCK_KIND = "__rlock__";

/** An exclusive lock, node-compatible with kazoo's Lock. */
export class Lock extends Contender {
  constructor(client: ZkClient, path: string, options?: LockOptions) {
    super(client, path, LOCK_KIND, [LOCK_KIND, READ_LOCK_KIND], options);
  }

  /** Runs `fn` while holding the lock. */
  async withLock<T>(fn: () => Promise<T>, options?: AcquireOptions): Promise<T> {
    if (!(await this.acquire(options))) throw new Error(`timed out waiting for lock ${this.path}`);
    try {
      return await fn();
    } finally {
      await this.release();
    }
  }
}

/**
 * A shared/exclusive lock pair on one path: readers wait only for earlier writers, writers
 * for anyone earlier. Node-compatible with kazoo's ReadLock/WriteLock.
 */
export class ReadWriteLock {
  constructor(
    private readonly client: ZkClient,
    readonly path: string,
  ) {}

  readLock(options?: LockOptions): Contender {
    return new Contender(this.client, this.path, READ_LOCK_KIND, [LOCK_KIND], options);
  }

  writeLock(options?: LockOptions): Contender {
    return new Contender(this.client, this.path, LOCK_KIND, [LOCK_KIND, READ_LOCK_KIND], options);
  }
}
