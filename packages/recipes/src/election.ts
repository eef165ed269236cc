import type { ZkClient } from "@zkts/client";
import { Lock } from "./lock.js";

export interface ElectionOptions {
  /** Stored in the candidate's node so others can see who leads. */
  identifier?: string;
  /** Called when leadership ends without resign(): session expiry or the node deleted. */
  onLost?: (reason: string) => void;
  /** The connection dropped while leading: leadership is uncertain until reconnected (see LockOptions). */
  onSuspended?: () => void;
  onReconnected?: () => void;
  /** End leadership as soon as the connection is suspended, as Curator's LeaderLatch does. */
  abortOnSuspend?: boolean;
}

/**
 * Leader election as in kazoo's Election: candidates queue as lock contenders and the holder
 * leads. Each candidate watches only its predecessor, so a leader's death wakes one backup.
 * Leadership is lost when the session expires or the node is deleted, and the caller is told
 * through `onLost` and the `lost` promise; a leader must stop acting as one at that point.
 */
export class LeaderElection {
  private readonly lock: Lock;
  private lostResolve: ((reason: string) => void) | undefined;
  /** Resolves with the reason once leadership (after being won) is lost. */
  lost: Promise<string> = new Promise(() => {});

  constructor(
    client: ZkClient,
    readonly path: string,
    private readonly options: ElectionOptions = {},
  ) {
    this.lock = new Lock(client, path, {
      identifier: options.identifier,
      onSuspended: options.onSuspended,
      onReconnected: options.onReconnected,
      abortOnSuspend: options.abortOnSuspend,
      onLost: (reason) => {
        this.lostResolve?.(reason);
        this.options.onLost?.(reason);
      },
    });
  }

  /** This candidate's node, usable as a fencing check in a multi while leading. */
  get nodePath(): string | undefined {
    const name = this.lock.nodeName;
    return name === undefined ? undefined : `${this.path}/${name}`;
  }

  get isLeader(): boolean {
    return this.lock.isAcquired;
  }

  /** Aborted when leadership ends without resign(); pass it to the leader's work. */
  get signal(): AbortSignal {
    return this.lock.signal;
  }

  /** Waits until this candidate leads. */
  async elect(options: { timeoutMs?: number; signal?: AbortSignal } = {}): Promise<boolean> {
    this.lost = new Promise((resolve) => (this.lostResolve = resolve));
    return this.lock.acquire(options);
  }

  /** Gives up leadership (or candidacy). */
  async resign(): Promise<void> {
    this.lostResolve = undefined;
    await this.lock.release();
  }

  /** Identifiers of the candidates in election order (the first one leads). */
  static async candidates(client: ZkClient, path: string): Promise<string[]> {
    const children = (await client.getChildren(path)).filter((c) => /__lock__\d{10}$/.test(c));
    children.sort((a, b) => Number(a.slice(-10)) - Number(b.slice(-10)));
    const out: string[] = [];
    for (const child of children) {
      try {
        out.push((await client.getData(`${path}/${child}`)).data.toString());
      } catch {
        // The candidate left between the listing and the read.
      }
    }
    return out;
  }
}
