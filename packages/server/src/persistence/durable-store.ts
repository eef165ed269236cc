import { DataTree, type DataTreeOptions } from "@zkts/datatree";
import { OpCode, type TxnEntry } from "@zkts/jute";
import { type TxnLogStore, recover } from "@zkts/storage";
import type { ServerConfig } from "../config.js";
import { type Logger, hex } from "../logger.js";
import type { TxnPersistence } from "../txn-pipeline.js";
import { ProgressLog } from "./progress-log.js";
import { restoreSnapshot } from "./tree-snapshot.js";
import { writeTreeSnapshot } from "./write-tree-snapshot.js";
import { collectGarbage } from "./collect-garbage.js";
import { IdleCollector } from "./idle-collector.js";
import { openTxnLog } from "./open-txn-log.js";
import { reportDigestMismatch } from "../digest-report.js";
import { FsyncSampler } from "../metrics/fsync-sampler.js";
import type { SummaryFigure } from "../metrics/summary-figure.js";

/** Where a store reports how long its fsyncs and snapshots take (ServerMetrics' fsynctime and snapshottime). */
export interface StoreTimings {
  fsyncTime: SummaryFigure;
  snapshotTime: SummaryFigure;
}

/** A log entry's checksum, length and end-of-record byte around its txn bytes. */
const LOG_ENTRY_OVERHEAD_BYTES = 13;

export interface RecoveredState {
  tree: DataTree;
  /** Sessions alive at the last logged txn: id → timeout in ms. */
  sessions: Map<bigint, number>;
  /** How long loading the snapshot and replaying the log took (ZooKeeper's dbinittime). */
  loadMs: number;
}

/**
 * The server's durable storage: recovery at start, group-committed appends to the
 * transaction log, snapshots when ZooKeeper's randomised threshold is passed, and autopurge.
 * Files are in ZooKeeper's format, so a data directory moves between zkts and ZooKeeper.
 */
export class DurableStore implements TxnPersistence {
  private snapshotRunning: Promise<void> | null = null;
  private readonly idleCollector = new IdleCollector();
  private sessionsProvider: () => ReadonlyMap<bigint, number> = () => new Map();
  private timings: StoreTimings | null = null;
  private fsyncSampler: FsyncSampler | null = null;
  lastSnapshotZxid = -1n;

  private constructor(
    private readonly config: ServerConfig,
    private readonly logger: Logger,
    private readonly log: TxnLogStore,
    readonly tree: DataTree,
  ) {}

  /** Recovers the tree from dataDir/dataLogDir and opens the log for appending. */
  static async open(
    config: ServerConfig,
    logger: Logger,
    treeOptions: DataTreeOptions,
    random: () => number,
  ): Promise<{ store: DurableStore; state: RecoveredState }> {
    const state = await recoverState(config, logger, treeOptions);
    await collectRecoveryGarbage(logger);
    const log = await openTxnLog(config, logger, random);
    const store = new DurableStore(config, logger, log, state.tree);
    return { store, state };
  }

  /** Where the session table comes from when a snapshot is written. */
  setSessionsProvider(provider: () => ReadonlyMap<bigint, number>): void {
    this.sessionsProvider = provider;
  }

  start(): void {
    this.log.startPurging();
    this.idleCollector.start();
  }

  /** From now on, each fsync and snapshot is recorded in `timings`. */
  reportTimingsTo(timings: StoreTimings): void {
    this.timings = timings;
    this.fsyncSampler = new FsyncSampler(timings.fsyncTime);
  }

  fsyncStats() {
    return this.log.fsyncStats();
  }

  async persist(entries: readonly TxnEntry[]): Promise<void> {
    // A snapshot falling due rolls the log here, so the snapshot's log starts after it.
    await this.log.append(entries);
    this.fsyncSampler?.sample(this.log.fsyncStats());
    this.idleCollector.recordTxns(entries.length, performance.now());
    if (this.log.snapshotDue && this.snapshotRunning === null) {
      this.log.snapshotStarted();
      this.snapshotRunning = this.takeSnapshot().finally(() => {
        this.snapshotRunning = null;
      });
    }
  }

  /**
   * The snapshot ZooKeeper takes as it starts, written while the server already serves: like
   * the periodic ones it walks the live tree in slices (fuzzy, named by the zxid applied when
   * it began, every later txn in the log) and is renamed into place only once complete and
   * synced, so dying during it leaves the previous snapshot and the log, from which recovery
   * replays exactly as before. A periodic snapshot falling due meanwhile waits for it.
   */
  startSnapshotInBackground(): void {
    if (this.snapshotRunning !== null) return;
    this.snapshotRunning = this.takeSnapshot().finally(() => {
      this.snapshotRunning = null;
    });
  }

  /** Resolves once no snapshot is being written. */
  async snapshotSettled(): Promise<void> {
    while (this.snapshotRunning !== null) await this.snapshotRunning;
  }

  /** Writes a fuzzy snapshot of the tree as of its last applied zxid. */
  async takeSnapshot(): Promise<void> {
    const zxid = await writeTreeSnapshot(this.tree, this.sessionsProvider(), this.config, this.logger, this.timings?.snapshotTime ?? null);
    if (zxid !== null) this.lastSnapshotZxid = zxid;
    // A snapshot comes after tens of thousands of txns (or, at start, after recovery read the
    // snapshot and log files): their garbage is collected now rather than whenever V8 next
    // runs a major collection, so the process holds little more memory than its tree.
    await collectGarbage();
    this.idleCollector.collected();
  }

  async close(): Promise<void> {
    this.idleCollector.stop();
    if (this.snapshotRunning !== null) await this.snapshotRunning;
    await this.log.close();
  }
}

async function recoverState(config: ServerConfig, logger: Logger, treeOptions: DataTreeOptions): Promise<RecoveredState> {
  const startedAtMs = Date.now();
  const recovery = await recover({ dataDir: config.dataDir, dataLogDir: config.dataLogDir, maxBuffer: config.juteMaxBuffer });
  for (const repair of recovery.repairs) logger.log("warn", "repaired a torn transaction log tail", { repair });
  for (const skipped of recovery.skippedSnapshots) logger.log("warn", "skipped an unusable snapshot", { skipped });
  for (const gap of recovery.gaps) logger.log("warn", "the transaction log skips zxids", { gap });
  const tree = new DataTree(treeOptions);
  let sessions = new Map<bigint, number>();
  if (recovery.snapshot !== null) {
    const snapshot = recovery.snapshot;
    sessions = await restoreSnapshot(tree, snapshot, logger, config.progressIntervalMs, recovery.txnCount);
  }
  const replaying = new ProgressLog({
    logger,
    task: "replaying the transaction log",
    unit: "txns",
    total: recovery.txnCount,
    intervalMs: config.progressIntervalMs,
  });
  let replayed = 0;
  for await (const { entry, txnBytes } of recovery.txns()) {
    tree.applyTxn(entry.header, entry.body);
    reportDigestMismatch(logger, "replaying the transaction log", tree.checkAppliedDigest(entry.header.zxid, entry.digest));
    trackSessions(sessions, entry);
    replayed++;
    replaying.add(1, LOG_ENTRY_OVERHEAD_BYTES + txnBytes.length);
  }
  if (recovery.txnCount > 0) replaying.finish();
  if (recovery.lastZxid > tree.lastProcessedZxid) tree.lastProcessedZxid = recovery.lastZxid;
  logger.log("info", "recovered the data tree", {
    snapshot: recovery.snapshot?.path ?? null,
    txnsReplayed: replayed,
    lastZxid: hex(tree.lastProcessedZxid),
    znodes: tree.nodeCount,
    sessions: sessions.size,
    digestMismatches: tree.digestMismatches,
  });
  return { tree, sessions, loadMs: Date.now() - startedAtMs };
}

/**
 * Recovery leaves the snapshot's file bytes (tens of MB for a large tree), the logs' and the
 * decoded txns dead at once. Collected before the server serves, they cost one full collection
 * of a heap that holds little else yet (the tree is packed off the heap), and the server
 * starts at about the memory it settles to instead of twice that until V8's next major
 * collection.
 */
async function collectRecoveryGarbage(logger: Logger): Promise<void> {
  const started = performance.now();
  const collected = await collectGarbage();
  logger.log("debug", "collected recovery's garbage", { collected, ms: Math.round(performance.now() - started) });
}

function trackSessions(sessions: Map<bigint, number>, entry: TxnEntry): void {
  const { header, body } = entry;
  if (body.type === OpCode.createSession) sessions.set(header.clientId, body.txn.timeOut);
  else if (body.type === OpCode.closeSession) sessions.delete(header.clientId);
}
