export { adler32, adler32Update, Adler32 } from "./adler32.js";
export { StorageError, StorageErrorCode } from "./errors.js";
export { nodeFs, type OpenMode, type StorageFile, type StorageFs } from "./fs.js";
export { fileName, filesOfKind, LOG_PREFIX, logsFrom, SNAPSHOT_PREFIX, VERSION_DIR, versionDir, zxidFromName, type NamedFile } from "./file-names.js";
export { encodeLogHeader, encodeTxnBytes, frameLogEntry, FILE_HEADER_BYTES, LOG_MAGIC, SNAPSHOT_MAGIC, zxidOfTxnBytes } from "./log-format.js";
export { scanLogFile, type LogEntryRef, type LogScan, type LogTail } from "./log-reader.js";
export { LatencyStats, type LatencySummary } from "./latency-stats.js";
export { FSYNC_WARNING_THRESHOLD_MS_DEFAULT, PREALLOC_SIZE_DEFAULT, TxnLogAppender, type SlowFsync, type TxnLogAppenderOptions } from "./txn-log-appender.js";
export type { EncodedSnapshotNode, SnapshotNode, SnapshotSource, ZxidDigest } from "./snapshot-types.js";
export { STAT_PERSISTED_BYTES } from "./snapshot-types.js";
export { encodeSnapshotBytes, encodeSnapshotStream, writeSnapshot, type WriteSnapshotOptions, type WrittenSnapshot } from "./snapshot-writer.js";
export { openSnapshot, parseSnapshot, readSnapshot, type LoadedSnapshot, type OpenSnapshotOptions, type SnapshotNodeBytes } from "./snapshot-reader.js";
export { looksSealed } from "./snapshot-files.js";
export { SnapshotTrigger, SNAP_COUNT_DEFAULT, type SnapshotTriggerOptions } from "./snapshot-trigger.js";
export { recover, type LogRepair, type RecoveredTxn, type Recovery, type RecoverOptions, type SkippedSnapshot } from "./recovery.js";
export { purge, PurgeScheduler, SNAP_RETAIN_COUNT_MIN, type PurgeOptions, type PurgeResult, type PurgeSchedulerOptions } from "./purge.js";
export { TxnLogStore, type TxnLogStoreOptions } from "./txn-log-store.js";
export { truncateLog, type TruncateLogOptions, type TruncateLogResult } from "./truncate-log.js";
export { SnapshotStreamScanner, snapshotFileOfStream, snapshotStreamOfFile } from "./snapshot-stream.js";
export { SnapshotStreamGatherer } from "./snapshot-stream-gatherer.js";
export {
  installSnapshotFile,
  readEpochFile,
  readMembershipFile,
  removeLogsAfter,
  writeEpochFile,
  writeMembershipFile,
  type EpochFileName,
} from "./replica-files.js";
