import { join } from "node:path";
import { JUTE_MAX_BUFFER_DEFAULT, readTxnEntry, type TxnEntry } from "@zkts/jute";
import { corruptAt, StorageError, StorageErrorCode } from "./errors.js";
import { filesOfKind, LOG_PREFIX, logsFrom, SNAPSHOT_PREFIX, SNAPSHOT_TEMP_PREFIX, versionDir, type NamedFile } from "./file-names.js";
import { nodeFs, type StorageFs } from "./fs.js";
import { readLogFile } from "./log-file-reader.js";
import { scanLogFile, type LogEntryRef, type LogScan } from "./log-reader.js";
import { looksSealed } from "./snapshot-files.js";
import { openSnapshot, type LoadedSnapshot } from "./snapshot-reader.js";

/** ZooKeeper gives up after trying this many snapshots, newest first (FileSnap.deserialize). */
const SNAPSHOTS_TRIED_MAX = 100;
/**
 * Log bytes `recover` keeps in memory between checking the logs and replaying them, so a
 * restart reads and checksums each log once. A tail longer than this (snapshots failing for a
 * long time) has its later files read again as they are replayed, one at a time.
 */
const RETAINED_LOG_BYTES_MAX = 256 * 1024 * 1024;

export interface RecoverOptions {
  dataDir: string;
  /** Defaults to dataDir. */
  dataLogDir?: string;
  fs?: StorageFs;
  maxBuffer?: number;
  /**
   * Truncate torn log tails at the last valid entry, remove log files holding no entry
   * (their header or first entry never reached disk), and remove leftover temporary
   * snapshots (default true). Only bytes that hold no intact entry are ever removed.
   */
  repair?: boolean;
  /**
   * Accept logs with no snapshot and replay them onto an empty tree
   * (zookeeper.snapshot.trust.empty); otherwise that state is an error, as in ZooKeeper.
   */
  trustEmptySnapshot?: boolean;
}

export interface SkippedSnapshot {
  path: string;
  reason: string;
}

export interface LogRepair {
  path: string;
  action: "truncated" | "removed";
  /** Where the valid entries end (the new size when truncated). */
  validEnd: number;
  reason: string;
}

export interface RecoveredTxn {
  entry: TxnEntry;
  /** The checksummed bytes, ready to be appended to another log as they are. */
  txnBytes: Buffer;
  file: string;
  offset: number;
}

export interface ZxidGap {
  /** The last zxid before the gap. */
  after: bigint;
  /** The first zxid after it, and where it was found. */
  next: bigint;
  file: string;
}

export interface Recovery {
  /** The newest snapshot whose seals check out, or null on an empty data directory. */
  snapshot: LoadedSnapshot | null;
  skippedSnapshots: SkippedSnapshot[];
  /** Log files holding txns after the snapshot, in replay order. */
  logFiles: string[];
  repairs: LogRepair[];
  /** Number of txns `txns()` will yield. */
  txnCount: number;
  /** The highest zxid known: the last logged txn, or the snapshot's. -1 when there is nothing. */
  lastZxid: bigint;
  /**
   * Places after the snapshot where the zxid counter skips within one epoch. A leader numbers
   * every txn of an epoch consecutively, so a skip means txns are missing (for example a log
   * file deleted by hand, or a damaged tail of an older file); the caller decides whether to
   * start anyway.
   */
  gaps: ZxidGap[];
  /**
   * Every logged txn after the snapshot's zxid, in zxid order across files, decoded. The
   * entries checked by `recover` are decoded from the bytes it read; only files past its
   * memory budget are read again, one at a time.
   */
  txns(): AsyncGenerator<RecoveredTxn>;
}

/**
 * Finds the state to start from: the newest valid snapshot, then every later logged txn.
 * All needed logs are checked (and repaired) before this resolves, so an error names the
 * damaged file and offset before anything is applied.
 */
export async function recover(options: RecoverOptions): Promise<Recovery> {
  const fs = options.fs ?? nodeFs;
  const repair = options.repair ?? true;
  const maxBuffer = options.maxBuffer ?? JUTE_MAX_BUFFER_DEFAULT;
  const snapDir = versionDir(options.dataDir);
  const logDir = versionDir(options.dataLogDir ?? options.dataDir);
  if (logDir !== snapDir) await checkDirsNotMixed(fs, snapDir, logDir);
  if (repair) await removeTempSnapshots(fs, snapDir);

  const { snapshot, skipped } = await newestValidSnapshot(fs, snapDir, maxBuffer);
  const allLogs = filesOfKind(await fs.list(logDir), LOG_PREFIX);
  if (snapshot === null && allLogs.length > 0 && !options.trustEmptySnapshot) {
    throw new StorageError(
      StorageErrorCode.missingSnapshot,
      `${logDir} holds transaction logs but ${snapDir} has no valid snapshot; ` +
        "refusing to start from an empty tree (set trustEmptySnapshot to replay the logs anyway)",
    );
  }
  const snapZxid = snapshot?.zxid ?? -1n;
  const needed = snapshot === null ? allLogs : logsFrom(allLogs, snapZxid);

  const repairs: LogRepair[] = [];
  const usable: UsableLog[] = [];
  let retainedBytes = 0;
  let txnCount = 0;
  let lastZxid = snapZxid;
  const gaps: ZxidGap[] = [];
  for (const log of needed) {
    const path = join(logDir, log.name);
    const scan = await readLogFile(fs, path, { maxBuffer });
    checkNameMatchesFirstEntry(log, scan);
    if (repair) await repairTail(fs, scan, repairs);
    if (scan.entries.length === 0) continue;
    const retained = retainedBytes + scan.validEnd <= RETAINED_LOG_BYTES_MAX;
    if (retained) retainedBytes += scan.validEnd;
    usable.push({ path, validEnd: scan.validEnd, entries: retained ? scan.entries : null });
    for (const e of scan.entries) {
      if (e.zxid <= lastZxid) continue;
      // The epochs are compared only off the common path, where each txn follows the last.
      if (lastZxid >= 0n && e.zxid !== lastZxid + 1n && epochOf(e.zxid) === epochOf(lastZxid)) {
        gaps.push({ after: lastZxid, next: e.zxid, file: path });
      }
      lastZxid = e.zxid;
      txnCount++;
    }
  }

  return {
    snapshot,
    skippedSnapshots: skipped,
    logFiles: usable.map((u) => u.path),
    repairs,
    txnCount,
    lastZxid,
    gaps,
    txns: () => replay(fs, usable, snapZxid, maxBuffer),
  };
}

function epochOf(zxid: bigint): bigint {
  return zxid >> 32n;
}

async function newestValidSnapshot(
  fs: StorageFs,
  snapDir: string,
  maxBuffer: number,
): Promise<{ snapshot: LoadedSnapshot | null; skipped: SkippedSnapshot[] }> {
  const skipped: SkippedSnapshot[] = [];
  let tried = 0;
  for (const snap of filesOfKind(await fs.list(snapDir), SNAPSHOT_PREFIX, true)) {
    const path = join(snapDir, snap.name);
    if (!(await looksSealed(fs, path))) {
      skipped.push({ path, reason: "does not end with a seal (incomplete)" });
      continue;
    }
    if (++tried > SNAPSHOTS_TRIED_MAX) break;
    try {
      return { snapshot: await openSnapshot(path, { fs, maxBuffer }), skipped };
    } catch (err) {
      skipped.push({ path, reason: (err as Error).message });
    }
  }
  return { snapshot: null, skipped };
}

/** A log is named after its first zxid; a mismatch means files were mixed up or damaged. */
function checkNameMatchesFirstEntry(log: NamedFile, scan: LogScan): void {
  const first = scan.entries[0];
  if (first !== undefined && first.zxid !== log.zxid) {
    throw corruptAt(scan.file, first.offset, `first entry has zxid 0x${first.zxid.toString(16)} but the file is named for 0x${log.zxid.toString(16)}`);
  }
}

async function repairTail(fs: StorageFs, scan: LogScan, repairs: LogRepair[]): Promise<void> {
  // A log with no entry holds nothing to keep, and its name would collide with the file the
  // next append creates for the same zxid.
  if (scan.entries.length === 0) {
    await fs.unlink(scan.file);
    const reason = scan.tail.kind === "clean" ? "no entries" : scan.tail.reason;
    repairs.push({ path: scan.file, action: "removed", validEnd: 0, reason });
    return;
  }
  if (scan.tail.kind !== "torn" || !scan.dirtyTail) return;
  const file = await fs.open(scan.file, "readWrite");
  try {
    await file.truncate(scan.validEnd);
    await file.datasync();
  } finally {
    await file.close();
  }
  repairs.push({ path: scan.file, action: "truncated", validEnd: scan.validEnd, reason: scan.tail.reason });
}

/**
 * With a separate dataLogDir, logs in the snapshot directory (or snapshots in the log
 * directory) mean the configuration no longer matches the files, and recovering would
 * silently skip txns. ZooKeeper refuses to start in that case too (FileTxnSnapLog).
 */
async function checkDirsNotMixed(fs: StorageFs, snapDir: string, logDir: string): Promise<void> {
  if (filesOfKind(await fs.list(snapDir), LOG_PREFIX).length > 0) {
    throw new StorageError(StorageErrorCode.invalidArgument, `snapshot directory ${snapDir} holds log files but logs are expected in ${logDir}`);
  }
  if (filesOfKind(await fs.list(logDir), SNAPSHOT_PREFIX).length > 0) {
    throw new StorageError(StorageErrorCode.invalidArgument, `log directory ${logDir} holds snapshot files but snapshots are expected in ${snapDir}`);
  }
}

async function removeTempSnapshots(fs: StorageFs, snapDir: string): Promise<void> {
  for (const name of await fs.list(snapDir)) {
    if (name.startsWith(`${SNAPSHOT_TEMP_PREFIX}.`)) await fs.unlink(join(snapDir, name));
  }
}

interface UsableLog {
  path: string;
  validEnd: number;
  /** The checked entries, views into the bytes read; null when they must be read again. */
  entries: LogEntryRef[] | null;
}

async function* replay(fs: StorageFs, logs: UsableLog[], afterZxid: bigint, maxBuffer: number): AsyncGenerator<RecoveredTxn> {
  let lastZxid = afterZxid;
  for (const log of logs) {
    const entries = log.entries ?? scanLogFile(log.path, (await fs.readFile(log.path)).subarray(0, log.validEnd), { maxBuffer }).entries;
    // Entries already yielded need not stay reachable from here once their file is done.
    log.entries = null;
    for (const ref of entries) {
      // Txns at or below the snapshot (or repeated across files) are already in the state.
      if (ref.zxid <= lastZxid) continue;
      lastZxid = ref.zxid;
      let entry: TxnEntry;
      try {
        entry = readTxnEntry(ref.txnBytes, maxBuffer);
      } catch (err) {
        throw corruptAt(log.path, ref.offset, `undecodable txn (${(err as Error).message})`);
      }
      yield { entry, txnBytes: ref.txnBytes, file: log.path, offset: ref.offset };
    }
  }
}
