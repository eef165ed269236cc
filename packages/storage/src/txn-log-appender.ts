import { JuteWriter, type TxnEntry } from "@zkts/jute";
import { StorageError, StorageErrorCode } from "./errors.js";
import { versionDir } from "./file-names.js";
import { nodeFs, type StorageFs } from "./fs.js";
import { LatencyStats, type LatencySummary } from "./latency-stats.js";
import { LogFile } from "./log-file.js";
import { encodeTxnBytes, FILE_HEADER_BYTES, frameLogEntry, logEntrySize, zxidOfTxnBytes } from "./log-format.js";

export const PREALLOC_SIZE_DEFAULT = 64 * 1024 * 1024;
export const FSYNC_WARNING_THRESHOLD_MS_DEFAULT = 1000;
const BATCH_BYTES_MAX_DEFAULT = 4 * 1024 * 1024;

export interface SlowFsync {
  file: string;
  durationMs: number;
  thresholdMs: number;
  entries: number;
}

export interface TxnLogAppenderOptions {
  /** dataLogDir (or dataDir when they are the same); files go in its `version-2/`. */
  dataLogDir: string;
  fs?: StorageFs;
  /** zookeeper.preAllocSize, in bytes here (ZooKeeper's property is in KiB). 0 disables. */
  preAllocSize?: number;
  /** zookeeper.txnLogSizeLimitInKb, in bytes here: roll before a file grows past it. 0 = none. */
  txnLogSizeLimit?: number;
  /** zookeeper.forceSync; false skips fsync (appends resolve once written). */
  forceSync?: boolean;
  /** zookeeper.fsync.warningthresholdms. */
  fsyncWarningThresholdMs?: number;
  onSlowFsync?: (slow: SlowFsync) => void;
  /** Called once when the log fails; the same error rejects every later append. */
  onFailure?: (error: StorageError) => void;
  /** The most bytes of entries in one write; a larger batch is written in several, under one fsync. */
  batchBytesMax?: number;
  /** A millisecond clock for fsync latency. */
  now?: () => number;
}

/** One batch as the caller handed it, or a roll marker; each is written on its own, in order. */
type Pending =
  | { kind: "batch"; entries: EncodedEntry[]; resolve: () => void; reject: (e: Error) => void }
  | { kind: "roll"; resolve: () => void; reject: (e: Error) => void };

interface EncodedEntry {
  txnBytes: Uint8Array;
  zxid: bigint;
}

/**
 * Appends transactions to the log a batch at a time: each batch the caller hands over is
 * written and (with forceSync) fsynced on its own, and its promise resolves only after that
 * fsync. Batches queued behind one in flight wait their turn and are never merged with it:
 * gathering requests into batches is the caller's one job (the standalone server's pipeline
 * takes what arrived during the previous fsync, an ensemble member persists one Ready), so a
 * request is never held by two group-commit queues. After any write or fsync error the appender
 * is failed for good: it rejects that batch and every later append, because after a failed
 * fsync nothing tells which of the written bytes are durable.
 */
export class TxnLogAppender {
  private readonly fs: StorageFs;
  private readonly dir: string;
  private readonly preAllocSize: number;
  private readonly sizeLimit: number;
  private readonly forceSync: boolean;
  private readonly warnMs: number;
  private readonly batchBytesMax: number;
  private readonly now: () => number;
  private readonly fsyncLatency = new LatencyStats();
  private readonly encoder = new JuteWriter(1024);
  private queue: Pending[] = [];
  private draining: Promise<void> | null = null;
  private file: LogFile | null = null;
  private failure_: StorageError | null = null;
  private closed = false;
  private lastQueuedZxid: bigint | null = null;
  private lastDurableZxid_: bigint | null = null;
  /** On-disk length of the files this appender has finished. */
  private endedFilesBytes = 0;

  private constructor(private readonly options: TxnLogAppenderOptions) {
    this.fs = options.fs ?? nodeFs;
    this.dir = versionDir(options.dataLogDir);
    this.preAllocSize = options.preAllocSize ?? PREALLOC_SIZE_DEFAULT;
    this.sizeLimit = options.txnLogSizeLimit ?? 0;
    this.forceSync = options.forceSync ?? true;
    this.warnMs = options.fsyncWarningThresholdMs ?? FSYNC_WARNING_THRESHOLD_MS_DEFAULT;
    this.batchBytesMax = options.batchBytesMax ?? BATCH_BYTES_MAX_DEFAULT;
    this.now = options.now ?? (() => performance.now());
  }

  /**
   * Creates the log directory if needed. Like ZooKeeper after a restart, the first append
   * opens a new file named after its zxid; existing files are never appended to.
   */
  static async open(options: TxnLogAppenderOptions): Promise<TxnLogAppender> {
    const appender = new TxnLogAppender(options);
    await appender.fs.mkdirp(appender.dir);
    return appender;
  }

  /** The error that failed the log, or null while it is healthy. */
  get failure(): StorageError | null {
    return this.failure_;
  }

  get failed(): boolean {
    return this.failure_ !== null;
  }

  /** Path of the file being appended to, or null between rolls. */
  get currentFile(): string | null {
    return this.file?.path ?? null;
  }

  /** The highest zxid whose append has resolved. */
  get lastDurableZxid(): bigint | null {
    return this.lastDurableZxid_;
  }

  /**
   * The on-disk length of every log file this appender has written, preallocation included:
   * what ZooKeeper's FileTxnLog.getTotalLogSize adds up, and its snapSizeLimitInKb rule
   * compares with. It only grows; a caller measures what was logged since a moment by the
   * difference.
   */
  get bytesOnDisk(): number {
    return this.endedFilesBytes + (this.file?.length ?? 0);
  }

  fsyncStats(): LatencySummary {
    return this.fsyncLatency.summary();
  }

  resetFsyncStats(): void {
    this.fsyncLatency.reset();
  }

  /**
   * Appends one transaction (a TxnEntry, or its already-encoded bytes) as a batch of its own
   * and resolves once it is written and, with forceSync, fsynced. Zxids must increase.
   */
  append(entry: TxnEntry | Uint8Array): Promise<void> {
    return this.appendBatch([entry]);
  }

  /**
   * Appends a batch the caller gathered (zxids increasing) and resolves once all of it is
   * written and, with forceSync, fsynced: one write and one fsync (more only where the batch
   * crosses into a new file or past the write size cap). A batch with an entry that cannot be
   * encoded, or whose zxids do not increase, is refused whole.
   */
  appendBatch(entries: readonly (TxnEntry | Uint8Array)[]): Promise<void> {
    const refused = this.refusal();
    if (refused !== null) return Promise.reject(refused);
    if (entries.length === 0) return Promise.resolve();
    const encoded: EncodedEntry[] = [];
    let lastZxid = this.lastQueuedZxid;
    for (const entry of entries) {
      let txnBytes: Uint8Array;
      let zxid: bigint;
      try {
        txnBytes = entry instanceof Uint8Array ? entry : encodeTxnBytes(entry, this.encoder);
        zxid = zxidOfTxnBytes(txnBytes);
      } catch (err) {
        return Promise.reject(invalid(`cannot encode txn: ${(err as Error).message}`));
      }
      if (lastZxid !== null && zxid <= lastZxid) {
        return Promise.reject(invalid(`zxid 0x${zxid.toString(16)} does not follow 0x${lastZxid.toString(16)}`));
      }
      lastZxid = zxid;
      encoded.push({ txnBytes, zxid });
    }
    this.lastQueuedZxid = lastZxid;
    return new Promise((resolve, reject) => {
      this.queue.push({ kind: "batch", entries: encoded, resolve, reject });
      this.startDraining();
    });
  }

  /**
   * Ends the current file once every batch appended before this call is durable; the next
   * append starts a new file. ZooKeeper rolls the log this way when it starts a snapshot.
   */
  roll(): Promise<void> {
    const refused = this.refusal();
    if (refused !== null) return Promise.reject(refused);
    return new Promise((resolve, reject) => {
      this.queue.push({ kind: "roll", resolve, reject });
      this.startDraining();
    });
  }

  /** Waits until everything queued so far has been handled (resolved or rejected). */
  async flush(): Promise<void> {
    while (this.draining !== null) await this.draining;
  }

  /** Refuses new appends, finishes the queued ones and closes the file. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.flush();
    await this.endFile().catch(() => undefined);
  }

  private refusal(): StorageError | null {
    if (this.failure_ !== null) return this.failure_;
    if (this.closed) return new StorageError(StorageErrorCode.closed, "transaction log is closed");
    return null;
  }

  private startDraining(): void {
    if (this.draining !== null) return;
    // Started a microtask later, so an append returns to its caller before any I/O begins.
    this.draining = Promise.resolve()
      .then(() => this.drain())
      .finally(() => {
        this.draining = null;
        if (this.queue.length > 0) this.startDraining();
      });
  }

  private async drain(): Promise<void> {
    while (this.queue.length > 0) {
      // Taken whole (not shifted one by one): callers appending entry by entry can queue many.
      const taken = this.queue;
      this.queue = [];
      for (let i = 0; i < taken.length; i++) {
        const next = taken[i]!;
        try {
          if (next.kind === "roll") await this.endFile();
          else await this.writeBatch(next.entries);
        } catch (err) {
          this.fail(err, taken.slice(i));
          return;
        }
        if (next.kind === "batch") this.lastDurableZxid_ = next.entries[next.entries.length - 1]!.zxid;
        next.resolve();
      }
    }
  }

  private async writeBatch(batch: EncodedEntry[]): Promise<void> {
    let start = 0;
    while (start < batch.length) {
      if (this.file === null) {
        this.file = await LogFile.create({
          fs: this.fs,
          dir: this.dir,
          firstZxid: batch[start]!.zxid,
          preAllocSize: this.preAllocSize,
        });
      }
      const end = this.segmentEnd(batch, start, this.file.size);
      if (end > start) {
        // A very large batch goes out in writes of at most batchBytesMax, under one fsync.
        for (let from = start; from < end;) {
          const to = this.writeEnd(batch, from, end);
          await this.file.write(frame(batch, from, to));
          from = to;
        }
        await this.sync(end - start);
        start = end;
      }
      // Entries left over did not fit under the size limit: they start the next file.
      if (start < batch.length) await this.endFile();
    }
  }

  /** Where the write starting at `from` ends: at `end`, or before passing batchBytesMax (at least one entry). */
  private writeEnd(batch: EncodedEntry[], from: number, end: number): number {
    let bytes = logEntrySize(batch[from]!.txnBytes);
    let to = from + 1;
    while (to < end && bytes + logEntrySize(batch[to]!.txnBytes) <= this.batchBytesMax) bytes += logEntrySize(batch[to++]!.txnBytes);
    return to;
  }

  /**
   * How many entries from `start` go into the current file. Like ZooKeeper, the size limit is
   * checked before each append, so a file ends with the first entry that takes it past the
   * limit; a file always takes at least one entry.
   */
  private segmentEnd(batch: EncodedEntry[], start: number, fileSize: number): number {
    if (this.sizeLimit <= 0) return batch.length;
    let size = fileSize;
    let end = start;
    while (end < batch.length) {
      if (size > this.sizeLimit && size > FILE_HEADER_BYTES) break;
      size += logEntrySize(batch[end]!.txnBytes);
      end++;
    }
    return end;
  }

  private async sync(entries: number): Promise<void> {
    if (!this.forceSync) return;
    const file = this.file!;
    const started = this.now();
    await file.sync();
    const durationMs = this.now() - started;
    this.fsyncLatency.record(durationMs);
    if (durationMs > this.warnMs) {
      this.options.onSlowFsync?.({ file: file.path, durationMs, thresholdMs: this.warnMs, entries });
    }
  }

  private async endFile(): Promise<void> {
    const file = this.file;
    if (file === null) return;
    this.file = null;
    this.endedFilesBytes += file.length;
    await file.close();
  }

  /** `unfinished`: the batch that failed and those taken with it but not yet written. */
  private fail(cause: unknown, unfinished: Pending[]): void {
    const where = this.file?.path ?? this.dir;
    const error = new StorageError(
      StorageErrorCode.failed,
      `transaction log ${where} failed (${(cause as Error)?.message ?? String(cause)}); ` + "the batch was not persisted and no further appends are accepted",
      { cause },
    );
    this.failure_ = error;
    const rejected = unfinished.concat(this.queue);
    this.queue = [];
    const file = this.file;
    this.file = null;
    if (file !== null) void file.close().catch(() => undefined);
    for (const pending of rejected) pending.reject(error);
    this.options.onFailure?.(error);
  }
}

function frame(batch: EncodedEntry[], start: number, end: number): Buffer {
  let bytes = 0;
  for (let i = start; i < end; i++) bytes += logEntrySize(batch[i]!.txnBytes);
  const out = Buffer.allocUnsafe(bytes);
  let offset = 0;
  for (let i = start; i < end; i++) offset = frameLogEntry(batch[i]!.txnBytes, out, offset);
  return out;
}

function invalid(message: string): StorageError {
  return new StorageError(StorageErrorCode.invalidArgument, message);
}
