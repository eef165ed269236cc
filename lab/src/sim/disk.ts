import { type Entry, type PersistedState, type Ready, formatZxid, membershipFromConfigText } from "@zkts/server";
import {
  type LoadedSnapshot,
  type SnapshotSource,
  StorageError,
  TxnLogAppender,
  installSnapshotFile,
  parseSnapshot,
  purge,
  readEpochFile,
  readMembershipFile,
  recover,
  removeLogsAfter,
  truncateLog,
  writeEpochFile,
  writeMembershipFile,
  writeSnapshot,
} from "@zkts/storage";
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
 * persisted as the server's ensemble store does it (snapshot, truncation, entries, epochs,
 * configuration); a restart recovers through `recover` as the server does when it starts.
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

  constructor(private readonly random: SimRandom) {
    this.fs = new SimFs(random.fork());
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
    const recovered = await recover({ dataDir: DATA_DIR, fs: this.fs, maxBuffer: JUTE_MAX_BUFFER, trustEmptySnapshot: true });
    this.logRepairs += recovered.repairs.length;
    const snapshotZxid = recovered.snapshot?.zxid ?? 0n;
    const entries: Entry[] = [];
    for await (const txn of recovered.txns()) {
      if (txn.entry.header.zxid > snapshotZxid) entries.push({ zxid: txn.entry.header.zxid, data: txn.txnBytes });
    }
    // Without the files (a fresh directory) ZooKeeper takes the epoch of the last zxid for both.
    const lastEpoch = Number((entries.at(-1)?.zxid ?? snapshotZxid) >> 32n);
    const acceptedEpoch = (await readEpochFile(DATA_DIR, "acceptedEpoch", this.fs)) ?? lastEpoch;
    const currentEpoch = (await readEpochFile(DATA_DIR, "currentEpoch", this.fs)) ?? lastEpoch;
    const membershipText = await readMembershipFile(DATA_DIR, this.fs);
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
    const snapshot = recovered.snapshot === null ? null : { zxid: snapshotZxid, data: await this.fs.readFile(recovered.snapshot.path) };
    return {
      persisted: {
        acceptedEpoch,
        currentEpoch,
        snapshotZxid,
        entries,
        membership: membershipText === null ? null : membershipFromConfigText(membershipText),
      },
      snapshot,
    };
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
   * Persists one Ready in the order the core requires: snapshot, truncation, entries, epochs,
   * configuration. Returns the installed snapshot, which the caller loads into a fresh tree.
   */
  async persist(r: Ready): Promise<LoadedSnapshot | null> {
    let installed: LoadedSnapshot | null = null;
    if (r.snapshot !== null) installed = await this.installSnapshot(r.snapshot.zxid, r.snapshot.data);
    if (r.truncateTo !== null) await this.truncate(r.truncateTo);
    if (r.entries.length > 0) await this.append(r.entries);
    if (r.hardState !== null) {
      await writeEpochFile(DATA_DIR, "acceptedEpoch", r.hardState.acceptedEpoch, this.fs);
      this.epochs = { ...this.epochs, acceptedEpoch: r.hardState.acceptedEpoch };
      await writeEpochFile(DATA_DIR, "currentEpoch", r.hardState.currentEpoch, this.fs);
      this.epochs = { ...this.epochs, currentEpoch: r.hardState.currentEpoch };
    }
    if (r.membership !== null) await writeMembershipFile(DATA_DIR, r.membership.data, this.fs);
    return installed;
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

  private async append(entries: readonly Entry[]): Promise<void> {
    const appender = this.openedAppender();
    for (const e of entries) this.written.add(e.zxid);
    await Promise.all(entries.map((e) => appender.append(e.data).then(() => void this.durable.add(e.zxid))));
  }

  private async installSnapshot(zxid: bigint, data: Uint8Array): Promise<LoadedSnapshot> {
    const path = await installSnapshotFile(DATA_DIR, zxid, data, this.fs);
    // The snapshot replaces the log.
    this.snapshotZxid = zxid;
    this.durable.clear();
    this.written.clear();
    return await parseSnapshot(path, zxid, Buffer.from(data.buffer, data.byteOffset, data.byteLength), JUTE_MAX_BUFFER);
  }

  private async truncate(zxid: bigint): Promise<void> {
    await this.openedAppender().close();
    // From here a crash may find the entries past `zxid` or not (the truncation may not have
    // reached the disk); once it is done, they must be gone.
    for (const z of this.durable) if (z > zxid) this.durable.delete(z);
    try {
      await truncateLog({ dataLogDir: DATA_DIR, zxid, fs: this.fs, maxBuffer: JUTE_MAX_BUFFER });
    } catch (err) {
      if (!(err instanceof StorageError)) throw err;
      // No log holds `zxid` (it is the snapshot's, or 0): every log file starts after it.
      await removeLogsAfter(DATA_DIR, zxid, this.fs);
    }
    for (const z of this.written) if (z > zxid) this.written.delete(z);
    this.appender = await this.openAppender();
  }

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
