import type { TxnEntry } from "@zkts/jute";
import type { LatencySummary } from "./latency-stats.js";
import { PurgeScheduler, type PurgeResult } from "./purge.js";
import { SnapshotTrigger } from "./snapshot-trigger.js";
import { TxnLogAppender, type TxnLogAppenderOptions } from "./txn-log-appender.js";

export interface TxnLogStoreOptions extends TxnLogAppenderOptions {
  /** Where the snapshots are, which autopurge thins out with the logs. */
  dataDir: string;
  /** snapCount (minimum 2). */
  snapCount?: number;
  /** snapSizeLimitInKb, in bytes here; 0 or less turns the size rule off. */
  snapSizeLimit?: number;
  /** The snapshot trigger's random offsets come from here, e.g. a seeded generator. */
  random: () => number;
  /** autopurge.snapRetainCount. */
  snapRetainCount?: number;
  /** autopurge.purgeInterval in hours; 0 or less turns autopurge off. */
  purgeIntervalHours: number;
  onPurged?: (result: PurgeResult) => void;
  onPurgeError?: (error: unknown) => void;
  /** Timer functions for autopurge, replaceable in tests. */
  setInterval?: (fn: () => void, ms: number) => unknown;
  clearInterval?: (handle: unknown) => void;
}

/**
 * The transaction log as a server keeps it, the same for a standalone server and an ensemble
 * member: group-committed appends, the snapshot trigger they feed (ZooKeeper's
 * SyncRequestProcessor: snapCount or snapSizeLimitInKb, randomised), the log roll a due
 * snapshot starts with, and autopurge. The server writes the snapshot itself, from the state it
 * has applied, once `snapshotDue` says so.
 */
export class TxnLogStore {
  private readonly trigger: SnapshotTrigger;
  private readonly purger: PurgeScheduler;
  /** The appender's bytesOnDisk when the trigger last counted them. */
  private countedLogBytes = 0;
  private snapshotWanted = false;

  private constructor(
    private readonly options: TxnLogStoreOptions,
    private appender: TxnLogAppender,
  ) {
    this.trigger = new SnapshotTrigger({ snapCount: options.snapCount, snapSizeLimit: options.snapSizeLimit, random: options.random });
    this.purger = new PurgeScheduler({
      dataDir: options.dataDir,
      dataLogDir: options.dataLogDir,
      fs: options.fs,
      snapRetainCount: options.snapRetainCount,
      purgeIntervalHours: options.purgeIntervalHours,
      onPurged: options.onPurged,
      onError: options.onPurgeError,
      setInterval: options.setInterval,
      clearInterval: options.clearInterval,
    });
  }

  /** Opens the log for appending; like ZooKeeper after a restart, the first append starts a new file. */
  static async open(options: TxnLogStoreOptions): Promise<TxnLogStore> {
    return new TxnLogStore(options, await TxnLogAppender.open(options));
  }

  /**
   * Resolves once every entry is durable (in order, zxids increasing). Then they count towards
   * the next snapshot; when one falls due the log is rolled first, so that the files before the
   * snapshot hold only what it covers, as ZooKeeper's SyncRequestProcessor does.
   */
  async append(entries: readonly (TxnEntry | Uint8Array)[]): Promise<void> {
    await this.appender.appendBatch(entries);
    // snapSizeLimitInKb counts the log's growth on disk, as ZooKeeper's getTxnSize does.
    const logBytes = this.appender.bytesOnDisk;
    const due = this.trigger.recordBatch(entries.length, logBytes - this.countedLogBytes);
    this.countedLogBytes = logBytes;
    if (due && !this.snapshotWanted) {
      await this.appender.roll();
      this.snapshotWanted = true;
    }
  }

  /** Enough was logged since the last snapshot: the server should write one of its applied state. */
  get snapshotDue(): boolean {
    return this.snapshotWanted;
  }

  /** The server starts the due snapshot: counting starts over, with new random offsets. */
  snapshotStarted(): void {
    this.snapshotWanted = false;
    this.trigger.reset();
  }

  /**
   * Starts autopurge. ZooKeeper's DatadirCleanupManager runs its first purge as the server
   * starts (the timer's delay is 0) and then every purgeInterval hours; so does this.
   */
  startPurging(): void {
    if (!this.purger.enabled) return;
    this.purger.start();
    void this.purger.runOnce();
  }

  fsyncStats(): LatencySummary {
    return this.appender.fsyncStats();
  }

  /**
   * Closes the log file, lets `rewrite` change the log files (a truncation), and opens the log
   * again; the next append starts a new file. If `rewrite` fails the log stays closed: what it
   * left on disk is not known to be a log to append to.
   */
  async rewriteLog(rewrite: () => Promise<void>): Promise<void> {
    await this.appender.close();
    await rewrite();
    this.appender = await TxnLogAppender.open(this.options);
    this.countedLogBytes = 0;
  }

  async close(): Promise<void> {
    this.purger.stop();
    await this.appender.close().catch(() => undefined);
  }
}
