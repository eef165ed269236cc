import { DataTree, type DataTreeOptions } from "@zkts/datatree";
import {
  type LoadedSnapshot,
  StorageError,
  TxnLogStore,
  installSnapshotFile,
  parseSnapshot,
  readEpochFile,
  readMembershipFile,
  recover,
  removeLogsAfter,
  truncateLog,
  writeEpochFile,
  writeMembershipFile,
} from "@zkts/storage";
import type { Entry, PersistedState, Ready } from "@zkts/zab";
import type { ServerConfig } from "../config.js";
import { type Logger, hex } from "../logger.js";
import { restoreSnapshot } from "../persistence/tree-snapshot.js";
import { writeTreeSnapshot } from "../persistence/write-tree-snapshot.js";
import { reportDigestMismatch } from "../digest-report.js";
import { FsyncSampler } from "../metrics/fsync-sampler.js";
import type { StoreTimings } from "../persistence/durable-store.js";
import { UNSAFE_LOG_WRITE_HOLD_MS } from "../unsafe-modes.js";
import { HeldLogWrites } from "./held-log-writes.js";
import { membershipFromConfigText } from "./membership-text.js";

/** What a peer starts from: the tree of the newest snapshot, its sessions, and zab's view of the disk. */
export interface EnsembleRecovery {
  tree: DataTree;
  sessions: Map<bigint, number>;
  persisted: PersistedState;
  /** How long loading the snapshot and reading the log took (ZooKeeper's dbinittime). */
  loadMs: number;
}

/**
 * A replica's disk, written as zab's Ready asks: snapshots installed from the leader, log
 * truncations, txn-log appends (ZooKeeper's format, group-committed with fsync), and the
 * acceptedEpoch/currentEpoch files, each replaced atomically. The tree is loaded from the
 * snapshot only: the core hands the logged entries back as committed once its leader says so.
 * Autopurge (autopurge.purgeInterval hours, keeping autopurge.snapRetainCount snapshots and
 * the logs they need) runs from open() to close().
 */
export class EnsembleStore {
  private snapshotRunning: Promise<void> | null = null;
  /** zkts.unsafe=ack-before-fsync only: log appends reported durable before they are issued. */
  private readonly heldWrites: HeldLogWrites | null;
  private timings: StoreTimings | null = null;
  private fsyncSampler: FsyncSampler | null = null;

  private constructor(
    private readonly config: ServerConfig,
    private readonly logger: Logger,
    private readonly log: TxnLogStore,
  ) {
    this.heldWrites =
      config.unsafe === "ack-before-fsync"
        ? new HeldLogWrites(UNSAFE_LOG_WRITE_HOLD_MS, Date.now, (err) => logger.log("error", "a held log write failed", { err }))
        : null;
  }

  /** From now on, each fsync and snapshot is recorded in `timings`. */
  reportTimingsTo(timings: StoreTimings): void {
    this.timings = timings;
    this.fsyncSampler = new FsyncSampler(timings.fsyncTime);
  }

  /** Enough was logged since the last snapshot: the caller should pass its applied state to takeSnapshot(). */
  get snapshotDue(): boolean {
    return this.log.snapshotDue && this.snapshotRunning === null;
  }

  /**
   * Writes a snapshot of the applied state in the background, as ZooKeeper does: fuzzy, since
   * later txns may be applied while it is written; recovery replays the log after its zxid.
   * The next start loads it and gives the core only the log entries after it.
   */
  takeSnapshot(tree: DataTree, sessions: ReadonlyMap<bigint, number>): void {
    if (this.snapshotRunning !== null) return;
    this.log.snapshotStarted();
    this.snapshotRunning = writeTreeSnapshot(tree, sessions, this.config, this.logger, this.timings?.snapshotTime ?? null)
      .then(() => undefined)
      .finally(() => {
        this.snapshotRunning = null;
      });
  }

  /** `random` draws the snapshot trigger's offsets. */
  static async open(
    config: ServerConfig,
    logger: Logger,
    treeOptions: DataTreeOptions,
    random: () => number,
  ): Promise<{ store: EnsembleStore; recovery: EnsembleRecovery }> {
    const startedAtMs = Date.now();
    const recovered = await recover({
      dataDir: config.dataDir,
      dataLogDir: config.dataLogDir,
      maxBuffer: config.juteMaxBuffer,
      trustEmptySnapshot: true,
    });
    for (const repair of recovered.repairs) logger.log("warn", "repaired a torn transaction log tail", { repair });
    const tree = new DataTree(treeOptions);
    let sessions = new Map<bigint, number>();
    let snapshotZxid = 0n;
    if (recovered.snapshot !== null) {
      const snapshot = recovered.snapshot;
      sessions = await restoreSnapshot(tree, snapshot, logger, config.progressIntervalMs, recovered.txnCount);
      snapshotZxid = snapshot.zxid;
    } else {
      tree.lastProcessedZxid = 0n;
    }
    const entries: Entry[] = [];
    for await (const txn of recovered.txns()) {
      if (txn.entry.header.zxid > snapshotZxid) entries.push({ zxid: txn.entry.header.zxid, data: txn.txnBytes });
    }
    const lastEpoch = Number((entries.at(-1)?.zxid ?? snapshotZxid) >> 32n);
    // Without the files (a fresh directory, or one from a standalone server) ZooKeeper takes
    // the epoch of the last zxid for both.
    const acceptedEpoch = (await readEpochFile(config.dataDir, "acceptedEpoch")) ?? lastEpoch;
    const currentEpoch = (await readEpochFile(config.dataDir, "currentEpoch")) ?? lastEpoch;
    const membershipText = await readMembershipFile(config.dataDir);
    const membership = membershipText === null ? null : membershipFromConfigText(membershipText);
    logger.log("info", "recovered replica state", {
      snapshotZxid: hex(snapshotZxid),
      logEntries: entries.length,
      acceptedEpoch,
      currentEpoch,
    });
    const loadMs = Date.now() - startedAtMs;
    const log = await openLog(config, logger, random);
    const store = new EnsembleStore(config, logger, log);
    log.startPurging();
    return { store, recovery: { tree, sessions, persisted: { acceptedEpoch, currentEpoch, snapshotZxid, entries, membership }, loadMs } };
  }

  fsyncStats() {
    return this.log.fsyncStats();
  }

  /**
   * Persists one Ready in the order the core requires: snapshot, truncation, entries, epochs.
   * Returns the installed snapshot, which the caller loads into a fresh tree.
   */
  async persist(r: Ready): Promise<LoadedSnapshot | null> {
    let installed: LoadedSnapshot | null = null;
    // Held writes reach the disk before anything that replaces or cuts the log.
    if (this.heldWrites !== null && (r.snapshot !== null || r.truncateTo !== null)) await this.heldWrites.drained();
    if (r.snapshot !== null) installed = await this.installSnapshot(r.snapshot.zxid, r.snapshot.data);
    if (r.truncateTo !== null) await this.truncate(r.truncateTo);
    if (r.entries.length > 0) {
      const entries = r.entries;
      if (this.heldWrites !== null) this.heldWrites.hold(() => this.appendEntries(entries));
      else await this.appendEntries(entries);
    }
    if (r.hardState !== null) {
      await writeEpochFile(this.config.dataDir, "acceptedEpoch", r.hardState.acceptedEpoch);
      await writeEpochFile(this.config.dataDir, "currentEpoch", r.hardState.currentEpoch);
    }
    if (r.membership !== null) await writeMembershipFile(this.config.dataDir, r.membership.data);
    return installed;
  }

  private async appendEntries(entries: readonly Entry[]): Promise<void> {
    // A snapshot falling due rolls the log here, so older files hold only what it covers.
    await this.log.append(entries.map((e) => e.data));
    this.fsyncSampler?.sample(this.log.fsyncStats());
  }

  async close(): Promise<void> {
    await this.heldWrites?.drained();
    if (this.snapshotRunning !== null) await this.snapshotRunning;
    await this.log.close();
  }

  private async installSnapshot(zxid: bigint, data: Uint8Array): Promise<LoadedSnapshot> {
    const finalPath = await installSnapshotFile(this.config.dataDir, zxid, data);
    this.logger.log("info", "installed the leader's snapshot", { zxid: hex(zxid), bytes: data.length });
    // The bytes just made durable are those in hand: they are checked as the file would be, not read back.
    const bytes = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
    return await parseSnapshot(finalPath, zxid, bytes, this.config.juteMaxBuffer);
  }

  private async truncate(zxid: bigint): Promise<void> {
    await this.log.rewriteLog(async () => {
      try {
        const result = await truncateLog({ dataLogDir: this.config.dataLogDir, zxid, maxBuffer: this.config.juteMaxBuffer });
        this.logger.log("info", "truncated the log on the leader's TRUNC", { zxid: hex(zxid), ...result });
      } catch (err) {
        if (!(err instanceof StorageError)) throw err;
        // No log holds `zxid` (it is the snapshot's, or 0): every log file starts after it.
        await removeLogsAfter(this.config.dataLogDir, zxid);
      }
    });
  }
}

async function openLog(config: ServerConfig, logger: Logger, random: () => number): Promise<TxnLogStore> {
  return await TxnLogStore.open({
    dataDir: config.dataDir,
    dataLogDir: config.dataLogDir,
    preAllocSize: config.preAllocSizeBytes,
    txnLogSizeLimit: config.txnLogSizeLimitBytes,
    forceSync: config.forceSync,
    fsyncWarningThresholdMs: config.fsyncWarningThresholdMs,
    onFailure: (err) => logger.log("error", "the transaction log failed", { err }),
    snapCount: config.snapCount,
    snapSizeLimit: config.snapSizeLimitBytes,
    random,
    snapRetainCount: config.snapRetainCount,
    purgeIntervalHours: config.purgeIntervalHours,
    onPurged: (r) => logger.log("info", "autopurge removed old files", { removed: r.removed.length, oldestRetainedZxid: r.oldestRetainedZxid }),
    onPurgeError: (err) => logger.log("warn", "autopurge failed", { err }),
  });
}
