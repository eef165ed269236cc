import { JUTE_MAX_BUFFER_DEFAULT } from "@zkts/jute";
import type { StorageFile, StorageFs } from "./fs.js";
import { ENTRY_OVERHEAD_BYTES, ENTRY_PREFIX_BYTES, FILE_HEADER_BYTES, FORMAT_VERSION, LOG_MAGIC } from "./log-format.js";
import { firstNonZero, readEntryAt, scanLogFile, type LogEntryRef, type LogScan, type ScanOptions } from "./log-reader.js";

/** Bytes read per call while walking the entries, and while checking the zero padding after them. */
const READ_CHUNK_BYTES = 1024 * 1024;
/** The first buffer for a file's entries; it doubles as they need, up to the file's size. */
const FIRST_BUFFER_BYTES = 4 * 1024 * 1024;

/**
 * Reads one transaction log from disk into a LogScan, the same one `scanLogFile` makes of the
 * whole file's bytes, while touching only what it must.
 *
 * A log is preallocated in steps of 64 MiB, so most of a file is zero padding after its last
 * entry. Reading the file whole faults in and copies all of it, twice over for the two files a
 * restart usually needs. Here the entries are read into a buffer that grows with them (an entry
 * already found keeps viewing the buffer it was read into, so nothing is read twice), and the
 * padding is checked to be zeros through one small reused buffer. Anything but a clean end (a bad header, a torn or
 * damaged entry, stray bytes in the padding) is rare, and is decided by `scanLogFile` over the
 * whole file, so every such case ends exactly as it always has.
 */
export async function readLogFile(fs: StorageFs, path: string, options: ScanOptions = {}): Promise<LogScan> {
  const maxBuffer = options.maxBuffer ?? JUTE_MAX_BUFFER_DEFAULT;
  const handle = await fs.open(path, "read");
  let clean: LogScan | null;
  try {
    clean = await scanCleanLog(handle, path, maxBuffer);
  } finally {
    await handle.close();
  }
  return clean ?? scanLogFile(path, await fs.readFile(path), { maxBuffer });
}

/** The scan of a log whose entries end cleanly, or null when the file needs the full scan. */
async function scanCleanLog(handle: StorageFile, path: string, maxBuffer: number): Promise<LogScan | null> {
  const size = await handle.size();
  let bytes = Buffer.allocUnsafe(Math.min(size, FIRST_BUFFER_BYTES));
  let loaded = 0;
  /** Reads on until `end` bytes are loaded or the file ends; false if it ended early. */
  const loadTo = async (end: number): Promise<boolean> => {
    const target = Math.min(size, Math.max(end, loaded + READ_CHUNK_BYTES));
    if (target > bytes.length) {
      const grown = Buffer.allocUnsafe(Math.min(size, Math.max(target, bytes.length * 2)));
      bytes.copy(grown, 0, 0, loaded);
      bytes = grown;
    }
    while (loaded < target) {
      const n = await handle.readAt(bytes.subarray(loaded, target), loaded, target - loaded);
      if (n === 0) return false; // The file shrank under us: let the full scan decide.
      loaded += n;
    }
    return true;
  };

  if (!(await loadTo(FILE_HEADER_BYTES)) || loaded < FILE_HEADER_BYTES) return null;
  if (bytes.readInt32BE(0) !== LOG_MAGIC || bytes.readInt32BE(4) !== FORMAT_VERSION) return null;
  const dbid = bytes.readBigInt64BE(8);
  const entries: LogEntryRef[] = [];
  let offset = FILE_HEADER_BYTES;
  for (;;) {
    // Load enough that `readEntryAt` judges this entry as it would on the whole file: either
    // all of its bytes are loaded, or everything up to the file's end is.
    if (loaded - offset < ENTRY_PREFIX_BYTES && !(await loadTo(offset + ENTRY_PREFIX_BYTES))) return null;
    if (loaded - offset >= ENTRY_PREFIX_BYTES) {
      const length = bytes.readInt32BE(offset + 8);
      const entryEnd = offset + ENTRY_OVERHEAD_BYTES + length;
      if (length > 0 && length <= maxBuffer && loaded < entryEnd && !(await loadTo(entryEnd))) return null;
    }
    const step = readEntryAt(bytes, offset, maxBuffer, loaded);
    if (step.kind === "bad") return null;
    if (step.kind === "end") break;
    entries.push({ offset, zxid: step.txnBytes.readBigInt64BE(TXN_HEADER_ZXID_OFFSET), txnBytes: step.txnBytes });
    offset = step.next;
  }
  if (firstNonZero(bytes, offset, loaded) !== -1) return null;
  if (!(await restIsZeros(handle, loaded, size))) return null;
  return { file: path, dbid, entries, validEnd: offset, dirtyTail: false, tail: { kind: "clean" } };
}

/** The zxid's offset inside a TxnHeader{long clientId, int cxid, long zxid, ...}. */
const TXN_HEADER_ZXID_OFFSET = 12;

async function restIsZeros(handle: StorageFile, from: number, size: number): Promise<boolean> {
  const chunk = Buffer.allocUnsafe(Math.min(READ_CHUNK_BYTES, size - from));
  for (let position = from; position < size;) {
    const n = await handle.readAt(chunk, position, Math.min(chunk.length, size - position));
    if (n === 0) return false;
    if (firstNonZero(chunk, 0, n) !== -1) return false;
    position += n;
  }
  return true;
}
