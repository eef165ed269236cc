import { JUTE_MAX_BUFFER_DEFAULT } from "@zkts/jute";
import { adler32 } from "./adler32.js";
import { corruptAt } from "./errors.js";
import { END_OF_RECORD, ENTRY_OVERHEAD_BYTES, ENTRY_PREFIX_BYTES, FILE_HEADER_BYTES, FORMAT_VERSION, LOG_MAGIC, zxidOfTxnBytes } from "./log-format.js";

/**
 * Reads one transaction log file held in memory and decides where its valid entries end.
 *
 * A crash can leave the last write incomplete: a short file, a zero-filled or half-written
 * entry. That is a torn tail, and the entries before it are all there is. Damage followed by
 * an intact entry is different: something that was once acknowledged may sit behind it, so
 * the scan refuses with an error naming the file and offset instead of dropping it.
 */

export interface LogEntryRef {
  /** Byte offset of the entry's checksum field. */
  offset: number;
  zxid: bigint;
  /** The checksummed bytes (TxnHeader + txn record [+ TxnDigest]), a view into the file. */
  txnBytes: Buffer;
}

export type LogTail =
  /** The entries run to the end of the file or to a zero length followed only by zeros. */
  | { kind: "clean" }
  /** An incomplete or damaged last entry with nothing intact after it. */
  | { kind: "torn"; offset: number; reason: string }
  /** The header itself never made it to disk completely; the file holds no entries. */
  | { kind: "tornHeader"; reason: string };

export interface LogScan {
  file: string;
  dbid: bigint | null;
  entries: LogEntryRef[];
  /** Offset just past the last valid entry (the header's end when there is none). */
  validEnd: number;
  /** True when bytes other than zeros follow `validEnd`, so a repair would truncate. */
  dirtyTail: boolean;
  tail: LogTail;
}

export interface ScanOptions {
  maxBuffer?: number;
}

export function scanLogFile(file: string, bytes: Buffer, options: ScanOptions = {}): LogScan {
  const maxBuffer = options.maxBuffer ?? JUTE_MAX_BUFFER_DEFAULT;
  const header = checkHeader(file, bytes);
  if (header !== null) {
    return { file, dbid: null, entries: [], validEnd: 0, dirtyTail: bytes.length > 0, tail: header };
  }
  const dbid = bytes.readBigInt64BE(8);
  const entries: LogEntryRef[] = [];
  let offset = FILE_HEADER_BYTES;
  for (;;) {
    const step = readEntryAt(bytes, offset, maxBuffer);
    if (step.kind === "entry") {
      entries.push({ offset, zxid: zxidOfTxnBytes(step.txnBytes), txnBytes: step.txnBytes });
      offset = step.next;
      continue;
    }
    const dirtyTail = firstNonZero(bytes, offset) !== -1;
    if (step.kind === "end") {
      if (dirtyTail) refuseIfIntactEntryFollows(file, bytes, offset, "zero-length entry", maxBuffer);
      const tail: LogTail = dirtyTail ? { kind: "torn", offset, reason: "zero length followed by stray bytes" } : { kind: "clean" };
      return { file, dbid, entries, validEnd: offset, dirtyTail, tail };
    }
    refuseIfIntactEntryFollows(file, bytes, offset, step.reason, maxBuffer);
    return { file, dbid, entries, validEnd: offset, dirtyTail, tail: { kind: "torn", offset, reason: step.reason } };
  }
}

export type EntryStep = { kind: "entry"; txnBytes: Buffer; next: number } | { kind: "end" } | { kind: "bad"; reason: string };

/** The entry at `offset`, judged on the bytes before `end` (the file's end unless told). */
export function readEntryAt(bytes: Buffer, offset: number, maxBuffer: number, end = bytes.length): EntryStep {
  const remaining = end - offset;
  if (remaining === 0) return { kind: "end" };
  if (remaining < ENTRY_PREFIX_BYTES) return { kind: "bad", reason: "incomplete entry header" };
  const length = bytes.readInt32BE(offset + 8);
  // ZooKeeper reads a zero length as the end of the log: it is what preallocated space holds.
  if (length === 0) return { kind: "end" };
  if (length < 0 || length > maxBuffer) return { kind: "bad", reason: `unreasonable entry length ${length}` };
  if (remaining < ENTRY_OVERHEAD_BYTES + length) return { kind: "bad", reason: "incomplete entry" };
  const bodyStart = offset + ENTRY_PREFIX_BYTES;
  const trailer = bytes[bodyStart + length];
  if (trailer !== END_OF_RECORD) return { kind: "bad", reason: `end-of-record byte 0x${trailer!.toString(16)} is not 0x42` };
  // The checksum is a long holding an unsigned 32-bit Adler-32: compared as two ints, so no
  // BigInt is made per entry.
  if (bytes.readUInt32BE(offset) !== 0 || bytes.readUInt32BE(offset + 4) !== adler32(bytes, bodyStart, bodyStart + length)) {
    return { kind: "bad", reason: "checksum mismatch" };
  }
  if (length < 32) return { kind: "bad", reason: `entry of ${length} bytes is shorter than a TxnHeader` };
  return { kind: "entry", txnBytes: bytes.subarray(bodyStart, bodyStart + length), next: bodyStart + length + 1 };
}

/** Null when the header is good, a torn-header tail when it never reached disk; throws otherwise. */
function checkHeader(file: string, bytes: Buffer): LogTail | null {
  if (bytes.length < FILE_HEADER_BYTES) {
    return { kind: "tornHeader", reason: `file of ${bytes.length} bytes is shorter than its header` };
  }
  const magic = bytes.readInt32BE(0);
  if (magic === 0 && firstNonZero(bytes, 0) === -1) {
    return { kind: "tornHeader", reason: "file holds only zeros" };
  }
  if (magic !== LOG_MAGIC) throw corruptAt(file, 0, `invalid log magic 0x${(magic >>> 0).toString(16)}`);
  const version = bytes.readInt32BE(4);
  if (version !== FORMAT_VERSION) throw corruptAt(file, 4, `unsupported log version ${version}`);
  return null;
}

function refuseIfIntactEntryFollows(file: string, bytes: Buffer, offset: number, reason: string, maxBuffer: number): void {
  const found = findIntactEntry(bytes, offset + 1, maxBuffer);
  if (found !== -1) {
    throw corruptAt(file, offset, `${reason} followed by an intact entry at byte offset ${found}; refusing to drop logged transactions`);
  }
}

/**
 * The first offset at or after `from` where a whole entry with a matching checksum starts,
 * or -1. Only the error path runs this; the length and trailer checks reject almost every
 * offset before a checksum is computed.
 */
export function findIntactEntry(bytes: Buffer, from: number, maxBuffer = JUTE_MAX_BUFFER_DEFAULT): number {
  const last = bytes.length - ENTRY_OVERHEAD_BYTES;
  for (let q = from; q <= last; q++) {
    const length = bytes.readInt32BE(q + 8);
    if (length < 32 || length > maxBuffer || q + ENTRY_OVERHEAD_BYTES + length > bytes.length) continue;
    const bodyStart = q + ENTRY_PREFIX_BYTES;
    if (bytes[bodyStart + length] !== END_OF_RECORD) continue;
    if (bytes.readUInt32BE(q) !== 0) continue; // Adler-32 fits in the low half of the long.
    if (bytes.readUInt32BE(q + 4) === adler32(bytes, bodyStart, bodyStart + length)) return q;
  }
  return -1;
}

const ZEROS = Buffer.alloc(64 * 1024);

/**
 * The offset of the first non-zero byte at or after `from`, or -1. Preallocated logs end in
 * tens of MiB of zeros, so whole chunks are compared natively before looking at single bytes.
 */
export function firstNonZero(bytes: Buffer, from: number, end = bytes.length): number {
  let i = from;
  while (i < end) {
    const n = Math.min(ZEROS.length, end - i);
    if (bytes.compare(ZEROS, 0, n, i, i + n) === 0) {
      i += n;
      continue;
    }
    for (const end = i + n; i < end; i++) if (bytes[i] !== 0) return i;
  }
  return -1;
}
