import { DataTree, type DataTreeOptions } from "@zkts/datatree";
import type { LoadedSnapshot, TxnLogStore } from "@zkts/storage";
import type { PersistedState, Ready } from "@zkts/zab";
import type { ServerConfig } from "../config.js";
import { type Logger, hex } from "../logger.js";
import { restoreSnapshot } from "../persistence/tree-snapshot.js";
import { writeTreeSnapshot } from "../persistence/write-tree-snapshot.js";
import { openTxnLog } from "../persistence/open-txn-log.js";
import { FsyncSampler } from "../metrics/fsync-sampler.js";
import type { StoreTimings } from "../persistence/durable-store.js";
import { UNSAFE_LOG_WRITE_HOLD_MS } from "../unsafe-modes.js";
import { HeldLogWrites } from "./held-log-writes.js";
import { type ReplicaDiskEvents, type ReplicaDiskPlace, type ReplicaLog, persistReady, recoverReplica } from "./replica-disk.js";

/** What a peer starts from: the tree of the newest snapshot, its sessions, and zab's view of the disk. */
export interface EnsembleRecovery {
  tree: DataTree;
  sessions: Map<bigint, number>;
  persisted: PersistedState;
  /** How long loading the snapshot and reading the log took (ZooKeeper's dbinittime). */
  loadMs: number;
}

/**
 * A replica's disk, written as zab's Ready asks (`replica-disk.ts`: snapshots installed from
 * the leader, log truncations, txn-log appends in ZooKeeper's format, one write and one fsync
 * per Ready, the epoch and dynamic-config files, each replaced atomically), and the snapshots
 * the member takes of its own state when the log's trigger says so. The tree is loaded from
 * the snapshot only: the core hands the logged entries back as committed once its leader says so.
 * Autopurge (autopurge.purgeInterval hours, keeping autopurge.snapRetainCount snapshots and
 * the logs they need) runs from open() to close().
 */
export class EnsembleStore {
  private snapshotRunning: Promise<void> | null = null;
  /** zkts.unsafe=ack-before-fsync only: log appends reported durable before they are issued. */
  private readonly heldWrites: HeldLogWrites | null;
  private timings: StoreTimings | null = null;
  private fsyncSampler: FsyncSampler | null = null;
  private readonly place: ReplicaDiskPlace;
  private readonly replicaLog: ReplicaLog;
  private readonly events: ReplicaDiskEvents;

  private constructor(
    private readonly config: ServerConfig,
    private readonly logger: Logger,
    private readonly log: TxnLogStore,
  ) {
    this.heldWrites =
      config.unsafe === "ack-before-fsync"
        ? new HeldLogWrites(UNSAFE_LOG_WRITE_HOLD_MS, Date.now, (err) => logger.log("error", "a held log write failed", { err }))
        : null;
    this.place = placeOf(config);
    this.replicaLog = {
      append: (entries) => {
        if (this.heldWrites === null) return this.appendEntries(entries);
        this.heldWrites.hold(() => this.appendEntries(entries));
        return Promise.resolve();
      },
      rewriteLog: (rewrite) => this.log.rewriteLog(rewrite),
      // Held writes reach the disk before anything that replaces or cuts the log.
      settled: async () => await this.heldWrites?.drained(),
    };
    this.events = {
      snapshotInstalled: (zxid, bytes) => logger.log("info", "installed the leader's snapshot", { zxid: hex(zxid), bytes }),
      truncated: (zxid, result) => logger.log("info", "truncated the log on the leader's TRUNC", { zxid: hex(zxid), ...result }),
    };
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
    const { persisted, snapshot, repairs } = await recoverReplica(placeOf(config));
    for (const repair of repairs) logger.log("warn", "repaired a torn transaction log tail", { repair });
    const tree = new DataTree(treeOptions);
    let sessions = new Map<bigint, number>();
    if (snapshot !== null) sessions = await restoreSnapshot(tree, snapshot, logger, config.progressIntervalMs, persisted.entries.length);
    else tree.lastProcessedZxid = 0n;
    logger.log("info", "recovered replica state", {
      snapshotZxid: hex(persisted.snapshotZxid),
      logEntries: persisted.entries.length,
      acceptedEpoch: persisted.acceptedEpoch,
      currentEpoch: persisted.currentEpoch,
    });
    const loadMs = Date.now() - startedAtMs;
    const log = await openTxnLog(config, logger, random);
    const store = new EnsembleStore(config, logger, log);
    log.startPurging();
    return { store, recovery: { tree, sessions, persisted, loadMs } };
  }

  fsyncStats() {
    return this.log.fsyncStats();
  }

  /**
   * Persists one Ready in the order the core requires (snapshot, truncation, entries, epochs,
   * configuration). Returns the installed snapshot, which the caller loads into a fresh tree.
   */
  async persist(r: Ready): Promise<LoadedSnapshot | null> {
    return await persistReady(r, this.place, this.replicaLog, this.events);
  }

  private async appendEntries(entries: readonly Uint8Array[]): Promise<void> {
    // A snapshot falling due rolls the log here, so older files hold only what it covers.
    await this.log.append(entries);
    this.fsyncSampler?.sample(this.log.fsyncStats());
  }

  async close(): Promise<void> {
    await this.heldWrites?.drained();
    if (this.snapshotRunning !== null) await this.snapshotRunning;
    await this.log.close();
  }
}

function placeOf(config: ServerConfig): ReplicaDiskPlace {
  return { dataDir: config.dataDir, dataLogDir: config.dataLogDir, maxBuffer: config.juteMaxBuffer };
}
