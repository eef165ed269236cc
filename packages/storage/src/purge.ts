import { join } from "node:path";
import { StorageError, StorageErrorCode } from "./errors.js";
import { filesOfKind, LOG_PREFIX, logsFrom, SNAPSHOT_PREFIX, versionDir } from "./file-names.js";
import { nodeFs, type StorageFs } from "./fs.js";
import { looksSealed } from "./snapshot-files.js";

export const SNAP_RETAIN_COUNT_MIN = 3;

export interface PurgeOptions {
  dataDir: string;
  dataLogDir?: string;
  /** autopurge.snapRetainCount; below 3 is refused, as PurgeTxnLog does. */
  snapRetainCount?: number;
  fs?: StorageFs;
}

export interface PurgeResult {
  /** Paths removed. */
  removed: string[];
  /** The oldest snapshot kept, or null when there was none and nothing was removed. */
  oldestRetainedZxid: bigint | null;
}

/**
 * ZooKeeper's purge rule (PurgeTxnLog): keep the newest `snapRetainCount` snapshots that look
 * complete, and the logs needed to replay from the oldest of them, i.e. the log that starts
 * at or before it and every later one. Older snapshots and logs are removed.
 */
export async function purge(options: PurgeOptions): Promise<PurgeResult> {
  const retain = options.snapRetainCount ?? SNAP_RETAIN_COUNT_MIN;
  if (!Number.isInteger(retain) || retain < SNAP_RETAIN_COUNT_MIN) {
    throw new StorageError(StorageErrorCode.invalidArgument, `snapRetainCount ${retain} must be at least ${SNAP_RETAIN_COUNT_MIN}`);
  }
  const fs = options.fs ?? nodeFs;
  const snapDir = versionDir(options.dataDir);
  const logDir = versionDir(options.dataLogDir ?? options.dataDir);
  const kept = [];
  for (const snap of filesOfKind(await fs.list(snapDir), SNAPSHOT_PREFIX, true)) {
    if (kept.length === retain) break;
    if (await looksSealed(fs, join(snapDir, snap.name))) kept.push(snap);
  }
  if (kept.length === 0) return { removed: [], oldestRetainedZxid: null };
  const leastZxid = kept[kept.length - 1]!.zxid;
  const logs = filesOfKind(await fs.list(logDir), LOG_PREFIX);
  const neededLogs = new Set(logsFrom(logs, leastZxid).map((log) => log.name));
  const doomed: string[] = [];
  for (const log of logs) {
    if (log.zxid < leastZxid && !neededLogs.has(log.name)) doomed.push(join(logDir, log.name));
  }
  for (const snap of filesOfKind(await fs.list(snapDir), SNAPSHOT_PREFIX)) {
    if (snap.zxid < leastZxid) doomed.push(join(snapDir, snap.name));
  }
  for (const path of doomed) await fs.unlink(path);
  return { removed: doomed, oldestRetainedZxid: leastZxid };
}

export interface PurgeSchedulerOptions extends PurgeOptions {
  /** autopurge.purgeInterval in hours; 0 or less disables the task. */
  purgeIntervalHours: number;
  onPurged?: (result: PurgeResult) => void;
  onError?: (error: unknown) => void;
  /** Timer functions, replaceable in tests. */
  setInterval?: (fn: () => void, ms: number) => unknown;
  clearInterval?: (handle: unknown) => void;
}

/**
 * Runs `purge` every `purgeIntervalHours` (DatadirCleanupManager). A retain count below the
 * minimum is raised to it, as ZooKeeper does for the periodic task. Runs never overlap.
 */
export class PurgeScheduler {
  private handle: unknown = null;
  private running: Promise<void> | null = null;

  constructor(private readonly options: PurgeSchedulerOptions) {}

  get enabled(): boolean {
    return this.options.purgeIntervalHours > 0;
  }

  start(): void {
    if (!this.enabled || this.handle !== null) return;
    const every = this.options.setInterval ?? ((fn, ms) => setInterval(fn, ms).unref());
    this.handle = every(() => void this.runOnce(), this.options.purgeIntervalHours * 3600 * 1000);
  }

  stop(): void {
    if (this.handle === null) return;
    const clear = this.options.clearInterval ?? ((h) => clearInterval(h as NodeJS.Timeout));
    clear(this.handle);
    this.handle = null;
  }

  /** One purge now; resolves when it finished (errors go to onError). */
  runOnce(): Promise<void> {
    if (this.running !== null) return this.running;
    const retain = Math.max(this.options.snapRetainCount ?? SNAP_RETAIN_COUNT_MIN, SNAP_RETAIN_COUNT_MIN);
    this.running = purge({ ...this.options, snapRetainCount: retain })
      .then((result) => this.options.onPurged?.(result))
      .catch((err) => this.options.onError?.(err))
      .finally(() => {
        this.running = null;
      });
    return this.running;
  }
}
