import type { Stat, StatPersisted } from "@zkts/jute";
import { clientEphemeralOwner } from "./ephemeral-type.js";

/** A znode's child names: a Set where the znode stands alone, a view of the tree where it lives. */
export interface ChildNames extends Iterable<string> {
  readonly size: number;
}

/**
 * A znode's StatPersisted fields plus data, an ACL reference and the child names, as one value.
 * The tree keeps znodes packed (see ZnodeStore) and hands out copies of this shape.
 * `cversion` here is ZooKeeper's stored cversion, which counts child creations only; clients see
 * creations plus deletions (see `toClientStat`).
 */
export interface Znode {
  data: Buffer | null;
  aclId: bigint;
  czxid: bigint;
  mzxid: bigint;
  ctime: bigint;
  mtime: bigint;
  version: number;
  cversion: number;
  aversion: number;
  ephemeralOwner: bigint;
  pzxid: bigint;
  children: ChildNames;
}

/** A znode standing alone, outside any tree, with its own set of child names. */
export interface DetachedZnode extends Znode {
  children: Set<string>;
}

export function newZnode(data: Buffer | null, aclId: bigint, zxid: bigint, time: bigint, ephemeralOwner: bigint): DetachedZnode {
  return {
    data,
    aclId,
    czxid: zxid,
    mzxid: zxid,
    ctime: time,
    mtime: time,
    version: 0,
    cversion: 0,
    aversion: 0,
    ephemeralOwner,
    pzxid: zxid,
    children: new Set(),
  };
}

/** The zeroed stat of the nodes a tree starts with (/, /zookeeper, ...). */
export function systemZnode(aclId: bigint): DetachedZnode {
  return newZnode(Buffer.alloc(0), aclId, 0n, 0n, 0n);
}

export function toClientStat(node: Znode, extendedTypesEnabled = true): Stat {
  const numChildren = node.children.size;
  return {
    czxid: node.czxid,
    mzxid: node.mzxid,
    ctime: node.ctime,
    mtime: node.mtime,
    version: node.version,
    cversion: node.cversion * 2 - numChildren,
    aversion: node.aversion,
    ephemeralOwner: clientEphemeralOwner(node.ephemeralOwner, extendedTypesEnabled),
    dataLength: node.data === null ? 0 : node.data.length,
    numChildren,
    pzxid: node.pzxid,
  };
}

export function toStatPersisted(node: Znode): StatPersisted {
  return {
    czxid: node.czxid,
    mzxid: node.mzxid,
    ctime: node.ctime,
    mtime: node.mtime,
    version: node.version,
    cversion: node.cversion,
    aversion: node.aversion,
    ephemeralOwner: node.ephemeralOwner,
    pzxid: node.pzxid,
  };
}

export function fromStatPersisted(stat: StatPersisted, data: Buffer | null, aclId: bigint): DetachedZnode {
  return { ...stat, data, aclId, children: new Set() };
}
