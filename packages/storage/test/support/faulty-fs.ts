import { nodeFs, type StorageFile, type StorageFs } from "../../src/index.js";

/**
 * The real file system with hooks: tests hold fsyncs open to watch batching, and make writes
 * or fsyncs fail the way a full or broken disk does.
 */
export class FaultyFs implements StorageFs {
  writes: { path: string; bytes: number; position: number }[] = [];
  syncs = 0;
  /** When set, called before every write; throwing from it fails the write. */
  beforeWrite: ((path: string, bytes: Uint8Array, position: number) => void) | null = null;
  /** When set, called before every fdatasync; throwing fails it, a promise delays it. */
  beforeSync: ((path: string) => void | Promise<void>) | null = null;

  async open(path: string, mode: Parameters<StorageFs["open"]>[1]): Promise<StorageFile> {
    const inner = await nodeFs.open(path, mode);
    return {
      writeAt: async (bytes, position, inline) => {
        this.beforeWrite?.(path, bytes, position);
        this.writes.push({ path, bytes: bytes.length, position });
        await inner.writeAt(bytes, position, inline);
      },
      readAt: (into, position, length) => inner.readAt(into, position, length),
      datasync: async () => {
        await this.beforeSync?.(path);
        this.syncs++;
        await inner.datasync();
      },
      truncate: (length) => inner.truncate(length),
      size: () => inner.size(),
      close: () => inner.close(),
    };
  }

  readFile = nodeFs.readFile;
  list = nodeFs.list;
  mkdirp = nodeFs.mkdirp;
  rename = nodeFs.rename;
  unlink = nodeFs.unlink;
  syncDir = nodeFs.syncDir;
}

export function errnoError(code: string, message: string): NodeJS.ErrnoException {
  const err = new Error(`${code}: ${message}`) as NodeJS.ErrnoException;
  err.code = code;
  return err;
}

/** A promise with its resolve handle, to hold an operation open until the test lets go. */
export function gate(): { promise: Promise<void>; open: () => void } {
  let open!: () => void;
  const promise = new Promise<void>((resolve) => {
    open = resolve;
  });
  return { promise, open };
}

/** Waits until `condition` holds, checking after each turn of the event loop (bounded). */
export async function waitFor(condition: () => boolean, what: string): Promise<void> {
  for (let turn = 0; turn < 100_000; turn++) {
    if (condition()) return;
    await new Promise((resolve) => setImmediate(resolve));
  }
  throw new Error(`gave up waiting for ${what}`);
}
