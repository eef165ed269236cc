import { join } from "node:path";
import { fileName, LOG_PREFIX } from "./file-names.js";
import type { StorageFile, StorageFs } from "./fs.js";
import { encodeLogHeader, LOG_DBID } from "./log-format.js";

/**
 * ZooKeeper grows a log file by preallocating once the write position comes within this many
 * bytes of the allocated end (FilePadding), so metadata updates are rare.
 */
const PREALLOCATE_MARGIN_BYTES = 4096;

export interface LogFileOptions {
  fs: StorageFs;
  /** The `version-2` directory the file lives in. */
  dir: string;
  firstZxid: bigint;
  /** Bytes to grow by; 0 disables preallocation. */
  preAllocSize: number;
  dbid?: bigint;
}

/**
 * One open log file being appended to: it tracks the write position and the preallocated
 * size, and makes its directory entry durable on its first sync.
 */
export class LogFile {
  private allocated: number;
  private dirSynced = false;

  private constructor(
    private readonly options: LogFileOptions,
    private readonly file: StorageFile,
    readonly name: string,
    /** Where the next entry goes; everything before it is header and entries. */
    public position: number,
  ) {
    this.allocated = position;
  }

  static async create(options: LogFileOptions): Promise<LogFile> {
    const name = fileName(LOG_PREFIX, options.firstZxid);
    const file = await options.fs.open(join(options.dir, name), "createNew");
    const log = new LogFile(options, file, name, 0);
    try {
      await log.write(encodeLogHeader(options.dbid ?? LOG_DBID));
    } catch (err) {
      await file.close().catch(() => undefined);
      throw err;
    }
    return log;
  }

  get path(): string {
    return join(this.options.dir, this.name);
  }

  /** Bytes of header and entries written so far (not counting padding). */
  get size(): number {
    return this.position;
  }

  /**
   * How long the file is on disk: the preallocated length, or the written bytes when they
   * reach past it. ZooKeeper measures its log by this length (FileTxnLog.getCurrentLogSize).
   */
  get length(): number {
    return Math.max(this.allocated, this.position);
  }

  /** Appends framed entries at the write position, growing the file first when needed. */
  async write(bytes: Uint8Array): Promise<void> {
    await this.preallocate(this.position + bytes.length);
    // The fsync that follows waits on the device off the event loop; the copy need not.
    await this.file.writeAt(bytes, this.position, true);
    this.position += bytes.length;
  }

  async sync(): Promise<void> {
    await this.file.datasync();
    if (!this.dirSynced) {
      await this.options.fs.syncDir(this.options.dir);
      this.dirSynced = true;
    }
  }

  close(): Promise<void> {
    return this.file.close();
  }

  private async preallocate(end: number): Promise<void> {
    const step = this.options.preAllocSize;
    if (step <= 0 || end + PREALLOCATE_MARGIN_BYTES < this.allocated) return;
    const target = (Math.floor((end + PREALLOCATE_MARGIN_BYTES) / step) + 1) * step;
    // One zero byte at the new end extends the file; the gap reads back as zeros.
    await this.file.writeAt(new Uint8Array(1), target - 1);
    this.allocated = target;
  }
}
