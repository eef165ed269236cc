import { hostname } from "node:os";
import { ZkError, type ZkClient } from "@zkts/client";
import { Lock } from "./lock.js";
import { retrying } from "./internal.js";

/** The stored-format version kazoo writes; a holder node with another version is left alone. */
export const LEASE_FORMAT_VERSION = 1;
export const LEASE_HOLDER_NODE = "lease_holder";

export interface LeaseOptions {
  /** Who holds the lease; obtaining again with the same identifier renews it. Default: the host name. */
  identifier?: string;
  /**
   * The clock, as epoch milliseconds. The lease's end is stored as this clock's UTC time, and
   * every contender compares its own clock with it, so the clocks of all contenders must
   * roughly agree. Tests pass a fixed clock. Default Date.now.
   */
  now?: () => number;
  /** Give up waiting for the short lock that guards the holder node; obtain() then resolves false. */
  lockTimeoutMs?: number;
}

/** What the holder node stores. */
export interface LeaseRecord {
  version: number;
  holder: string;
  /** UTC, whole seconds, "YYYY-MM-DDTHH:MM:SS". */
  end: string;
}

/**
 * A lease with an expiry that never waits for its holder, node-compatible with kazoo's
 * NonBlockingLease: under `path`, a kazoo-style lock (`<32 hex>__lock__<seq>`) guards a
 * persistent `lease_holder` node holding `{"version": 1, "holder": ..., "end": ...}`. Whoever
 * takes the lock while no other holder's end lies in the future writes itself in as holder
 * until now + duration. The typical use is a periodic job that must run on one host: each host
 * tries at every tick and only the one that obtains the lease runs it. A kazoo process and a
 * zkts process contend for the same lease.
 *
 * The lease is not tied to a session: it lasts until its end time, even after its holder's
 * session is gone. That is the point (a holder that restarts keeps its lease by renewing) and
 * also its limit: safety rests on the contenders' clocks.
 */
export class NonBlockingLease {
  private obtainedLease = false;
  private readonly identifier: string;
  private readonly now: () => number;

  constructor(
    private readonly client: ZkClient,
    readonly path: string,
    readonly durationMs: number,
    private readonly options: LeaseOptions = {},
  ) {
    if (!Number.isFinite(durationMs) || durationMs < 0) throw new Error("durationMs must be a non-negative number");
    this.identifier = options.identifier || hostname();
    this.now = options.now ?? Date.now;
  }

  /** The result of the last obtain(). */
  get obtained(): boolean {
    return this.obtainedLease;
  }

  /** Tries once to obtain (or renew) the lease; resolves whether this contender now holds it. */
  async obtain(): Promise<boolean> {
    this.obtainedLease = false;
    await this.client.mkdirp(this.path);
    const lock = new Lock(this.client, this.path, { identifier: this.identifier });
    if (!(await lock.acquire({ timeoutMs: this.options.lockTimeoutMs }))) return false;
    try {
      this.obtainedLease = await this.takeIfFree();
    } finally {
      await lock.release();
    }
    return this.obtainedLease;
  }

  /** The current holder record, or null when nobody ever held the lease. */
  static async holder(client: ZkClient, path: string): Promise<LeaseRecord | null> {
    try {
      const { data } = await retrying(() => client.getData(`${path}/${LEASE_HOLDER_NODE}`));
      return decodeLeaseRecord(data);
    } catch (err) {
      if (ZkError.is(err, "NONODE")) return null;
      throw err;
    }
  }

  /** Runs under the lock: nobody else reads or writes the holder node meanwhile. */
  private async takeIfFree(): Promise<boolean> {
    const holderPath = `${this.path}/${LEASE_HOLDER_NODE}`;
    const nowMs = this.now();
    const current = await NonBlockingLease.holder(this.client, this.path);
    if (current !== null) {
      // A newer format is for a newer client to judge: stand back, as kazoo does.
      if (current.version !== LEASE_FORMAT_VERSION) return false;
      if (current.holder !== this.identifier && nowMs < parseLeaseTime(current.end)) return false;
      try {
        await retrying(() => this.client.delete(holderPath));
      } catch (err) {
        if (!ZkError.is(err, "NONODE")) throw err;
      }
    }
    const record: LeaseRecord = { version: LEASE_FORMAT_VERSION, holder: this.identifier, end: formatLeaseTime(nowMs + this.durationMs) };
    try {
      await retrying(() => this.client.create(holderPath, encodeLeaseRecord(record)));
    } catch (err) {
      // A create retried after a lost reply finds its own record; anything else is a foreign write.
      if (!ZkError.is(err, "NODEEXISTS")) throw err;
      const stored = await NonBlockingLease.holder(this.client, this.path);
      return stored?.holder === record.holder && stored.end === record.end;
    }
    return true;
  }
}

/**
 * `count` leases on one job, node-compatible with kazoo's MultiNonBlockingLease: the leases
 * live at `path/0` … `path/<count-1>` and a contender takes the first one it can, so at most
 * `count` holders run the job at a time.
 */
export class MultiNonBlockingLease {
  private obtainedLease = false;

  constructor(
    private readonly client: ZkClient,
    readonly count: number,
    readonly path: string,
    readonly durationMs: number,
    private readonly options: LeaseOptions = {},
  ) {
    if (!Number.isInteger(count) || count < 1) throw new Error("count must be a positive integer");
  }

  get obtained(): boolean {
    return this.obtainedLease;
  }

  /** Tries the leases in order; resolves the index of the one obtained, or -1. */
  async obtainIndex(): Promise<number> {
    this.obtainedLease = false;
    for (let index = 0; index < this.count; index++) {
      const lease = new NonBlockingLease(this.client, `${this.path}/${index}`, this.durationMs, this.options);
      if (await lease.obtain()) {
        this.obtainedLease = true;
        return index;
      }
    }
    return -1;
  }

  async obtain(): Promise<boolean> {
    return (await this.obtainIndex()) >= 0;
  }
}

/**
 * The holder node's bytes as Python's json.dumps writes them (", " and ": " separators, keys in
 * this order, non-ASCII escaped), so the node reads the same whichever client wrote it.
 */
export function encodeLeaseRecord(record: LeaseRecord): Buffer {
  const text = `{"version": ${record.version}, "holder": ${asciiJson(record.holder)}, "end": ${asciiJson(record.end)}}`;
  return Buffer.from(text, "utf8");
}

export function decodeLeaseRecord(data: Buffer): LeaseRecord {
  const parsed = JSON.parse(data.toString("utf8")) as Partial<LeaseRecord>;
  if (typeof parsed.version !== "number" || typeof parsed.holder !== "string" || typeof parsed.end !== "string") {
    throw new Error(`not a lease record: ${data.toString("utf8")}`);
  }
  return { version: parsed.version, holder: parsed.holder, end: parsed.end };
}

/** Epoch milliseconds as the stored UTC time: the fraction of a second is cut off, not rounded. */
export function formatLeaseTime(epochMs: number): string {
  return new Date(Math.floor(epochMs / 1000) * 1000).toISOString().slice(0, 19);
}

export function parseLeaseTime(text: string): number {
  const match = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})$/.exec(text);
  if (match === null) throw new Error(`lease end ${JSON.stringify(text)} is not YYYY-MM-DDTHH:MM:SS`);
  const [year, month, day, hour, minute, second] = match.slice(1).map(Number) as [number, number, number, number, number, number];
  return Date.UTC(year, month - 1, day, hour, minute, second);
}

function asciiJson(text: string): string {
  return JSON.stringify(text).replace(/[\u007f-\uffff]/g, (ch) => `\\u${ch.charCodeAt(0).toString(16).padStart(4, "0")}`);
}
