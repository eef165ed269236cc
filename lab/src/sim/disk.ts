import {
  type Entry,
  type PersistedState,
  type Ready,
  type ReplicaDiskEvents,
  type ReplicaDiskPlace,
  type ReplicaLog,
  formatZxid,
  persistReady,
  recoverReplica,
} from "@zkts/server";
import { type LoadedSnapshot, type SnapshotSource, TxnLogAppender, purge, writeSnapshot } from "@zkts/storage";
import { JUTE_MAX_BUFFER_DEFAULT as JUTE_MAX_BUFFER } from "@zkts/jute";
import { InvariantViolation } from "./invariants.js";
import type { SimRandom } from "./random.js";
import { SimFs } from "./sim-fs.js";

const DATA_DIR = "/data";
/** Storage reads no clock here: fsync latency and snapshot slicing see a frozen one. */
const frozenClock = (): number => 0;

/** What a member starts from: zab's view of the disk, and the snapshot its tree loads from. */
export interface RecoveredDisk {
  readonly persisted: PersistedState;
  readonly snapshot: { zxid: bigint; data: Uint8Array } | null;
}

/**
 * One member's disk: the real storage (txn-log appender, snapshot writer, epoch and
 * dynamic-config files, recovery) over a SimFs that outlives the member's crashes. A Ready is
 * persisted and a restart recovered by the server's own code for a replica's disk
 * (`persistReady`, `recoverReplica`), which the ensemble store runs over the real file system.
 *
 * It also remembers what the member was told is durable, to check the storage itself: a
 * restart must find every log entry whose append resolved (fsync done) and not dropped since,
 * and nothing after its snapshot that the member never wrote or has since dropped (a
 * truncation that a crash undid).
 */
export class SimDisk {
  readonly fs: SimFs;
  /** Snapshots the member took of its own state. */
  snapshotsTaken = 0;
  /** Torn log tails recovery cut off, and log files it removed (their header never reached the disk). */
  logRepairs = 0;
  private appender: TxnLogAppender | null = null;
  /** The newest snapshot known durable (own or installed). */
  private snapshotZxid = 0n;
  /** Log entries whose append resolved, and not dropped since (a truncation, a snapshot installed over them). */
  private readonly durable = new Set<bigint>();
  /** Log entries handed to the appender (durable or not), and not dropped since. */
  private readonly written = new Set<bigint>();
  private epochs = { acceptedEpoch: 0, currentEpoch: 0 };
  private readonly preAllocSize: number;
  private readonly txnLogSizeLimit: number;
  private readonly place: ReplicaDiskPlace;

  constructor(private readonly random: SimRandom) {
    this.fs = new SimFs(random.fork());
    this.place = { dataDir: DATA_DIR, dataLogDir: DATA_DIR, fs: this.fs, maxBuffer: JUTE_MAX_BUFFER };
    // Preallocation and size-limited log files change which writes a crash can tear.
    this.preAllocSize = random.pick([0, 512, 4096]);
    this.txnLogSizeLimit = random.pick([0, 1024, 16 * 1024]);
  }

  /** True when a restart would find the transaction at `zxid` (in the log or under the snapshot). */
  holds(zxid: bigint): boolean {
    return this.snapshotZxid >= zxid || this.durable.has(zxid);
  }

  /** A crash or a failed fsync means the member using this disk must stop. */
  get faulted(): boolean {
    return this.fs.faulted;
  }

  /**
   * The member's process died: half the time the machine lost power too, and whatever was
   * not synced may be lost or torn when it restarts.
   */
  crash(): void {
    this.appender = null;
    if (!this.fs.faulted && this.random.chance(0.5)) this.fs.powerCut();
  }

  /** Restarts the machine and recovers what the disk holds, as the server does when it starts. */
  async open(): Promise<RecoveredDisk> {
    this.fs.restart();
    try {
      return await this.recover();
    } catch (err) {
      // The server would refuse to start: a finding of the run, with its seed, not a crash of the test.
      if (err instanceof InvariantViolation) throw err;
      throw new InvariantViolation(`recovery refused the disk: ${(err as Error).message}`);
    }
  }

  private async recover(): Promise<RecoveredDisk> {
    const { persisted, snapshot, repairs } = await recoverReplica(this.place);
    this.logRepairs += repairs.length;
    const { snapshotZxid, entries, acceptedEpoch, currentEpoch } = persisted;
    this.checkRecovered(snapshotZxid, entries, acceptedEpoch, currentEpoch);
    this.snapshotZxid = snapshotZxid;
    this.durable.clear();
    this.written.clear();
    for (const e of entries) {
      this.durable.add(e.zxid);
      this.written.add(e.zxid);
    }
    this.epochs = { acceptedEpoch, currentEpoch };
    this.appender = await this.openAppender();
    return { persisted, snapshot: snapshot === null ? null : { zxid: snapshotZxid, data: await this.fs.readFile(snapshot.path) } };
  }

  private checkRecovered(snapshotZxid: bigint, entries: readonly Entry[], acceptedEpoch: number, currentEpoch: number): void {
    const found = new Set(entries.map((e) => e.zxid));
    const finds = (zxid: bigint) => zxid <= snapshotZxid || found.has(zxid);
    const lost = [...this.durable].filter((zxid) => !finds(zxid));
    if (lost.length > 0 || snapshotZxid < this.snapshotZxid) {
      throw new InvariantViolation(
        `recovery lost durable state: log entries ${lost.map(formatZxid).join(", ") || "none"}; snapshot ${formatZxid(snapshotZxid)} where ${formatZxid(this.snapshotZxid)} was written`,
      );
    }
    const unknown = entries.filter((e) => !this.written.has(e.zxid)).map((e) => formatZxid(e.zxid));
    if (unknown.length > 0) throw new InvariantViolation(`recovery found log entries the member never wrote or had dropped: ${unknown.join(", ")}`);
    if (acceptedEpoch < this.epochs.acceptedEpoch || currentEpoch < this.epochs.currentEpoch) {
      throw new InvariantViolation(
        `recovery went back to epochs ${acceptedEpoch}/${currentEpoch} from ${this.epochs.acceptedEpoch}/${this.epochs.currentEpoch} written durably`,
      );
    }
  }

  /**
   * Persists one Ready as the server does. Returns the installed snapshot, which the caller
   * loads into a fresh tree.
   */
  async persist(r: Ready): Promise<LoadedSnapshot | null> {
    return await persistReady(r, this.place, this.log, this.bookkeeping);
  }

  /**
   * The member's own snapshot of its applied state, as the server takes one when enough was
   * logged: the log rolls (older files then hold only what the snapshot covers), the snapshot
   * is written, and files older than the last three snapshots are purged.
   */
  async takeSnapshot(zxid: bigint, source: SnapshotSource): Promise<void> {
    if (zxid <= this.snapshotZxid) return;
    await this.openedAppender().roll();
    await writeSnapshot(source, { dataDir: DATA_DIR, zxid, fs: this.fs, now: frozenClock });
    this.snapshotZxid = zxid;
    this.snapshotsTaken++;
    await purge({ dataDir: DATA_DIR, fs: this.fs, snapRetainCount: 3 });
  }

  /** The log a Ready's entries go to: the member's appender, closed and opened again around a truncation. */
  private readonly log: ReplicaLog = {
    append: async (entries) => await this.openedAppender().appendBatch(entries),
    rewriteLog: async (rewrite) => {
      await this.openedAppender().close();
      await rewrite();
      this.appender = await this.openAppender();
    },
    settled: async () => undefined,
  };

  /** What the disk was told is durable, step by step, for the checks at the next restart. */
  private readonly bookkeeping: ReplicaDiskEvents = {
    snapshotInstalled: (zxid) => {
      // The snapshot replaces the log.
      this.snapshotZxid = zxid;
      this.durable.clear();
      this.written.clear();
    },
    // From here a crash may find the entries past `zxid` or not (the truncation may not have
    // reached the disk); once it is done, they must be gone.
    truncating: (zxid) => {
      for (const z of this.durable) if (z > zxid) this.durable.delete(z);
    },
    truncated: (zxid) => {
      for (const z of this.written) if (z > zxid) this.written.delete(z);
    },
    appending: (entries) => {
      for (const e of entries) this.written.add(e.zxid);
    },
    appended: (entries) => {
      for (const e of entries) this.durable.add(e.zxid);
    },
    epochWritten: (name, epoch) => {
      this.epochs = { ...this.epochs, [name]: epoch };
    },
  };

  private openedAppender(): TxnLogAppender {
    if (this.appender === null) throw new Error("the disk was used before it was opened");
    return this.appender;
  }

  private async openAppender(): Promise<TxnLogAppender> {
    return await TxnLogAppender.open({
      dataLogDir: DATA_DIR,
      fs: this.fs,
      preAllocSize: this.preAllocSize,
      txnLogSizeLimit: this.txnLogSizeLimit,
      now: frozenClock,
    });
  }
}
