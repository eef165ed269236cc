import { FileHeader, JuteWriter, writeTxnEntry, type TxnEntry } from "@zkts/jute";
import { adler32 } from "./adler32.js";

/**
 * The transaction log format (FileTxnLog): a 16-byte FileHeader, then entries of
 *   long   Adler-32 of the txn bytes
 *   int    length of the txn bytes, then the bytes (TxnHeader + txn record [+ TxnDigest])
 *   byte   0x42 ('B'), the end-of-record marker
 * The rest of the file is zero padding from preallocation; a zero length reads as the end.
 */
export const LOG_MAGIC = 0x5a4b4c47; // "ZKLG"
export const SNAPSHOT_MAGIC = 0x5a4b534e; // "ZKSN"
export const FORMAT_VERSION = 2;
export const LOG_DBID = 0n;
export const SNAPSHOT_DBID = -1n;

export const FILE_HEADER_BYTES = 16;
/** Checksum (8) + length (4) before the txn bytes, end-of-record byte (1) after them. */
export const ENTRY_PREFIX_BYTES = 12;
export const ENTRY_OVERHEAD_BYTES = ENTRY_PREFIX_BYTES + 1;
export const END_OF_RECORD = 0x42;
/** The zxid's offset inside TxnHeader{long clientId, int cxid, long zxid, ...}. */
const TXN_HEADER_ZXID_OFFSET = 12;
const TXN_HEADER_BYTES = 32;

export function encodeLogHeader(dbid = LOG_DBID): Buffer {
  return FileHeader.encode({ magic: LOG_MAGIC, version: FORMAT_VERSION, dbid });
}

/** The bytes a log entry's checksum covers. */
export function encodeTxnBytes(entry: TxnEntry, writer = new JuteWriter(256)): Buffer {
  writer.reset();
  writeTxnEntry(writer, entry);
  return writer.toBuffer();
}

/** The zxid inside already-encoded txn bytes, read from the TxnHeader. */
export function zxidOfTxnBytes(txnBytes: Uint8Array): bigint {
  if (txnBytes.length < TXN_HEADER_BYTES) {
    throw new RangeError(`txn bytes of ${txnBytes.length} are shorter than a TxnHeader`);
  }
  const view = new DataView(txnBytes.buffer, txnBytes.byteOffset, txnBytes.byteLength);
  return view.getBigInt64(TXN_HEADER_ZXID_OFFSET);
}

export function logEntrySize(txnBytes: Uint8Array): number {
  return ENTRY_OVERHEAD_BYTES + txnBytes.length;
}

/** Frames txn bytes as one log entry into `out` at `offset`; returns the offset after it. */
export function frameLogEntry(txnBytes: Uint8Array, out: Buffer, offset: number): number {
  out.writeBigInt64BE(BigInt(adler32(txnBytes)), offset);
  out.writeInt32BE(txnBytes.length, offset + 8);
  out.set(txnBytes, offset + ENTRY_PREFIX_BYTES);
  const end = offset + ENTRY_PREFIX_BYTES + txnBytes.length;
  out[end] = END_OF_RECORD;
  return end + 1;
}
