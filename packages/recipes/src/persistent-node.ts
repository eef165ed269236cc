import { randomUUID } from "node:crypto";
import { ZkError, type ConnectionStateEvent, type WatchEvent, type ZkClient } from "@zkts/client";
import { isRetryable, retrying, sleep } from "./internal.js";
import { RenewingClient } from "./renewing-client.js";

export type PersistentNodeMode = "EPHEMERAL" | "EPHEMERAL_SEQUENTIAL" | "PERSISTENT" | "PERSISTENT_SEQUENTIAL" | "CONTAINER" | "PERSISTENT_WITH_TTL";

export interface PersistentNodeOptions {
  /** Default EPHEMERAL. */
  mode?: PersistentNodeMode;
  /**
   * Curator's protected mode: the node's name gets the prefix `_c_<uuid>-`, so after a create
   * whose reply was lost the node is found by its uuid instead of being created twice (which,
   * for a sequential node, would leave an orphan behind).
   */
  protected?: boolean;
  /** For PERSISTENT_WITH_TTL (the server must run with extendedTypesEnabled): the node's TTL. */
  ttlMs?: number;
  /**
   * For PERSISTENT_WITH_TTL: rewrite the data this often, so the node outlives any number of
   * lost sessions while this process runs and is removed about `ttlMs` after it stops.
   * Default ttlMs / 2.
   */
  touchIntervalMs?: number;
  /** Called with the node's path each time this recipe (re-)creates it. */
  onCreated?: (path: string) => void;
  /** Called when an error other than a connection or session loss stops one attempt. */
  onError?: (err: unknown) => void;
}

/** The prefix Curator's protected mode puts before a node name. */
export const PROTECTED_PREFIX = "_c_";

/**
 * A node that stays, as Curator's PersistentNode: created at start(), re-created whenever it
 * is deleted (by anyone) and, given a RenewingClient, on the new session after a lost one (an
 * ephemeral node dies with its session; this brings it back). Every (re-)creation writes the
 * current data; setData() changes it. A sequential node gets a new name at each re-creation
 * (`actualPath`). close() deletes the node and stops.
 *
 * When a fixed-name ephemeral node already exists and belongs to another session, the recipe
 * does not take it over: it waits for it to go and then creates its own.
 */
export class PersistentNode {
  private nodePath: string | undefined;
  private created = false;
  private started = false;
  private closed = false;
  private dataPending = true;
  private running: Promise<void> | null = null;
  private again = false;
  /** After a create whose outcome is unknown, look for the protected node before creating again. */
  private createOutcomeUnknown = false;
  private touchTimer: NodeJS.Timeout | undefined;
  private readonly uuid = randomUUID();
  private readonly mode: PersistentNodeMode;
  private readonly createdWaiters = new Set<() => void>();
  private readonly unsubscribes: (() => void)[] = [];
  private stateClient: ZkClient | undefined;
  private readonly onState = (event: ConnectionStateEvent) => {
    if (event.state === "reconnected") this.schedule();
  };
  /** The last error that stopped an attempt, for inspection. */
  lastError: unknown = undefined;

  constructor(
    private readonly source: ZkClient | RenewingClient,
    readonly path: string,
    private currentData: Buffer | string,
    private readonly options: PersistentNodeOptions = {},
  ) {
    this.mode = options.mode ?? "EPHEMERAL";
    if (this.mode === "PERSISTENT_WITH_TTL" && options.ttlMs === undefined) throw new Error("PERSISTENT_WITH_TTL needs ttlMs");
    if (!this.sequential) this.nodePath = this.targetPath();
  }

  /** The node's path once created (for sequential modes, with its sequence number). */
  get actualPath(): string | undefined {
    return this.created ? this.nodePath : undefined;
  }

  get data(): Buffer | string {
    return this.currentData;
  }

  /** Starts keeping the node; returns at once (see waitForInitialCreate). */
  start(): void {
    if (this.started || this.closed) return;
    this.started = true;
    if (this.source instanceof RenewingClient) {
      this.unsubscribes.push(this.source.onRenewed(() => this.followClient()));
    }
    this.followClient();
    if (this.mode === "PERSISTENT_WITH_TTL") {
      const intervalMs = this.options.touchIntervalMs ?? Math.max(1, Math.floor(this.options.ttlMs! / 2));
      this.touchTimer = setInterval(() => this.touch(), intervalMs);
    }
  }

  /** Resolves true once the node has been created, false at the timeout. */
  async waitForInitialCreate(options: { timeoutMs?: number } = {}): Promise<boolean> {
    if (this.created) return true;
    return new Promise<boolean>((resolve) => {
      const timer = options.timeoutMs === undefined ? undefined : setTimeout(() => done(false), options.timeoutMs);
      const done = (value: boolean) => {
        this.createdWaiters.delete(onCreated);
        if (timer !== undefined) clearTimeout(timer);
        resolve(value);
      };
      const onCreated = () => done(true);
      this.createdWaiters.add(onCreated);
    });
  }

  /** Changes the node's data now (if it exists) and for every later re-creation. */
  async setData(data: Buffer | string): Promise<void> {
    this.currentData = data;
    this.dataPending = true;
    this.schedule();
    await this.running;
  }

  /** Stops keeping the node and deletes it. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    clearInterval(this.touchTimer);
    this.unsubscribes.forEach((unsubscribe) => unsubscribe());
    this.stateClient?.off("state", this.onState);
    await this.running?.catch(() => {});
    const path = this.nodePath;
    if (!this.created || path === undefined) return;
    this.created = false;
    try {
      await retrying(() => this.client.delete(path));
    } catch (err) {
      if (!ZkError.is(err, "NONODE") && !ZkError.is(err, "SESSIONEXPIRED")) throw err;
    }
  }

  private get client(): ZkClient {
    return this.source instanceof RenewingClient ? this.source.client : this.source;
  }

  private get sequential(): boolean {
    return this.mode === "EPHEMERAL_SEQUENTIAL" || this.mode === "PERSISTENT_SEQUENTIAL";
  }

  private get ephemeral(): boolean {
    return this.mode === "EPHEMERAL" || this.mode === "EPHEMERAL_SEQUENTIAL";
  }

  /** The path to create: the last segment gets the protected prefix when asked for. */
  private targetPath(): string {
    if (!this.options.protected) return this.path;
    const slash = this.path.lastIndexOf("/");
    return `${this.path.slice(0, slash)}/${PROTECTED_PREFIX}${this.uuid}-${this.path.slice(slash + 1)}`;
  }

  /** Listens to the current client's connection and (re-)checks the node on it. */
  private followClient(): void {
    this.stateClient?.off("state", this.onState);
    this.stateClient = this.client;
    this.stateClient.on("state", this.onState);
    this.schedule();
  }

  private touch(): void {
    if (!this.created || this.closed) return;
    this.dataPending = true;
    this.schedule();
  }

  /** Runs ensure() rounds one at a time; a request during a round asks for one more. */
  private schedule(): void {
    if (this.closed) return;
    this.again = true;
    if (this.running !== null) return;
    this.running = this.runRounds().finally(() => (this.running = null));
  }

  private async runRounds(): Promise<void> {
    for (let round = 0; this.again && !this.closed; round++) {
      if (round >= 1000) throw new Error(`persistent node ${this.path}: too many rounds`);
      this.again = false;
      const client = this.client;
      try {
        await this.ensure(client);
      } catch (err) {
        if (ZkError.is(err, "SESSIONEXPIRED") || client.connectionState === "lost") {
          // Nothing to do on this client: a RenewingClient calls back with the next one.
          continue;
        }
        if (isRetryable(err)) {
          this.again = true;
          await sleep(Math.min(50 * (round + 1), 1000));
          continue;
        }
        this.lastError = err;
        this.options.onError?.(err);
      }
    }
  }

  /** One step toward "our node exists with our data, watched"; asks for another when not there yet. */
  private async ensure(client: ZkClient): Promise<void> {
    if (this.nodePath !== undefined) {
      const stat = await client.exists(this.nodePath, (event) => this.nodeEvent(client, event));
      const ours = stat !== null && (!this.ephemeral || stat.ephemeralOwner === client.sessionId);
      if (ours) {
        if (this.dataPending) {
          this.dataPending = false;
          await client.setData(this.nodePath, this.currentData);
        }
        this.markCreated();
        return;
      }
      this.created = false;
      // Another session's node at our fixed name: the watch calls us back once it is gone.
      if (stat !== null && !this.sequential) return;
      if (this.sequential) this.nodePath = undefined;
    }
    const written = this.currentData;
    const { path, fresh } = await this.createNode(client, written);
    this.nodePath = path;
    // A fresh node holds the data it was created with; a fixed-name node found existing, or
    // data changed by setData() while the create was on its way, is written next round.
    if (fresh && this.currentData === written) this.dataPending = false;
    if (fresh) this.options.onCreated?.(path);
    this.again = true;
  }

  private async createNode(client: ZkClient, data: Buffer | string): Promise<{ path: string; fresh: boolean }> {
    const target = this.targetPath();
    const parent = target.slice(0, target.lastIndexOf("/")) || "/";
    if (this.sequential && this.options.protected && this.createOutcomeUnknown) {
      const mine = (await client.getChildren(parent)).find((child) => child.includes(this.uuid));
      this.createOutcomeUnknown = false;
      if (mine !== undefined) return { path: `${parent === "/" ? "" : parent}/${mine}`, fresh: true };
    }
    for (let attempt = 0; attempt < 3; attempt++) {
      try {
        const created = await client.create(target, data, { mode: this.mode, ttlMs: this.options.ttlMs });
        return { path: created.path, fresh: true };
      } catch (err) {
        if (isRetryable(err)) this.createOutcomeUnknown = true;
        // A fixed name that exists: ensure() decides on the next round whether it is ours.
        if (ZkError.is(err, "NODEEXISTS") && !this.sequential) return { path: target, fresh: false };
        if (!ZkError.is(err, "NONODE")) throw err;
        await client.mkdirp(parent);
      }
    }
    throw new ZkError(-101, { path: parent, detail: "the parent keeps vanishing" });
  }

  private nodeEvent(client: ZkClient, event: WatchEvent): void {
    // Events from a replaced client's session are stale; the new one has its own watch.
    if (client !== this.client || event.type === "None") return;
    this.schedule();
  }

  private markCreated(): void {
    this.created = true;
    for (const waiter of [...this.createdWaiters]) waiter();
  }
}
