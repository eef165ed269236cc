import { ZkError, type ConnectionStateEvent, type ZkClient } from "@zkts/client";
import { bySequence, createTagged, deadlineSignal, newId, retrying, waitUntilGone } from "./internal.js";

export const LATCH_KIND = "__latch__";

export interface LeaderLatchOptions {
  /** Stored in the participant's node, so others can see who leads. */
  identifier?: string;
  /** Leadership won (again). */
  isLeader?: () => void;
  /** Leadership given up: suspended connection, lost session, deleted node, or close(). */
  notLeader?: (reason: string) => void;
}

/**
 * Leader latch, as Curator's LeaderLatch: every participant keeps an ephemeral sequential
 * node under `path` and the first one leads, for as long as it stays. Unlike LeaderElection
 * (a lock held until released) the latch reacts to the connection: leadership ends at once
 * when the connection is suspended, because the session may be expiring and another
 * participant may be about to lead; it comes back on reconnection if this participant's node
 * is still first. A lost session ends participation; start a new latch on a new client.
 */
export class LeaderLatch {
  private node: string | undefined;
  private leading = false;
  private running = false;
  private term: AbortController | null = null;
  /** Ends the current wait for a predecessor: on close, suspension or loss. */
  private wakeUp: AbortController | null = null;
  private readonly id = newId();
  private readonly waiters = new Set<() => void>();
  private readonly onState = (event: ConnectionStateEvent) => this.connectionChanged(event);
  private loop: Promise<void> = Promise.resolve();

  constructor(
    private readonly client: ZkClient,
    readonly path: string,
    private readonly options: LeaderLatchOptions = {},
  ) {}

  get hasLeadership(): boolean {
    return this.leading;
  }

  /** Aborted when the current term of leadership ends; already aborted while not leading. */
  get signal(): AbortSignal {
    return this.leading && this.term !== null ? this.term.signal : AbortSignal.abort(new Error("not leading"));
  }

  /** The participant's node name, once created. */
  get nodeName(): string | undefined {
    return this.node;
  }

  /** Joins the participants; returns once this participant's node exists. */
  async start(): Promise<void> {
    if (this.running) throw new Error(`leader latch ${this.path} already started`);
    this.running = true;
    this.client.on("state", this.onState);
    this.node = await createTagged(this.client, this.path, `${this.id}${LATCH_KIND}`, this.id, this.options.identifier ?? "");
    this.loop = this.contend();
  }

  /** Resolves true once leading, or false at the timeout, abort or close. */
  async awaitLeadership(options: { timeoutMs?: number; signal?: AbortSignal } = {}): Promise<boolean> {
    if (this.leading) return true;
    const signal = deadlineSignal(options.timeoutMs, options.signal);
    return new Promise<boolean>((resolve) => {
      const done = (value: boolean) => {
        this.waiters.delete(onLeader);
        signal?.removeEventListener("abort", onAbort);
        resolve(value);
      };
      const onLeader = () => done(this.leading);
      const onAbort = () => done(false);
      this.waiters.add(onLeader);
      signal?.addEventListener("abort", onAbort, { once: true });
    });
  }

  /** Leaves: leadership (if held) ends and the node is deleted. */
  async close(): Promise<void> {
    if (!this.running) return;
    this.running = false;
    this.client.off("state", this.onState);
    this.wakeUp?.abort();
    this.setLeader(false, "closed");
    for (const waiter of [...this.waiters]) waiter();
    await this.loop.catch(() => {});
    const node = this.node;
    this.node = undefined;
    if (node === undefined) return;
    try {
      await retrying(() => this.client.delete(`${this.path}/${node}`));
    } catch (err) {
      if (!ZkError.is(err, "NONODE") && !ZkError.is(err, "SESSIONEXPIRED")) throw err;
    }
  }

  /** The ids' identifiers in latch order (the first one leads). */
  static async participants(client: ZkClient, path: string): Promise<string[]> {
    const children = (await client.getChildren(path)).filter((c) => c.includes(LATCH_KIND)).sort(bySequence);
    const out: string[] = [];
    for (const child of children) {
      try {
        out.push((await client.getData(`${path}/${child}`)).data.toString());
      } catch {
        // The participant left between the listing and the read.
      }
    }
    return out;
  }

  /**
   * Checks the order, leads if first, else waits for the nearest predecessor to go. Wakes
   * also on suspension (leadership is dropped by connectionChanged) and re-checks after a
   * reconnection. Bounded by a round limit as every loop here.
   */
  private async contend(): Promise<void> {
    for (let round = 0; round < 1_000_000 && this.running; round++) {
      if (this.client.connectionState === "suspended") {
        await this.untilStateChange();
        continue;
      }
      let predecessor: string | undefined;
      try {
        predecessor = await this.predecessor();
      } catch (err) {
        if (ZkError.is(err, "SESSIONEXPIRED") || !this.running) return;
        if (ZkError.is(err, "CONNECTIONLOSS")) continue;
        throw err;
      }
      if (!this.running) return;
      if (predecessor === undefined) {
        this.setLeader(true, "");
        await this.untilStateChange();
        continue;
      }
      this.setLeader(false, "another participant is first");
      this.wakeUp = new AbortController();
      try {
        await waitUntilGone(this.client, `${this.path}/${predecessor}`, this.wakeUp.signal);
      } catch {
        // Woken by a state change or close; the loop looks again.
      }
    }
  }

  /** Resolves on the next connection state change or close. */
  private untilStateChange(): Promise<void> {
    this.wakeUp = new AbortController();
    const signal = this.wakeUp.signal;
    return new Promise((resolve) => signal.addEventListener("abort", () => resolve(), { once: true }));
  }

  private async predecessor(): Promise<string | undefined> {
    const node = this.node;
    if (node === undefined) throw new ZkError(-112, { path: this.path, detail: "the latch node is gone" });
    const children = (await this.client.getChildren(this.path)).filter((c) => c.includes(LATCH_KIND)).sort(bySequence);
    const index = children.indexOf(node);
    if (index < 0) throw new ZkError(-112, { path: `${this.path}/${node}`, detail: "the latch node was deleted; the session probably expired" });
    return index === 0 ? undefined : children[index - 1];
  }

  private connectionChanged(event: ConnectionStateEvent): void {
    switch (event.state) {
      case "suspended":
        this.setLeader(false, "the connection was suspended");
        break;
      case "lost":
        this.running = false;
        this.client.off("state", this.onState);
        this.setLeader(false, "the session expired");
        for (const waiter of [...this.waiters]) waiter();
        break;
      case "connected":
      case "reconnected":
        break;
    }
    this.wakeUp?.abort();
  }

  private setLeader(leading: boolean, reason: string): void {
    if (this.leading === leading) return;
    this.leading = leading;
    if (leading) {
      this.term = new AbortController();
      this.options.isLeader?.();
      for (const waiter of [...this.waiters]) waiter();
    } else {
      this.term?.abort(new Error(`leadership of ${this.path} ended: ${reason}`));
      this.term = null;
      this.options.notLeader?.(reason);
    }
  }
}
