import type { LoadedSnapshot, SnapshotSource } from "@zkts/storage";
import { type Entry, type Express, type Membership, type Message, type Ready, type SoftState, type ZabPeer, appliesBeforePersist } from "@zkts/zab";
import type { ForwardedRequest } from "./quorum-codec.js";

/** What a Ready loop (PeerDriver's, the simulated member's) asks of the replicated state: the server's tree and sessions. */
export interface ReplicatedState {
  /** Replace everything with a snapshot the leader sent (already on disk). */
  load(snapshot: LoadedSnapshot): Promise<void>;
  /** A snapshot file's bytes for the state as it is now. */
  serialize(): Promise<Buffer>;
  /** The state as it is now, for a SNAP streamed to a learner; walked while it is encoded. */
  snapshotSource(): SnapshotSource;
  /** Apply one committed transaction; called in zxid order. */
  apply(entry: Entry): void;
  /** Role, leader, epoch or serving changed. */
  onSoftState(soft: SoftState): void;
  /** ZooKeeper `sync` requests that completed or never will. */
  onSyncs(done: readonly number[], failed: readonly number[]): void;
  /** The leader received a client request a learner forwarded. */
  onForwardedRequest(from: number, request: ForwardedRequest): void;
  /** The leader: a learner's client reconnected with this session; true while it is open (and then touched). */
  revalidateSession(sessionId: bigint): boolean;
  /** The configuration in force changed (a reconfig committed, a leader stamped it, a NEWLEADER brought it). */
  onMembership(active: Membership): void;
}

export type SnapMessage = Extract<Message, { type: "SNAP" }>;

/** Where one Ready's parts go: a disk, a network, the replicated state. */
export interface ReadyHandlers {
  /** Snapshot, truncation, entries, epochs, durably; returns the installed snapshot, if any. */
  persist(r: Ready): Promise<LoadedSnapshot | null>;
  send(message: Message): void;
  /**
   * Sends a SNAP that has no snapshot yet, encoding `source` as it goes; resolves once the
   * whole snapshot is encoded. Absent, the SNAP carries a snapshot file serialized whole.
   */
  sendSnap?(message: SnapMessage, source: SnapshotSource): Promise<void>;
  state: ReplicatedState;
}

/**
 * Handles one Ready in the order the zab core requires (persist, send, apply), leaving
 * advance() to the caller. The server's PeerDriver and the lab's simulated member both run
 * their Readies through here, so the simulation exercises this ordering too.
 */
export async function handleReady(r: Ready, h: ReadyHandlers): Promise<void> {
  // An established leader's broadcast goes out while its own log write runs.
  if (r.sendBeforePersist) for (const m of r.messages) h.send(m);
  // Committed entries are durable on a quorum already, so applying them (and answering the
  // clients waiting on them) need not wait for this Ready's own writes, unless the Ready
  // changes what the state machine stands on (a snapshot, a truncation, a new epoch or
  // configuration) or a SNAP must capture the state before these commits.
  const applyFirst = appliesBeforePersist(r);
  if (applyFirst) apply(r, h);
  const installed = await h.persist(r);
  if (installed !== null) await h.state.load(installed);
  if (!r.sendBeforePersist) {
    for (const m of r.messages) {
      // The state is exactly at the SNAP's zxid here: this Ready's commits are applied below.
      if (m.type !== "SNAP" || m.snapshot !== null) h.send(m);
      else if (h.sendSnap !== undefined) await h.sendSnap(m, h.state.snapshotSource());
      else h.send({ ...m, snapshot: await h.state.serialize() });
    }
  }
  if (!applyFirst) apply(r, h);
}

/** Handles what the core let through while a Ready is being persisted (ZabPeer.express). */
export function handleExpress(x: Express, h: ReadyHandlers): void {
  for (const m of x.messages) h.send(m);
  for (const entry of x.committed) h.state.apply(entry);
  if (x.syncsDone.length > 0) h.state.onSyncs(x.syncsDone, []);
}

function apply(r: Ready, h: ReadyHandlers): void {
  for (const entry of r.committed) h.state.apply(entry);
  // After the commits: a new leader takes writes only once its whole history is applied.
  if (r.softState !== null) h.state.onSoftState(r.softState);
  if (r.syncsDone.length > 0 || r.syncsFailed.length > 0) h.state.onSyncs(r.syncsDone, r.syncsFailed);
}

/** What one Ready loop's owner does around each Ready (PeerDriver, the lab's simulated member). */
export interface ReadyLoopSteps {
  /** Where this Ready's parts go; null while there is nowhere yet (the loop waits). */
  handlers(): ReadyHandlers | null;
  /** A Ready was taken and is about to be handled. */
  taken?(r: Ready): void;
  /** The Ready is handled, and not advanced yet. */
  handled?(r: Ready): void;
  /** advance() was called for the Ready. */
  advanced?(r: Ready): Promise<void> | void;
}

/** The part of ZabPeer a Ready loop drives. */
export type ReadySource = Pick<ZabPeer, "hasReady" | "ready" | "advance" | "express">;

/**
 * The Ready loop: takes each pending Ready, handles it (handleReady: persist, send, apply),
 * then advances, one Ready at a time. run() after every input; a call while the loop runs
 * returns at once, because the running loop checks for a Ready again after each advance()
 * and so picks up what arrived meanwhile. While a Ready's writes are on their way to disk,
 * express() after an input handles what the core lets through at once (a leader's broadcast,
 * commits: ZabPeer.express), so a commit does not wait for an fsync of later entries. An
 * error thrown by a step ends the run (and reaches the run() that was looping); the loop may
 * be run again afterwards.
 */
export class ReadyLoop {
  private looping = false;
  /** The Ready taken is being persisted: the one time express() hands anything on. */
  private persisting = false;
  private expressing = false;
  private expressAgain = false;

  constructor(
    private readonly peer: ReadySource,
    private readonly steps: ReadyLoopSteps,
    /** False once the owner stopped (or crashed): no further Ready is taken. */
    private readonly live: () => boolean,
  ) {}

  /** A run is under way. */
  get running(): boolean {
    return this.looping;
  }

  async run(): Promise<void> {
    if (this.looping) return;
    this.looping = true;
    try {
      while (this.live() && this.peer.hasReady()) {
        const handlers = this.steps.handlers();
        if (handlers === null) return;
        const r = this.peer.ready();
        this.steps.taken?.(r);
        await handleReady(r, { ...handlers, persist: (ready) => this.persist(ready, handlers) });
        this.steps.handled?.(r);
        this.peer.advance();
        // Awaited only when it has something to wait for: the loop yields no more than the steps do.
        const after = this.steps.advanced?.(r);
        if (after !== undefined) await after;
      }
    } finally {
      this.looping = false;
    }
  }

  /**
   * Hands on what the core lets through while the Ready taken is being persisted; nothing at
   * any other time (handleReady's own steps run then, and nothing may come between them).
   */
  express(): void {
    if (!this.persisting || !this.live()) return;
    // An input made while handing things on (a held-back request proposed as a commit is
    // applied) is taken up once they are all handed on, so they keep their order.
    if (this.expressing) {
      this.expressAgain = true;
      return;
    }
    const handlers = this.steps.handlers();
    if (handlers === null) return;
    this.expressing = true;
    try {
      do {
        this.expressAgain = false;
        const x = this.peer.express();
        if (x !== null) handleExpress(x, handlers);
      } while (this.expressAgain && this.persisting && this.live());
    } finally {
      this.expressing = false;
    }
  }

  private async persist(r: Ready, handlers: ReadyHandlers): Promise<LoadedSnapshot | null> {
    const written = handlers.persist(r);
    this.persisting = true;
    try {
      // What the Ready's own handling made (proposals of requests its commits released) goes now.
      this.express();
      return await written;
    } finally {
      this.persisting = false;
    }
  }
}
