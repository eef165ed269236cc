import { OpCode, type TxnBody, type TxnHeader } from "@zkts/jute";
import { combineDigest, nodeDigest } from "./digest.js";
import { ephemeralKind, ttlOwner, CONTAINER_EPHEMERAL_OWNER } from "./ephemeral-type.js";
import { parentPath } from "./path.js";
import type { DataTree } from "./tree.js";
import { type Znode, newZnode } from "./znode.js";

interface PendingNode {
  /** The node once every accepted txn up to `zxid` is applied; null when deleted. */
  node: Znode | null;
  zxid: bigint;
  /** The node's share of the digest (0n when deleted), so a later change need not hash it again. */
  digest: bigint;
}

/**
 * The tree digest each accepted txn will leave, known before the txn is applied, because the
 * log entry and the proposal carry it (ZooKeeper's PrepRequestProcessor computes it from its
 * change records). It follows the stat rules of DataTree for the nodes that accepted txns touch,
 * on top of the tree as applied; the tree checks every forecast when it applies the txn, so a
 * forecast that drifts shows up as a digest mismatch rather than passing unseen.
 */
/** Retired entries kept before they are cut off `putOrder` in one go. */
const RETIRED_PUTS_COMPACT_MIN = 1024;

export class DigestForecast {
  private readonly pending = new Map<string, PendingNode>();
  /**
   * Every entry put in `pending`, in the order put (so in zxid order), until retired: `applied`
   * retires from the front instead of looking at every pending path for every applied txn.
   */
  private readonly putOrder: { path: string; entry: PendingNode }[] = [];
  private putOrderHead = 0;
  /** False once an entry was put with a zxid below an earlier one's; `applied` then scans. */
  private putInZxidOrder = true;
  private digest: bigint | null = null;
  private lastZxid = 0n;

  constructor(private readonly tree: DataTree) {}

  /** The tree digest after `body` is applied on top of every txn forecast before it. */
  forecast(header: TxnHeader, body: TxnBody): bigint {
    if (this.digest === null) this.digest = this.tree.treeDigest;
    this.lastZxid = header.zxid;
    this.step(header, body);
    return this.digest;
  }

  /** Forgets what the tree now knows: every change up to `zxid` has been applied. */
  applied(zxid: bigint): void {
    if (this.putInZxidOrder) this.retireInOrder(zxid);
    else {
      for (const [path, entry] of this.pending) if (entry.zxid <= zxid) this.pending.delete(path);
      this.putOrder.length = 0;
      this.putOrderHead = 0;
      this.putInZxidOrder = this.pending.size === 0;
    }
    if (zxid >= this.lastZxid) this.digest = null;
  }

  private retireInOrder(zxid: bigint): void {
    const order = this.putOrder;
    let head = this.putOrderHead;
    while (head < order.length && order[head]!.entry.zxid <= zxid) {
      const { path, entry } = order[head]!;
      if (this.pending.get(path) === entry) this.pending.delete(path);
      head++;
    }
    if (head === order.length) {
      order.length = 0;
      head = 0;
    } else if (head >= RETIRED_PUTS_COMPACT_MIN && head * 2 >= order.length) {
      order.splice(0, head);
      head = 0;
    }
    this.putOrderHead = head;
  }

  private step(header: TxnHeader, body: TxnBody): void {
    switch (body.type) {
      case OpCode.create:
      case OpCode.create2:
        this.create(body.txn.path, body.txn.data, body.txn.ephemeral ? header.clientId : 0n, body.txn.parentCVersion, header);
        break;
      case OpCode.createContainer:
        this.create(body.txn.path, body.txn.data, CONTAINER_EPHEMERAL_OWNER, body.txn.parentCVersion, header);
        break;
      case OpCode.createTTL:
        this.create(body.txn.path, body.txn.data, ttlOwner(body.txn.ttl), body.txn.parentCVersion, header);
        break;
      case OpCode.delete:
      case OpCode.deleteContainer:
        this.delete(body.txn.path, header.zxid);
        break;
      case OpCode.setData:
      case OpCode.reconfig:
        this.change(body.txn.path, header.zxid, (n) => {
          n.data = body.txn.data;
          n.mtime = header.time;
          n.mzxid = header.zxid;
          n.version = body.txn.version;
        });
        break;
      case OpCode.setACL:
        this.change(body.txn.path, header.zxid, (n) => {
          n.aversion = body.txn.version;
        });
        break;
      case OpCode.closeSession:
        for (const path of this.ephemeralsOf(header.clientId, body.txn?.paths2Delete ?? [])) this.delete(path, header.zxid);
        break;
      case OpCode.multi:
        // A multi with a failed op changes nothing, as DataTree applies it.
        if (body.txns.some((sub) => sub.type === OpCode.error)) break;
        for (const sub of body.txns) this.step(header, sub);
        break;
      default:
        break;
    }
  }

  private exists(path: string): boolean {
    const entry = this.pending.get(path);
    if (entry !== undefined) return entry.node !== null;
    return this.tree.hasNode(path);
  }

  private lookup(path: string): Znode | undefined {
    const entry = this.pending.get(path);
    if (entry !== undefined) return entry.node ?? undefined;
    return this.tree.getNode(path);
  }

  /**
   * The share of the digest the node at `path` has now (0n when there is none): a pending
   * node's as hashed when it was put, an applied one's as the tree counted it, so neither is
   * copied or hashed again.
   */
  private digestNow(path: string): bigint {
    const entry = this.pending.get(path);
    if (entry !== undefined) return entry.digest;
    return this.tree.nodeDigestOf(path) ?? 0n;
  }

  private put(path: string, node: Znode | null, zxid: bigint): void {
    const digest = node === null ? 0n : nodeDigest(path, node);
    this.digest = combineDigest(combineDigest(this.digest!, this.digestNow(path), -1), digest, 1);
    const entry = { node, zxid, digest };
    this.pending.set(path, entry);
    if (!this.putInZxidOrder) return;
    const last = this.putOrder[this.putOrder.length - 1];
    if (last !== undefined && last.entry.zxid > zxid) {
      this.putInZxidOrder = false;
      this.putOrder.length = 0;
      this.putOrderHead = 0;
      return;
    }
    this.putOrder.push({ path, entry });
  }

  /** Copies a node before changing it, so the applied tree is never touched. */
  private change(path: string, zxid: bigint, edit: (node: Znode) => void): void {
    const node = this.lookup(path);
    if (node === undefined) return;
    const copy: Znode = { ...node };
    edit(copy);
    this.put(path, copy, zxid);
  }

  private create(path: string, data: Buffer | null, owner: bigint, parentCVersion: number, header: TxnHeader): void {
    const parentName = parentPath(path);
    const parent = this.lookup(parentName);
    if (parent === undefined || this.exists(path)) return;
    const cversion = parentCVersion === -1 ? parent.cversion + 1 : parentCVersion;
    if (cversion > parent.cversion) {
      this.change(parentName, header.zxid, (p) => {
        p.cversion = cversion;
        p.pzxid = header.zxid;
      });
    }
    this.put(path, newZnode(data, 0n, header.zxid, header.time, owner), header.zxid);
  }

  private delete(path: string, zxid: bigint): void {
    const parentName = parentPath(path);
    if (!this.exists(path) || !this.exists(parentName)) return;
    this.change(parentName, zxid, (p) => {
      if (zxid > p.pzxid) p.pzxid = zxid;
    });
    this.put(path, null, zxid);
  }

  /**
   * A closing session's ephemerals: the paths its txn names (deleted whoever owns them, as
   * DataTree.killSession does), then the nodes the session will own when the txn is applied.
   */
  private ephemeralsOf(sessionId: bigint, named: readonly string[]): string[] {
    const paths = new Set(named);
    if (ephemeralKind(sessionId, this.tree.extendedTypesEnabled) !== "normal") return [...paths];
    const candidates = new Set(this.tree.ephemerals.get(sessionId) ?? []);
    for (const [path, entry] of this.pending) if (entry.node !== null) candidates.add(path);
    for (const path of candidates) if (this.lookup(path)?.ephemeralOwner === sessionId) paths.add(path);
    return [...paths];
  }
}
