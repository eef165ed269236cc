import { hostname } from "node:os";
import type { ConnectionStateEvent, ZkClient } from "@zkts/client";
import { Lock } from "./lock.js";
import { ShallowParty } from "./shallow-party.js";
import { isRetryable, nextChildrenChange, RETRIES_MAX, sleep } from "./internal.js";

/**
 * kazoo's PartitionState, in lower case:
 * - `allocating`: the set is being divided; wait (waitForAcquire) until it is acquired;
 * - `acquired`: this member holds the locks of its items (`partitions`);
 * - `release`: the members changed or the connection wavered: call releaseSet() soon, which
 *   frees this member's items and allocates again;
 * - `failure`: the session was lost or finish() was called; make a new partitioner.
 */
export type PartitionState = "allocating" | "acquired" | "release" | "failure";

export type PartitionItem = string | number;

/** Which items `identifier` takes, given every member's identifier. Must agree across members. */
export type PartitionFunction<T extends PartitionItem> = (identifier: string, members: readonly string[], items: readonly T[]) => T[];

export interface SetPartitionerOptions<T extends PartitionItem> {
  /** Default: kazoo's (sort items and members, take every n-th item from this member's rank). */
  partitionFunction?: PartitionFunction<T>;
  /** This member's name in the party (a valid node name). Default `<host name>-<pid>`, as kazoo. */
  identifier?: string;
  /** How long the party must stay unchanged before items are divided. Default 30 s, as kazoo. */
  timeBoundaryMs?: number;
  /** How long one attempt on an item's lock waits before checking whether the party changed. Default 1 s. */
  maxReactionTimeMs?: number;
  /** Called on every state change. */
  onStateChange?: (state: PartitionState) => void;
}

/**
 * Divides a set of items among the members of a party so that each item belongs to one member,
 * and divides again when members come or go. Node-compatible with kazoo's SetPartitioner, so
 * kazoo and zkts members partition one set together: members are a ShallowParty at
 * `path/party`; each item taken is a kazoo-style lock at `path/locks/<item>`; the division
 * waits until the party has been stable for `timeBoundaryMs`; and the default partition
 * function is kazoo's, so every member computes the same split.
 *
 * The item locks, not the computed split, are what keep two members from owning one item: a
 * member whose split says an item is its own still waits until the previous owner released it.
 */
export class SetPartitioner<T extends PartitionItem = string> {
  private current: PartitionState = "allocating";
  /** Tells two visits to the same state apart, as kazoo's state_id does. */
  private stateId = 0;
  private allocationRound = 0;
  private partitionSet: T[] = [];
  private locks: Lock[] = [];
  private readonly party: ShallowParty;
  private readonly identifier: string;
  private readonly stopped = new AbortController();
  private readonly waiters = new Set<() => void>();
  private readonly onState = (event: ConnectionStateEvent) => this.connectionChanged(event);
  private allocation: Promise<void> = Promise.resolve();
  /** Why the partitioner failed, when an error (not finish() or a lost session) made it fail. */
  lastError: unknown = undefined;

  constructor(
    private readonly client: ZkClient,
    readonly path: string,
    readonly items: readonly T[],
    private readonly options: SetPartitionerOptions<T> = {},
  ) {
    this.identifier = options.identifier ?? `${hostname()}-${process.pid}`;
    this.party = new ShallowParty(client, this.partyPath, this.identifier);
  }

  get state(): PartitionState {
    return this.current;
  }

  get partyPath(): string {
    return `${this.path}/party`;
  }

  get lockPath(): string {
    return `${this.path}/locks`;
  }

  /** This member's items; meaningful in the `acquired` state (kazoo's iteration). */
  get partitions(): T[] {
    return [...this.partitionSet];
  }

  /** Joins the party and starts the first allocation. */
  async start(): Promise<void> {
    await this.client.mkdirp(this.lockPath);
    await this.client.mkdirp(this.partyPath);
    await this.party.join();
    this.client.on("state", this.onState);
    this.beginAllocation();
  }

  /** Resolves true once acquired, false at the timeout or on failure. */
  async waitForAcquire(options: { timeoutMs?: number } = {}): Promise<boolean> {
    const settled = (state: PartitionState) => state === "acquired" || state === "failure";
    if (!settled(this.current)) await this.nextChange(settled, options.timeoutMs);
    return this.current === "acquired";
  }

  /**
   * The state now and after each change, for a loop in the style of kazoo's documentation:
   * release on `release`, work on `acquired`, stop on `failure`. Changes that happen while the
   * consumer is busy coalesce into the latest state.
   */
  async *states(signal?: AbortSignal): AsyncGenerator<PartitionState> {
    for (let round = 0; round < 1_000_000 && !signal?.aborted; round++) {
      const seen = this.stateId;
      yield this.current;
      if (this.current === "failure") return;
      if (seen === this.stateId) await this.nextChange(() => true, undefined, signal);
    }
  }

  /** Frees this member's items and allocates again (kazoo's release_set). */
  async releaseSet(): Promise<void> {
    await this.releaseLocks();
    if (this.locks.length > 0) return this.failOut();
    if (this.current === "failure") return;
    this.setState("allocating");
    this.beginAllocation();
  }

  /** Frees the items and leaves the party; the partitioner ends in `failure`, as kazoo's finish(). */
  async finish(): Promise<void> {
    await this.releaseLocks();
    await this.failOut();
    await this.allocation.catch(() => {});
  }

  private beginAllocation(): void {
    const round = ++this.allocationRound;
    this.allocation = this.allocate(round).catch(async (err: unknown) => {
      // After a lost session every request fails; that failure is the session's, not an error.
      if (this.current !== "failure") this.lastError = err;
      await this.releaseLocks().catch(() => {});
      await this.failOut();
    });
  }

  /** One allocation: wait for a stable party, compute the split, take each item's lock. */
  private async allocate(round: number): Promise<void> {
    const stable = await this.stableParty();
    if (stable === undefined || this.current !== "allocating") return;
    const stateId = this.stateId;
    let partyChanged = false;
    void stable.nextChange.then(() => {
      partyChanged = true;
      if (round === this.allocationRound && this.current === "acquired") this.setState("release");
    });

    // True when this round must stop: the party changed (allocate again) or the state moved on.
    const abortIfNeeded = async (): Promise<boolean> => {
      if (this.stateId === stateId) {
        if (!partyChanged) return false;
        await this.releaseLocks();
        if (this.locks.length > 0) await this.failOut();
        else this.beginAllocation();
        return true;
      }
      // A suspension (or the user's new allocation after one) happened meanwhile: the locks
      // taken in this round may overlap with another round's, so everything is released first.
      if (this.current === "allocating" || this.current === "acquired") this.setState("release");
      return true;
    };

    const members = await ShallowParty.membersOf(this.client, this.partyPath);
    const partition = (this.options.partitionFunction ?? kazooPartition)(this.identifier, members, this.items);
    for (const item of partition) {
      const lock = new Lock(this.client, `${this.lockPath}/${String(item)}`);
      for (let attempt = 0; ; attempt++) {
        if (attempt >= 1_000_000) throw new Error(`set partitioner ${this.path}: item ${String(item)} never came free`);
        if (await lock.acquire({ timeoutMs: this.options.maxReactionTimeMs ?? 1000 })) break;
        if (await abortIfNeeded()) return;
      }
      this.locks.push(lock);
      if (this.isFailed()) return this.releaseLocks();
      if (await abortIfNeeded()) return;
    }
    if (this.stateId === stateId && !partyChanged) {
      this.partitionSet = partition;
      this.setState("acquired");
      return;
    }
    if (!(await abortIfNeeded())) await this.failOut();
  }

  /**
   * kazoo's PatientChildrenWatch: lists the party until a whole `timeBoundaryMs` passes without
   * a change, then resolves a promise that settles at the next change. Undefined once stopped.
   */
  private async stableParty(): Promise<{ nextChange: Promise<unknown> } | undefined> {
    const boundaryMs = this.options.timeBoundaryMs ?? 30_000;
    for (let round = 0; round < 100_000; round++) {
      const { changed } = await this.listPartyWatched();
      let changedMeanwhile = false;
      void changed.then(() => (changedMeanwhile = true));
      await abortableSleep(boundaryMs, this.stopped.signal);
      if (this.stopped.signal.aborted) return undefined;
      if (!changedMeanwhile) return { nextChange: changed };
    }
    throw new Error(`set partitioner ${this.path}: the party never settled`);
  }

  /** Lists the party with a watch; resolves the promise that settles at the next change. */
  private async listPartyWatched(): Promise<{ changed: Promise<unknown> }> {
    for (let attempt = 1; ; attempt++) {
      const { children, changed } = nextChildrenChange(this.client, this.partyPath);
      try {
        await children;
        return { changed };
      } catch (err) {
        if (!isRetryable(err) || attempt >= RETRIES_MAX) throw err;
        await sleep(Math.min(20 * attempt, 500));
      }
    }
  }

  private async releaseLocks(): Promise<void> {
    for (const lock of [...this.locks]) {
      try {
        await lock.release();
        this.locks.splice(this.locks.indexOf(lock), 1);
      } catch {
        // Kept in the list: releaseSet() sees it and fails, as kazoo does.
      }
    }
  }

  private async failOut(): Promise<void> {
    this.setState("failure");
    this.stopped.abort();
    this.client.off("state", this.onState);
    await this.party.leave().catch(() => {});
  }

  /** kazoo's session listener: a lost session fails; any other change asks for a release. */
  private connectionChanged(event: ConnectionStateEvent): void {
    if (this.current === "failure") return;
    if (event.state === "lost") {
      void this.failOut();
      return;
    }
    if (this.current !== "release") this.setState("release");
  }

  private isFailed(): boolean {
    return this.current === "failure";
  }

  private setState(state: PartitionState): void {
    if (this.current === "failure") return;
    this.current = state;
    this.stateId++;
    this.options.onStateChange?.(state);
    this.waiters.forEach((wake) => wake());
  }

  /** Resolves when `accept(state)` holds after a change, at the timeout, or at the abort. */
  private nextChange(accept: (state: PartitionState) => boolean, timeoutMs?: number, signal?: AbortSignal): Promise<void> {
    return new Promise<void>((resolve) => {
      const done = () => {
        this.waiters.delete(onChange);
        if (timer !== undefined) clearTimeout(timer);
        signal?.removeEventListener("abort", done);
        resolve();
      };
      const onChange = () => {
        if (accept(this.current)) done();
      };
      const timer = timeoutMs === undefined ? undefined : setTimeout(done, timeoutMs);
      signal?.addEventListener("abort", done, { once: true });
      this.waiters.add(onChange);
    });
  }
}

/**
 * kazoo's default split: sort the items and the members (Python's order: numbers by value,
 * text by code point), find this member's rank, and take every n-th item from that rank on.
 */
export function kazooPartition<T extends PartitionItem>(identifier: string, members: readonly string[], items: readonly T[]): T[] {
  const workers = [...members].sort(byCodePoint);
  const rank = workers.indexOf(identifier);
  if (rank < 0) throw new Error(`set partitioner: ${identifier} is not among the members ${workers.join(", ")}`);
  return sortedItems(items).filter((_, index) => index % workers.length === rank);
}

function sortedItems<T extends PartitionItem>(items: readonly T[]): T[] {
  if (items.every((item) => typeof item === "number")) return [...items].sort((a, b) => (a as number) - (b as number));
  if (items.every((item) => typeof item === "string")) return [...items].sort((a, b) => byCodePoint(a as string, b as string));
  throw new Error("set partitioner: items must be all numbers or all strings, so every member sorts them alike");
}

/** Python's str ordering (by code point), which differs from UTF-16 order above U+FFFF. */
export function byCodePoint(a: string, b: string): number {
  const left = [...a];
  const right = [...b];
  for (let i = 0; i < Math.min(left.length, right.length); i++) {
    const diff = left[i]!.codePointAt(0)! - right[i]!.codePointAt(0)!;
    if (diff !== 0) return diff;
  }
  return left.length - right.length;
}

function abortableSleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const timer = setTimeout(finish, ms);
    function finish() {
      clearTimeout(timer);
      signal.removeEventListener("abort", finish);
      resolve();
    }
    signal.addEventListener("abort", finish, { once: true });
  });
}
