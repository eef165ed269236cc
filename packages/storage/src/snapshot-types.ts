import type { ACL, StatPersisted } from "@zkts/jute";

/**
 * The abstract content of a snapshot, shared by the writer (fed by the data tree) and the
 * reader (which hands it back to whoever rebuilds the tree).
 *
 * File layout (FileSnap + SerializeUtils + DataTree.serialize):
 *   FileHeader{magic "ZKSN", version 2, dbid -1}
 *   int count, then count × {long sessionId, int timeoutMs}
 *   int count, then count × {long aclRef, vector<ACL>}          (the ACL cache)
 *   nodes in preorder, the root first under the path "": {ustring path, buffer data,
 *     long aclRef, StatPersisted stat}; then the path "/" ends the list
 *   seal: long Adler-32 of every byte before it, ustring "/"
 *   optional, when the writer had digests on (the 3.8 default):
 *     {long zxid, int digestVersion, long digest}, then a seal over every byte before it
 *   optional, written by 3.9: long lastProcessedZxid, then a seal
 */
export interface SnapshotNode {
  /** "" for the root, otherwise the absolute path. */
  path: string;
  data: Uint8Array | null;
  /** Key into the ACL cache (-1 is the open ACL in ZooKeeper's cache convention). */
  acl: bigint;
  stat: StatPersisted;
}

/**
 * A node whose stat is already encoded, as a tree that keeps stats packed holds it: the
 * STAT_PERSISTED_BYTES of StatPersisted, big-endian in file order. The writer copies them
 * before asking for the next node, so the source may reuse one buffer for every node.
 */
export interface EncodedSnapshotNode {
  path: string;
  data: Uint8Array | null;
  acl: bigint;
  statBytes: Uint8Array;
}

/** DataTree's ZxidDigest: the tree digest as of `zxid`. A zxid of 0 means none was known. */
export interface ZxidDigest {
  zxid: bigint;
  digestVersion: number;
  digest: bigint;
}

export interface SnapshotSource {
  /** Session id → timeout in ms. */
  sessions: ReadonlyMap<bigint, number>;
  /** ACL cache: reference → ACL list. */
  acls: ReadonlyMap<bigint, readonly ACL[]>;
  /** Preorder, root first; a parent always comes before its children. */
  nodes: Iterable<SnapshotNode | EncodedSnapshotNode> | AsyncIterable<SnapshotNode | EncodedSnapshotNode>;
  /**
   * Written after the first seal when present, as ZooKeeper 3.8 does with digests enabled. A
   * function is called once the nodes are written: a fuzzy snapshot records the digest of the
   * tree as it stands when the node walk ends, as ZooKeeper's does.
   */
  digest?: ZxidDigest | null | (() => ZxidDigest | null);
}

/** The path that ends the node list; the root is written as "" so it cannot be confused. */
export const NODE_LIST_END = "/";
/** czxid, mzxid, ctime, mtime (longs), version, cversion, aversion (ints), ephemeralOwner, pzxid. */
export const STAT_PERSISTED_BYTES = 8 * 4 + 4 * 3 + 8 * 2;
