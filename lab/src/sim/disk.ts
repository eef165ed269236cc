import type { Entry, Membership, PersistedState, Ready } from "@zkts/server";

/** Thrown inside a member's persist when the simulation crashes it part-way through a write. */
export class SimCrash extends Error {
  override readonly name = "SimCrash";
}

/**
 * One member's disk: what survives its crash. A Ready is persisted as a sequence of writes
 * (snapshot, truncation, each log entry, acceptedEpoch, currentEpoch) and acknowledged only
 * when all are done, as the server does with fsync. A crash during a Ready keeps a prefix of
 * those writes: the write in progress is torn, which recovery treats as never written (a torn
 * log record is truncated, an epoch file is replaced by rename).
 */
export class SimDisk {
  acceptedEpoch = 0;
  currentEpoch = 0;
  snapshot: { zxid: bigint; data: Uint8Array } | null = null;
  log: Entry[] = [];
  /** The configuration last activated (the server's dynamic config file). */
  membership: Membership | null = null;
  /** Writes lost to crashes, for the run's statistics. */
  tornWrites = 0;
  /** Snapshots the member took of its own state. */
  snapshotsTaken = 0;

  recovered(): PersistedState {
    const snapshotZxid = this.snapshot?.zxid ?? 0n;
    return {
      acceptedEpoch: this.acceptedEpoch,
      currentEpoch: this.currentEpoch,
      snapshotZxid,
      entries: this.log.filter((e) => e.zxid > snapshotZxid),
      membership: this.membership,
    };
  }

  /** How many separate writes persisting `r` takes. */
  static writesIn(r: Ready): number {
    return (r.snapshot ? 1 : 0) + (r.truncateTo !== null ? 1 : 0) + r.entries.length + (r.hardState ? 2 : 0) + (r.membership ? 1 : 0);
  }

  /** Persists `r`; with `crashAfter` set, only that many writes complete and SimCrash is thrown. */
  persist(r: Ready, crashAfter: number | null): void {
    let budget = crashAfter ?? Number.POSITIVE_INFINITY;
    const write = (apply: () => void): void => {
      if (budget <= 0) {
        this.tornWrites++;
        throw new SimCrash("crashed while persisting");
      }
      budget--;
      apply();
    };
    if (r.snapshot !== null) {
      const snapshot = r.snapshot;
      write(() => {
        this.snapshot = { zxid: snapshot.zxid, data: snapshot.data };
        this.log = [];
      });
    }
    if (r.truncateTo !== null) {
      const to = r.truncateTo;
      write(() => {
        this.log = this.log.filter((e) => e.zxid <= to);
      });
    }
    for (const entry of r.entries) {
      write(() => {
        const last = this.log[this.log.length - 1];
        if (last !== undefined && last.zxid >= entry.zxid) throw new Error(`log append out of order: ${entry.zxid} after ${last.zxid}`);
        this.log.push(entry);
      });
    }
    if (r.hardState !== null) {
      const hard = r.hardState;
      write(() => {
        this.acceptedEpoch = hard.acceptedEpoch;
      });
      write(() => {
        this.currentEpoch = hard.currentEpoch;
      });
    }
    if (r.membership !== null) {
      const membership = r.membership;
      write(() => {
        this.membership = membership;
      });
    }
    if (crashAfter !== null) throw new SimCrash("crashed after persisting, before acknowledging");
  }

  /** The member's own snapshot of its applied state; the log before it is purged. */
  takeSnapshot(zxid: bigint, data: Uint8Array): void {
    if (this.snapshot !== null && this.snapshot.zxid >= zxid) return;
    this.snapshot = { zxid, data };
    this.snapshotsTaken++;
    this.log = this.log.filter((e) => e.zxid > zxid);
  }

  /** True when a restart would find the transaction at `zxid` (in the log or under the snapshot). */
  holds(zxid: bigint): boolean {
    if (this.snapshot !== null && this.snapshot.zxid >= zxid) return true;
    return this.log.some((e) => e.zxid === zxid);
  }
}
