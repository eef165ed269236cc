import * as zlib from "node:zlib";
import type { Znode } from "./znode.js";

/**
 * ZooKeeper 3.8's tree digest (DigestCalculator, digest version 2). Each znode hashes to the
 * CRC32 of its path bytes, its data, then 60 bytes of stat (czxid, mzxid, pzxid, ctime, mtime as
 * longs; version, cversion, aversion as ints; ephemeralOwner as a long, all big-endian). The
 * tree's digest is the sum of the node hashes as a wrapping 64-bit integer, so one change costs
 * one subtraction and one addition. Nodes under /zookeeper/ hash to 0 (quota and config nodes
 * change outside the client's txns); /zookeeper itself and the root, hashed under the path "",
 * count.
 */
export const DIGEST_VERSION = 2;

const EXCLUDED_SUBTREE = "/zookeeper/";
const STAT_BYTES = 60;

const CRC_TABLE = (() => {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
})();

/** CRC-32 (IEEE, as java.util.zip.CRC32) over `chunks` in order. */
export function crc32(...chunks: Uint8Array[]): number {
  let crc = 0xffffffff;
  for (const chunk of chunks) {
    for (let i = 0; i < chunk.length; i++) crc = CRC_TABLE[(crc ^ chunk[i]!) & 0xff]! ^ (crc >>> 8);
  }
  return (crc ^ 0xffffffff) >>> 0;
}

/** The stat bytes a node digest covers, rewritten for each node (big-endian, as DataView writes). */
const statScratch = new Uint8Array(STAT_BYTES);
const statView = new DataView(statScratch.buffer);

/**
 * A znode's share of the tree digest. Every write forecasts one or two of these: the stat goes
 * through one reused DataView (Buffer's bigint writers range-check each value, several times
 * slower) and the path is summed as text, so a digest makes no buffer.
 */
export function nodeDigest(path: string, node: Znode): bigint {
  if (path.startsWith(EXCLUDED_SUBTREE)) return 0n;
  statView.setBigInt64(0, node.czxid);
  statView.setBigInt64(8, node.mzxid);
  statView.setBigInt64(16, node.pzxid);
  statView.setBigInt64(24, node.ctime);
  statView.setBigInt64(32, node.mtime);
  statView.setInt32(40, node.version);
  statView.setInt32(44, node.cversion);
  statView.setInt32(48, node.aversion);
  statView.setBigInt64(52, node.ephemeralOwner);
  let crc = crc32UpdateText(0xffffffff, path === "/" ? "" : path);
  if (node.data !== null) crc = crc32Update(crc, node.data, 0, node.data.length);
  crc = crc32Update(crc, statScratch, 0, STAT_BYTES);
  return BigInt((crc ^ 0xffffffff) >>> 0);
}

/** Adds (sign 1) or removes (sign -1) a node hash, wrapping as Java's long arithmetic does. */
export function combineDigest(treeDigest: bigint, hash: bigint, sign: 1 | -1): bigint {
  return BigInt.asIntN(64, sign === 1 ? treeDigest + hash : treeDigest - hash);
}

/**
 * Eight tables for slicing-by-8: table t maps a byte to the CRC of that byte followed by t zero
 * bytes, so eight input bytes cost eight lookups and one combine instead of eight rounds.
 */
const SLICE_TABLES = (() => {
  const tables = new Int32Array(256 * 8);
  for (let n = 0; n < 256; n++) tables[n] = CRC_TABLE[n]!;
  for (let t = 1; t < 8; t++) {
    for (let n = 0; n < 256; n++) {
      const previous = tables[(t - 1) * 256 + n]!;
      tables[t * 256 + n] = (previous >>> 8) ^ tables[previous & 0xff]!;
    }
  }
  return tables;
})();

/**
 * zlib's CRC-32 (Node 20.15 and later), which continues from a finished CRC. Each call costs
 * about 0.2 us whatever the length, so it only pays from a few hundred bytes: a znode's data.
 */
const nativeCrc32 = (zlib as { crc32?: (data: Uint8Array, value?: number) => number }).crc32;
const NATIVE_CRC_MIN_BYTES = 512;

/** Continues a CRC-32 (pre-inverted form, start at 0xffffffff) over `bytes[start, end)`. */
export function crc32Update(crc: number, bytes: Uint8Array, start: number, end: number): number {
  if (nativeCrc32 !== undefined && end - start >= NATIVE_CRC_MIN_BYTES) {
    return (nativeCrc32(bytes.subarray(start, end), (crc ^ 0xffffffff) >>> 0) ^ 0xffffffff) | 0;
  }
  const t = SLICE_TABLES;
  let i = start;
  for (; i + 8 <= end; i += 8) {
    const low = crc ^ (bytes[i]! | (bytes[i + 1]! << 8) | (bytes[i + 2]! << 16) | (bytes[i + 3]! << 24));
    crc =
      t[1792 + (low & 0xff)]! ^
      t[1536 + ((low >>> 8) & 0xff)]! ^
      t[1280 + ((low >>> 16) & 0xff)]! ^
      t[1024 + (low >>> 24)]! ^
      t[768 + bytes[i + 4]!]! ^
      t[512 + bytes[i + 5]!]! ^
      t[256 + bytes[i + 6]!]! ^
      t[bytes[i + 7]!]!;
  }
  for (; i < end; i++) crc = t[(crc ^ bytes[i]!) & 0xff]! ^ (crc >>> 8);
  return crc;
}

/** Continues a CRC-32 over the UTF-8 bytes of `text`, encoding only when it is not ASCII. */
export function crc32UpdateText(crc: number, text: string): number {
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code >= 0x80) {
      const rest = Buffer.from(text.substring(i), "utf8");
      return crc32Update(crc, rest, 0, rest.length);
    }
    crc = CRC_TABLE[(crc ^ code) & 0xff]! ^ (crc >>> 8);
  }
  return crc;
}

/** Paths whose nodes hash to 0 (see above). */
export function isDigestExcluded(path: string): boolean {
  return path.startsWith(EXCLUDED_SUBTREE);
}
