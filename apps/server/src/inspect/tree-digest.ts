import { crc32 } from "node:zlib";
import type { SnapshotNode } from "@zkts/storage";

/** The one digest version ZooKeeper 3.8 writes. */
export const DIGEST_VERSION = 2;

/** The stat fields a node's digest covers, in the order they are hashed. */
const STAT_BYTES = 60;

/**
 * ZooKeeper's tree digest (DigestCalculator, version 2): the wrapping 64-bit sum over every
 * znode of the CRC-32 of its path, its data and its stat (czxid, mzxid, pzxid, ctime, mtime,
 * version, cversion, aversion, ephemeralOwner, big-endian). The root is hashed under the path
 * "" and nodes under /zookeeper/ count as 0, since each server keeps its own of those.
 */
export class TreeDigest {
  private sum = 0n;
  private readonly stat = Buffer.alloc(STAT_BYTES);

  add(node: SnapshotNode): void {
    const path = node.path === "/" ? "" : node.path;
    if (path.startsWith("/zookeeper/")) return;
    const s = node.stat;
    let at = 0;
    for (const long of [s.czxid, s.mzxid, s.pzxid, s.ctime, s.mtime]) at = this.stat.writeBigInt64BE(long, at);
    for (const int of [s.version, s.cversion, s.aversion]) at = this.stat.writeInt32BE(int, at);
    this.stat.writeBigInt64BE(s.ephemeralOwner, at);
    let crc = crc32(Buffer.from(path, "utf8"));
    if (node.data !== null) crc = crc32(node.data, crc);
    crc = crc32(this.stat, crc);
    this.sum = BigInt.asIntN(64, this.sum + BigInt(crc));
  }

  get value(): bigint {
    return this.sum;
  }
}
