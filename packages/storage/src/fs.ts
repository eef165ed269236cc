import * as fsp from "node:fs/promises";
import { constants, writeSync } from "node:fs";

/**
 * The file operations storage needs, as a small interface so tests can inject failures
 * (a full disk, an fsync error) without touching a real device. `nodeFs` is the real one.
 */
export interface StorageFile {
  /**
   * Writes all of `bytes` at `position`. `inline`: a short write the caller would rather see
   * made on the spot than handed to a worker thread and back (the log's batches): a write
   * into the page cache takes microseconds, the two hand-offs cost more than that in CPU
   * and in latency. An implementation may ignore it.
   */
  writeAt(bytes: Uint8Array, position: number, inline?: boolean): Promise<void>;
  /** Reads up to `length` bytes at `position`; returns how many were read. */
  readAt(into: Uint8Array, position: number, length: number): Promise<number>;
  /** fdatasync: data and the metadata needed to read it back (FileChannel.force(false)). */
  datasync(): Promise<void>;
  truncate(length: number): Promise<void>;
  size(): Promise<number>;
  close(): Promise<void>;
}

export type OpenMode = "read" | "readWrite" | "createNew";

export interface StorageFs {
  open(path: string, mode: OpenMode): Promise<StorageFile>;
  readFile(path: string): Promise<Buffer>;
  /** File names (not paths) in `dir`; an absent directory lists as empty. */
  list(dir: string): Promise<string[]>;
  mkdirp(dir: string): Promise<void>;
  rename(from: string, to: string): Promise<void>;
  unlink(path: string): Promise<void>;
  /** Makes a directory's entries (a new or renamed file) durable. */
  syncDir(dir: string): Promise<void>;
}

/**
 * The longest write made inline: beyond it the copy into the page cache starts to hold up
 * the event loop for longer than the worker thread's hand-offs would cost.
 */
const INLINE_WRITE_BYTES_MAX = 1024 * 1024;

const openFlags: Record<OpenMode, number> = {
  read: constants.O_RDONLY,
  readWrite: constants.O_RDWR,
  createNew: constants.O_RDWR | constants.O_CREAT | constants.O_EXCL,
};

class NodeFile implements StorageFile {
  constructor(private readonly handle: fsp.FileHandle) {}

  async writeAt(bytes: Uint8Array, position: number, inline = false): Promise<void> {
    let done = 0;
    // A regular file normally takes the whole buffer at once; loop for the rare short write.
    if (inline && bytes.length <= INLINE_WRITE_BYTES_MAX) {
      // An error thrown here rejects the returned promise, as the thread pool's would.
      while (done < bytes.length) done += writeSync(this.handle.fd, bytes, done, bytes.length - done, position + done);
      return;
    }
    while (done < bytes.length) {
      const { bytesWritten } = await this.handle.write(bytes, done, bytes.length - done, position + done);
      done += bytesWritten;
    }
  }

  async readAt(into: Uint8Array, position: number, length: number): Promise<number> {
    const { bytesRead } = await this.handle.read(into, 0, length, position);
    return bytesRead;
  }

  datasync(): Promise<void> {
    return this.handle.datasync();
  }

  truncate(length: number): Promise<void> {
    return this.handle.truncate(length);
  }

  async size(): Promise<number> {
    return (await this.handle.stat()).size;
  }

  close(): Promise<void> {
    return this.handle.close();
  }
}

export const nodeFs: StorageFs = {
  async open(path, mode) {
    return new NodeFile(await fsp.open(path, openFlags[mode], 0o644));
  },
  readFile(path) {
    return fsp.readFile(path);
  },
  async list(dir) {
    try {
      return await fsp.readdir(dir);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === "ENOENT") return [];
      throw err;
    }
  },
  async mkdirp(dir) {
    await fsp.mkdir(dir, { recursive: true });
  },
  rename(from, to) {
    return fsp.rename(from, to);
  },
  unlink(path) {
    return fsp.unlink(path);
  },
  async syncDir(dir) {
    const handle = await fsp.open(dir, constants.O_RDONLY);
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
  },
};
