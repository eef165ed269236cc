import { ZkError, type ConnectionStateEvent, type ZkClient } from "@zkts/client";
import { asyncDispose, bySequence, createTagged, deadlineSignal, newId, retrying, waitUntilGone } from "./internal.js";

export interface AcquireOptions {
  /** Give up after this long; acquire() then resolves false. Default: wait forever. */
  timeoutMs?: number;
  signal?: AbortSignal;
}

export interface LockOptions {
  /** Stored in the lock node, e.g. a host name, so others can see who holds it. */
  identifier?: string;
  /** Called once if the lock is lost while held (its node deleted or the session expired). */
  onLost?: (reason: string) => void;
  /**
   * Called when the client's connection drops while the lock is held (the `suspended`
   * state): the session, and the lock with it, may be expiring on the server right now, and
   * another client may hold the lock before this one hears of it. Stop touching what it
   * protects until `onReconnected`, or treat it as lost with `abortOnSuspend`.
   */
  onSuspended?: () => void;
  /** The same session is back (`reconnected`) while the lock is held: it was held throughout. */
  onReconnected?: () => void;
  /**
   * Abort the held lock's `signal` (and count the lock as lost) as soon as the connection is
   * suspended, as Curator's documentation advises for code that must never overlap. Default
   * false: only a lost session or a deleted node ends the hold.
   */
  abortOnSuspend?: boolean;
}

/** The reason a held lock's `signal` aborts with. */
export class LockLostError extends Error {
  override readonly name = "LockLostError";
  constructor(
    readonly path: string,
    readonly reason: string,
  ) {
    super(`lock ${path} lost: ${reason}`);
  }
}

/**
 * One contender in a queue of ephemeral sequential nodes under `path`. The node is named
 * `<32 hex id><kind><10-digit sequence>`, the layout kazoo's Lock, ReadLock and WriteLock
 * use, so both clients queue on the same nodes. A contender holds the lock when no node of a
 * blocking kind precedes it; otherwise it watches only the nearest such predecessor, so a
 * release wakes exactly one waiter (no herd effect).
 */
export class Contender {
  private node: string | undefined;
  private held = false;
  private suspended = false;
  private holdController: AbortController | null = null;
  private readonly id = newId();
  private readonly onState = (event: ConnectionStateEvent) => this.connectionChanged(event);

  constructor(
    protected readonly client: ZkClient,
    readonly path: string,
    private readonly kind: string,
    private readonly blockingKinds: readonly string[],
    private readonly options: LockOptions = {},
  ) {}

  get isAcquired(): boolean {
    return this.held;
  }

  /**
   * Aborted (with a LockLostError) when the current hold ends without release(): the session
   * was lost, the node deleted, or the connection suspended with `abortOnSuspend`. Pass it to
   * the work the lock protects. Before the first acquire it is already aborted.
   */
  get signal(): AbortSignal {
    return this.holdController?.signal ?? AbortSignal.abort(new LockLostError(this.path, "not held"));
  }

  /** True while the lock is held but the client's connection is suspended. */
  get isSuspended(): boolean {
    return this.held && this.suspended;
  }

  /**
   * acquire() that throws instead of resolving false, and returns this lock, for
   * `await using lock = await new Lock(zk, path).hold()`: released at the end of the block.
   */
  async hold(options: AcquireOptions = {}): Promise<this> {
    if (!(await this.acquire(options))) throw new Error(`timed out waiting for lock ${this.path}`);
    return this;
  }

  async [asyncDispose](): Promise<void> {
    await this.release();
  }

  /** The name of this contender's node once created. */
  get nodeName(): string | undefined {
    return this.node;
  }

  /** Waits for the lock; resolves true when held, false on timeout or abort. */
  async acquire(options: AcquireOptions = {}): Promise<boolean> {
    if (this.held) throw new Error(`lock ${this.path} is already held by this instance`);
    const signal = deadlineSignal(options.timeoutMs, options.signal);
    this.node = await createTagged(this.client, this.path, `${this.id}${this.kind}`, this.id, this.options.identifier ?? "");
    try {
      for (let round = 0; round < 100_000; round++) {
        // release() during the wait abandons the attempt.
        if (this.node === undefined) return false;
        const blocker = await retrying(() => this.blocker());
        if (this.node === undefined) return false;
        if (blocker === undefined) {
          this.held = true;
          this.suspended = false;
          this.holdController = new AbortController();
          this.watchForLoss();
          return true;
        }
        try {
          await waitUntilGone(this.client, `${this.path}/${blocker}`, signal);
        } catch (err) {
          if (signal?.aborted) {
            await this.deleteNode();
            return false;
          }
          throw err;
        }
      }
      throw new Error(`lock ${this.path}: too many wake-ups`);
    } catch (err) {
      if (!this.held) await this.deleteNode().catch(() => {});
      throw err;
    }
  }

  /** Releases the lock (or abandons the wait); deleting an already-gone node is fine. */
  async release(): Promise<void> {
    this.held = false;
    this.client.off("state", this.onState);
    this.holdController?.abort(new LockLostError(this.path, "released"));
    await this.deleteNode();
  }

  /** The node this contender waits for, or undefined when it holds the lock. */
  private async blocker(): Promise<string | undefined> {
    const node = this.node;
    if (node === undefined) return undefined;
    const children = (await this.client.getChildren(this.path)).filter((c) => this.contenderKind(c) !== undefined).sort(bySequence);
    // release() may have abandoned the attempt while the list was on its way.
    if (this.node !== node) return undefined;
    const index = children.indexOf(node);
    if (index < 0) throw new ZkError(-112, { path: `${this.path}/${node}`, detail: "the lock node vanished; the session probably expired" });
    for (let i = index - 1; i >= 0; i--) {
      if (this.blockingKinds.includes(this.contenderKind(children[i]!)!)) return children[i];
    }
    return undefined;
  }

  private contenderKind(name: string): string | undefined {
    const match = /(__\w+?__)\d{10}$/.exec(name);
    return match === null ? undefined : match[1];
  }

  private connectionChanged(event: ConnectionStateEvent): void {
    if (!this.held) return;
    switch (event.state) {
      case "suspended":
        this.suspended = true;
        this.options.onSuspended?.();
        if (this.options.abortOnSuspend) this.markLost("the connection was suspended");
        return;
      case "reconnected":
        this.suspended = false;
        this.options.onReconnected?.();
        return;
      case "lost":
        this.markLost("the session expired");
        return;
      case "connected":
        return;
    }
  }

  private watchForLoss(): void {
    this.client.on("state", this.onState);
    const path = `${this.path}/${this.node}`;
    const check = () => {
      if (!this.held) return;
      this.client
        .exists(path, (event) => (event.type === "NodeDeleted" ? this.markLost("the lock node was deleted") : check()))
        .then(
          (stat) => {
            if (stat === null) this.markLost("the lock node was deleted");
          },
          () => {},
        );
    };
    check();
  }

  private markLost(reason: string): void {
    if (!this.held) return;
    this.held = false;
    this.client.off("state", this.onState);
    this.holdController?.abort(new LockLostError(this.path, reason));
    this.options.onLost?.(reason);
  }

  private async deleteNode(): Promise<void> {
    const node = this.node;
    if (node === undefined) return;
    this.node = undefined;
    try {
      await retrying(() => this.client.delete(`${this.path}/${node}`));
    } catch (err) {
      if (!ZkError.is(err, "NONODE") && !ZkError.is(err, "SESSIONEXPIRED")) throw err;
    }
  }
}
