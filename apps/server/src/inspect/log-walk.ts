import { adler32, FILE_HEADER_BYTES, LOG_MAGIC } from "@zkts/storage";

/** Checksum (8 bytes) and length (4) before an entry's txn bytes; the 0x42 marker after them. */
const ENTRY_PREFIX_BYTES = 12;
const END_OF_RECORD = 0x42;
const TXN_HEADER_BYTES = 32;

export type LogStep =
  | { kind: "entry"; offset: number; txnBytes: Buffer }
  /** The entries end here: the end of the file, or a zero length followed only by zeros. */
  | { kind: "end"; offset: number }
  | { kind: "damaged"; offset: number; reason: string };

export interface LogHeader {
  magic: number;
  version: number;
  dbid: bigint;
}

/**
 * The header of a transaction log, or why it is not one. Unlike recovery, which stops at the
 * first question it cannot answer, the inspection commands walk a damaged file as far as it
 * goes and say where it stops.
 */
export function readLogHeader(bytes: Buffer): LogHeader | { damaged: string } {
  if (bytes.length < FILE_HEADER_BYTES) return { damaged: `file of ${bytes.length} bytes is shorter than its header` };
  const header = { magic: bytes.readInt32BE(0), version: bytes.readInt32BE(4), dbid: bytes.readBigInt64BE(8) };
  if (header.magic !== LOG_MAGIC) return { damaged: `invalid log magic 0x${(header.magic >>> 0).toString(16)}` };
  if (header.version !== 2) return { damaged: `unsupported log version ${header.version}` };
  return header;
}

/** Every entry from the header on, then one final step: where the log ends or is damaged. */
export function* walkLogEntries(bytes: Buffer): Generator<LogStep> {
  let offset = FILE_HEADER_BYTES;
  for (;;) {
    const remaining = bytes.length - offset;
    if (remaining === 0) return yield { kind: "end", offset };
    if (remaining < ENTRY_PREFIX_BYTES) return yield { kind: "damaged", offset, reason: "incomplete entry header" };
    const checksum = bytes.readBigInt64BE(offset);
    const length = bytes.readInt32BE(offset + 8);
    if (length === 0) {
      const stray = firstNonZero(bytes, offset);
      if (stray === -1) return yield { kind: "end", offset };
      return yield { kind: "damaged", offset, reason: `zero-length entry followed by stray bytes (first at byte offset ${stray})` };
    }
    if (length < TXN_HEADER_BYTES || remaining < ENTRY_PREFIX_BYTES + length + 1) {
      const reason =
        length < TXN_HEADER_BYTES
          ? `unreasonable entry length ${length}`
          : `incomplete entry (${length} bytes announced, ${remaining - ENTRY_PREFIX_BYTES} present)`;
      return yield { kind: "damaged", offset, reason };
    }
    const start = offset + ENTRY_PREFIX_BYTES;
    const end = start + length;
    if (bytes[end] !== END_OF_RECORD) return yield { kind: "damaged", offset, reason: `end-of-record byte 0x${bytes[end]!.toString(16)} is not 0x42` };
    if (BigInt(adler32(bytes, start, end)) !== checksum) return yield { kind: "damaged", offset, reason: "checksum mismatch" };
    yield { kind: "entry", offset, txnBytes: bytes.subarray(start, end) };
    offset = end + 1;
  }
}

const ZEROS = Buffer.alloc(64 * 1024);

/** The first non-zero byte at or after `from`, or -1; compares whole chunks of preallocated zeros natively. */
function firstNonZero(bytes: Buffer, from: number): number {
  for (let i = from; i < bytes.length;) {
    const n = Math.min(ZEROS.length, bytes.length - i);
    if (bytes.compare(ZEROS, 0, n, i, i + n) === 0) {
      i += n;
      continue;
    }
    for (const stop = i + n; i < stop; i++) if (bytes[i] !== 0) return i;
  }
  return -1;
}
