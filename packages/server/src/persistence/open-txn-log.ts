import { type StorageError, TxnLogStore } from "@zkts/storage";
import type { ServerConfig } from "../config.js";
import type { Logger } from "../logger.js";

/**
 * The transaction log as both servers keep it (the standalone store and an ensemble member's):
 * zoo.cfg's log, snapshot-trigger and autopurge settings, and what each reports to the log.
 * `random` draws the snapshot trigger's offsets.
 */
export async function openTxnLog(config: ServerConfig, logger: Logger, random: () => number): Promise<TxnLogStore> {
  return await TxnLogStore.open({
    dataDir: config.dataDir,
    dataLogDir: config.dataLogDir,
    preAllocSize: config.preAllocSizeBytes,
    txnLogSizeLimit: config.txnLogSizeLimitBytes,
    forceSync: config.forceSync,
    fsyncWarningThresholdMs: config.fsyncWarningThresholdMs,
    onSlowFsync: (slow) =>
      logger.log("warn", `fsync-ing the write ahead log took ${Math.round(slow.durationMs)}ms which will adversely effect operation latency`, {
        entries: slow.entries,
      }),
    onFailure: (err: StorageError) => logger.log("error", "the transaction log failed; no more writes will be acknowledged", { err }),
    snapCount: config.snapCount,
    snapSizeLimit: config.snapSizeLimitBytes,
    random,
    snapRetainCount: config.snapRetainCount,
    purgeIntervalHours: config.purgeIntervalHours,
    onPurged: (r) => logger.log("info", "autopurge removed old files", { removed: r.removed.length, oldestRetainedZxid: r.oldestRetainedZxid }),
    onPurgeError: (err) => logger.log("warn", "autopurge failed", { err }),
  });
}
