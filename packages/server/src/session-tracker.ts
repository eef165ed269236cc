import { CONTAINER_EPHEMERAL_OWNER } from "@zkts/datatree";

export interface Session {
  readonly id: bigint;
  timeoutMs: number;
  /** Expiry time rounded up to the next tick, as ZooKeeper's ExpiryQueue buckets sessions. */
  expiresAtMs: number;
  /** Set once a closeSession txn is on its way; the session takes no more requests. */
  closing: boolean;
}

/**
 * Session ids, timeouts and expiry, with time passed in. Sessions expire in tick-sized
 * buckets, so one pass per tick finds every session due.
 */
export class SessionTracker {
  private readonly sessions = new Map<bigint, Session>();
  private readonly buckets = new Map<number, Set<Session>>();
  private nextId: bigint;

  constructor(
    private readonly tickTimeMs: number,
    serverId: number,
    nowMs: number,
    /** Unsafe mode `never-expire`: no session ever expires (their ephemerals outlive them). */
    private readonly neverExpire = false,
  ) {
    this.nextId = initialSessionId(serverId, nowMs);
  }

  get size(): number {
    return this.sessions.size;
  }

  get(id: bigint): Session | undefined {
    return this.sessions.get(id);
  }

  all(): IterableIterator<Session> {
    return this.sessions.values();
  }

  /** Live sessions and their timeouts, as snapshots record them. */
  timeouts(): Map<bigint, number> {
    const out = new Map<bigint, number>();
    for (const s of this.sessions.values()) out.set(s.id, s.timeoutMs);
    return out;
  }

  createId(): bigint {
    let id = this.nextId++;
    if (id === CONTAINER_EPHEMERAL_OWNER) id = this.nextId++;
    return id;
  }

  /** Registers a session (new, or restored from the log) and arms its expiry. */
  add(id: bigint, timeoutMs: number, nowMs: number): Session {
    let session = this.sessions.get(id);
    if (session === undefined) {
      session = { id, timeoutMs, expiresAtMs: 0, closing: false };
      this.sessions.set(id, session);
    }
    session.timeoutMs = timeoutMs;
    this.reschedule(session, nowMs);
    return session;
  }

  /** Whether the session lives and is not closing: only then may a reconnecting client take it over. */
  isOpen(id: bigint): boolean {
    const session = this.sessions.get(id);
    return session !== undefined && !session.closing;
  }

  /** Pushes a live session's expiry out by its timeout; false if it is gone or closing. */
  touch(id: bigint, nowMs: number): boolean {
    const session = this.sessions.get(id);
    if (session === undefined || session.closing) return false;
    this.reschedule(session, nowMs);
    return true;
  }

  setClosing(id: bigint): void {
    const session = this.sessions.get(id);
    if (session !== undefined) session.closing = true;
  }

  remove(id: bigint): void {
    const session = this.sessions.get(id);
    if (session === undefined) return;
    this.sessions.delete(id);
    this.unschedule(session);
  }

  /** Removes the sessions whose bucket has passed and returns them. */
  takeExpired(nowMs: number): Session[] {
    const expired: Session[] = [];
    if (this.neverExpire) return expired;
    for (const [time, bucket] of this.buckets) {
      if (time > nowMs) continue;
      this.buckets.delete(time);
      for (const session of bucket) {
        if (session.closing) continue;
        session.closing = true;
        expired.push(session);
      }
    }
    return expired;
  }

  /** The expiry buckets, earliest first: what ZooKeeper's `dump` lists on the server that expires sessions. */
  expiryBuckets(): { expiresAtMs: number; sessions: Session[] }[] {
    return [...this.buckets.entries()].sort(([a], [b]) => a - b).map(([expiresAtMs, sessions]) => ({ expiresAtMs, sessions: [...sessions] }));
  }

  private reschedule(session: Session, nowMs: number): void {
    const expiresAt = roundToNextTick(nowMs + session.timeoutMs, this.tickTimeMs);
    if (expiresAt === session.expiresAtMs) return;
    this.unschedule(session);
    session.expiresAtMs = expiresAt;
    let bucket = this.buckets.get(expiresAt);
    if (bucket === undefined) {
      bucket = new Set();
      this.buckets.set(expiresAt, bucket);
    }
    bucket.add(session);
  }

  private unschedule(session: Session): void {
    const bucket = this.buckets.get(session.expiresAtMs);
    if (bucket === undefined) return;
    bucket.delete(session);
    if (bucket.size === 0) this.buckets.delete(session.expiresAtMs);
  }
}

function roundToNextTick(timeMs: number, tickMs: number): number {
  return (Math.floor(timeMs / tickMs) + 1) * tickMs;
}

/** SessionTrackerImpl.initializeNextSessionId: time in the middle bits, server id on top. */
export function initialSessionId(serverId: number, nowMs: number): bigint {
  const shifted = BigInt.asUintN(64, BigInt(nowMs) << 24n) >> 8n;
  return BigInt.asIntN(64, shifted | (BigInt(serverId) << 56n));
}
