import { type ACL, ErrorCode, EventType, Ids, OpCode, type Stat, type StatPersisted, type TxnBody, type TxnHeader, WatcherType } from "@zkts/jute";
import { DIGEST_VERSION, combineDigest } from "./digest.js";
import { AclCache, OPEN_UNSAFE_ACL_ID } from "./acl-cache.js";
import type { AuthConfig } from "./auth.js";
import { CONTAINER_EPHEMERAL_OWNER, clientEphemeralOwner, ephemeralKind, ttlOf, ttlOwner } from "./ephemeral-type.js";
import { baseName, joinPath, parentPath } from "./path.js";
import { LIMIT_NODE, QUOTA_ROOT, QuotaPaths, STAT_NODE, StatsTrack, quotaStatPath, trimQuotaPath } from "./quota.js";
import { WatchTable, type Watcher, type WatcherMode } from "./watches.js";
import type { Znode } from "./znode.js";
import { NO_SLOT, ZnodeStore } from "./znode-store.js";
import { ZnodeMapView } from "./znode-map-view.js";

export const ZOOKEEPER_PATH = "/zookeeper";
const EMPTY = Buffer.alloc(0);
/** Restored digest shares (each below 2^32) are folded into the bigint digest past this sum. */
const RESTORE_DIGEST_FLUSH = 2 ** 52;
export const CONFIG_PATH = "/zookeeper/config";

/** What applying one transaction did, as DataTree.ProcessTxnResult reports it. */
export interface TxnResult {
  clientId: bigint;
  cxid: number;
  zxid: bigint;
  type: number;
  err: number;
  path: string | null;
  stat: Stat | null;
  multiResult: TxnResult[] | null;
}

/**
 * A txn that finds its node missing (or present, for a create): an outcome, not a defect, and
 * frequent while replaying a log over a fuzzy snapshot, so it carries no stack trace.
 */
class NoNode {
  constructor(readonly message: string) {}
}

/** A recorded tree digest the tree disagreed with. */
export interface DigestMismatch {
  zxid: bigint;
  /** Where the recorded digest came from: a txn's log entry or proposal, or a loaded snapshot. */
  source: "txn" | "snapshot";
  recorded: bigint;
  actual: bigint;
}

export interface DataTreeOptions {
  auth?: AuthConfig;
  /**
   * `zookeeper.extendedTypesEnabled`, which decides whether an ephemeralOwner with the TTL
   * prefix is a TTL node or a session of server id 255. Defaults to true.
   */
  extendedTypesEnabled?: boolean;
  /** `digest.enabled` (ZooKeeper 3.8's default is on): keep the tree digest, else it stays 0. */
  digestEnabled?: boolean;
}

/**
 * The replicated state machine: znodes, ephemerals, containers, TTL nodes, quotas and the
 * watch tables. `applyTxn` is deterministic: the same transactions in the same order give the
 * same tree and fire the same watch events, whoever applies them.
 */
export class DataTree {
  /** The znodes, packed (see ZnodeStore); read them through getNode, nodes or the read methods. */
  private readonly store = new ZnodeStore();
  /** The znodes by path as a read-only map; each value is a copy made as it is read. */
  readonly nodes: ReadonlyMap<string, Znode>;
  readonly ephemerals = new Map<bigint, Set<string>>();
  readonly containers = new Set<string>();
  readonly ttls = new Set<string>();
  readonly quotas = new QuotaPaths();
  readonly acls = new AclCache();
  readonly dataWatches: WatchTable;
  readonly childWatches: WatchTable;
  readonly auth: AuthConfig;
  readonly extendedTypesEnabled: boolean;
  lastProcessedZxid = 0n;
  /** Sum of path lengths and data lengths, as ZooKeeper's approximateDataSize. */
  approximateDataSize = 0;
  readonly digestEnabled: boolean;
  /** ZooKeeper's tree digest (see digest.ts), kept up to date on every change. */
  treeDigest = 0n;

  constructor(options: DataTreeOptions = {}) {
    this.auth = options.auth ?? {};
    this.extendedTypesEnabled = options.extendedTypesEnabled ?? true;
    this.digestEnabled = options.digestEnabled ?? true;
    this.dataWatches = new WatchTable(this.auth);
    this.childWatches = new WatchTable(this.auth);
    this.nodes = new ZnodeMapView(this.store, (slot) => this.znodeAt(slot));
    this.store.clear();
    const root = this.store.insert("/", NO_SLOT);
    this.store.setData(root, EMPTY);
    this.store.setLong(root, "aclId", OPEN_UNSAFE_ACL_ID);
    this.hash(root);
    this.approximateDataSize += 1;
    for (const path of [ZOOKEEPER_PATH, QUOTA_ROOT, CONFIG_PATH]) this.addSystemNode(path);
  }

  /**
   * One of the nodes every tree has below the root, zeroed as ZooKeeper creates them; a
   * snapshot that lacks one gets it back (finishRestore).
   */
  private addSystemNode(path: string): void {
    const slot = this.store.insert(path, this.store.slotOf(parentPath(path)));
    this.store.setData(slot, EMPTY);
    if (path === CONFIG_PATH) {
      this.store.setLong(slot, "aclId", this.acls.intern(Ids.READ_ACL_UNSAFE as unknown as ACL[]));
      // ZooKeeper creates /zookeeper/config through setACL(version -1), which leaves aversion -1.
      this.store.setInt(slot, "aversion", -1);
    } else {
      this.store.setLong(slot, "aclId", OPEN_UNSAFE_ACL_ID);
    }
    this.hash(slot);
    this.approximateDataSize += path.length;
  }

  /** ZooKeeper's digest_mismatches_count: recorded digests (log, proposal, snapshot) that differed. */
  digestMismatches = 0;
  /**
   * ZooKeeper's digestFromLoadedSnapshot: a loaded snapshot is fuzzy, its digest holds only once
   * the replay reaches the zxid it was taken at; until then txn digests are not compared.
   */
  private digestFromSnapshot: { zxid: bigint; version: number; digest: bigint } | null = null;

  /**
   * Set when a loaded snapshot's digest is for the snapshot's own zxid and the loaded nodes do
   * not give it: ZooKeeper's writer threads can catch the next txn half applied (its nodes
   * changed, its digest not yet recorded), so only the next txn's recorded digest, once the
   * replay has applied it again, settles whether the snapshot was damaged.
   */
  private snapshotDigestUnsettled = false;

  /**
   * Takes the digest a just-loaded snapshot carries (null when it has none; a zxid of 0 means
   * its writer knew none, a zxid below the snapshot's own can never be reached). Compared at
   * once when it is for the tree as loaded; a difference then is not yet a mismatch (see
   * snapshotDigestUnsettled).
   */
  restoredDigest(recorded: { zxid: bigint; version: number; digest: bigint } | null, snapshotZxid: bigint): DigestMismatch | null {
    this.snapshotDigestUnsettled = false;
    this.digestFromSnapshot = recorded !== null && recorded.zxid > 0n && recorded.zxid >= snapshotZxid ? recorded : null;
    if (this.digestFromSnapshot === null || this.digestFromSnapshot.zxid !== this.lastProcessedZxid) return null;
    const atLoad = this.digestFromSnapshot;
    this.digestFromSnapshot = null;
    this.snapshotDigestUnsettled = this.digestEnabled && atLoad.version === DIGEST_VERSION && BigInt.asIntN(64, atLoad.digest) !== this.treeDigest;
    return null;
  }

  /**
   * Whether the loaded snapshot's digest is still to be compared: the replay has not reached
   * its zxid yet, or the tree differed from it at load and the next txn's digest must settle it.
   */
  get snapshotDigestPending(): boolean {
    return this.digestFromSnapshot !== null || this.snapshotDigestUnsettled;
  }

  /**
   * After txn `zxid` is applied: compares the digest its log entry or proposal carried (TxnDigest,
   * null when none) with the tree's, as ZooKeeper's DataTree.compareDigest, or the loaded
   * snapshot's digest when the replay has just reached its zxid. Skipped when digests are off or
   * the recorded one is of another version. A mismatch is counted and returned, never thrown:
   * the tree stays usable and an operator decides.
   */
  checkAppliedDigest(zxid: bigint, recorded: { version: number; treeDigest: bigint } | null): DigestMismatch | null {
    if (this.digestFromSnapshot !== null) {
      return zxid === this.digestFromSnapshot.zxid ? this.compareSnapshotDigest() : null;
    }
    this.snapshotDigestUnsettled = false;
    if (recorded === null) return null;
    return this.compareDigest(zxid, "txn", recorded.version, recorded.treeDigest);
  }

  private compareSnapshotDigest(): DigestMismatch | null {
    const recorded = this.digestFromSnapshot!;
    this.digestFromSnapshot = null;
    return this.compareDigest(recorded.zxid, "snapshot", recorded.version, recorded.digest);
  }

  private compareDigest(zxid: bigint, source: DigestMismatch["source"], version: number, recorded: bigint): DigestMismatch | null {
    if (!this.digestEnabled || version !== DIGEST_VERSION) return null;
    if (BigInt.asIntN(64, recorded) === this.treeDigest) return null;
    this.digestMismatches++;
    return { zxid, source, recorded: BigInt.asIntN(64, recorded), actual: this.treeDigest };
  }

  /** Counts a node into the digest: after it is created or changed. */
  private hash(slot: number): void {
    if (this.digestEnabled) this.treeDigest = combineDigest(this.treeDigest, BigInt(this.store.rehash(slot)), 1);
  }

  /** Takes a node out of the digest: before it is changed or deleted. */
  private unhash(slot: number): void {
    if (this.digestEnabled) this.treeDigest = combineDigest(this.treeDigest, BigInt(this.store.digest(slot)), -1);
  }

  hasNode(path: string): boolean {
    return this.store.slotOf(path) !== NO_SLOT;
  }

  /**
   * The znode's share of the tree digest as last counted (0n under /zookeeper/), read without
   * copying the znode; undefined when there is none. Kept only while digests are enabled.
   */
  nodeDigestOf(path: string): bigint | undefined {
    const slot = this.store.slotOf(path);
    return slot === NO_SLOT ? undefined : BigInt(this.store.digest(slot));
  }

  /** A copy of the znode at `path`; its `children` is a live view, valid until the znode goes. */
  getNode(path: string): Znode | undefined {
    const slot = this.store.slotOf(path);
    return slot === NO_SLOT ? undefined : this.znodeAt(slot);
  }

  private znodeAt(slot: number): Znode {
    const s = this.store;
    return {
      data: s.data(slot),
      aclId: s.long(slot, "aclId"),
      ...this.persistedStatAt(slot),
      children: {
        get size() {
          return s.childCount(slot);
        },
        [Symbol.iterator]: () => s.childNames(slot)[Symbol.iterator](),
      },
    };
  }

  /** The stat fields a snapshot holds, as stored (cversion not yet the client's). */
  private persistedStatAt(slot: number): StatPersisted {
    const s = this.store;
    return {
      czxid: s.long(slot, "czxid"),
      mzxid: s.long(slot, "mzxid"),
      ctime: s.long(slot, "ctime"),
      mtime: s.long(slot, "mtime"),
      version: s.int(slot, "version"),
      cversion: s.int(slot, "cversion"),
      aversion: s.int(slot, "aversion"),
      ephemeralOwner: s.long(slot, "ephemeralOwner"),
      pzxid: s.long(slot, "pzxid"),
    };
  }

  /** The client's view of a znode's stat, as toClientStat makes it, read from the store. */
  private statAt(slot: number): Stat {
    const s = this.store;
    const numChildren = s.childCount(slot);
    return {
      czxid: s.long(slot, "czxid"),
      mzxid: s.long(slot, "mzxid"),
      ctime: s.long(slot, "ctime"),
      mtime: s.long(slot, "mtime"),
      version: s.int(slot, "version"),
      cversion: s.int(slot, "cversion") * 2 - numChildren,
      aversion: s.int(slot, "aversion"),
      ephemeralOwner: clientEphemeralOwner(s.long(slot, "ephemeralOwner"), this.extendedTypesEnabled),
      dataLength: s.dataSize(slot),
      numChildren,
      pzxid: s.long(slot, "pzxid"),
    };
  }

  private aclAt(slot: number): ACL[] {
    return this.acls.get(this.store.long(slot, "aclId"));
  }

  aclOf(node: Znode): ACL[] {
    return this.acls.get(node.aclId);
  }

  /** The ACL of the znode at `path`, undefined when there is none: what a read checks first. */
  aclOfPath(path: string): ACL[] | undefined {
    const slot = this.store.slotOf(path);
    return slot === NO_SLOT ? undefined : this.aclAt(slot);
  }

  get nodeCount(): number {
    return this.store.size;
  }

  /** Bytes the packed znode columns and the data arena hold (for memory figures). */
  get packedBytes(): number {
    return this.store.columnBytes;
  }

  get ephemeralCount(): number {
    let n = 0;
    for (const set of this.ephemerals.values()) n += set.size;
    return n;
  }

  /** ZooKeeper's special paths, which delete and deleteContainer refuse. */
  isSpecialPath(path: string): boolean {
    return path === "/" || path === ZOOKEEPER_PATH || path === QUOTA_ROOT || path === CONFIG_PATH;
  }

  // ---- transactions --------------------------------------------------------------------------

  applyTxn(header: TxnHeader, body: TxnBody): TxnResult {
    const result = this.applyBody(header, body);
    if (header.zxid > this.lastProcessedZxid) this.lastProcessedZxid = header.zxid;
    return result;
  }

  private applyBody(header: TxnHeader, body: TxnBody): TxnResult {
    const rc: TxnResult = {
      clientId: header.clientId,
      cxid: header.cxid,
      zxid: header.zxid,
      type: body.type,
      err: 0,
      path: null,
      stat: null,
      multiResult: null,
    };
    try {
      switch (body.type) {
        case OpCode.create:
        case OpCode.create2: {
          const t = body.txn;
          rc.path = t.path;
          const stat = this.createNode(t.path, t.data, t.acl, t.ephemeral ? header.clientId : 0n, t.parentCVersion, header.zxid, header.time);
          if (body.type === OpCode.create2) rc.stat = stat;
          break;
        }
        case OpCode.createTTL: {
          const t = body.txn;
          rc.path = t.path;
          rc.stat = this.createNode(t.path, t.data, t.acl, ttlOwner(t.ttl), t.parentCVersion, header.zxid, header.time);
          break;
        }
        case OpCode.createContainer: {
          const t = body.txn;
          rc.path = t.path;
          rc.stat = this.createNode(t.path, t.data, t.acl, CONTAINER_EPHEMERAL_OWNER, t.parentCVersion, header.zxid, header.time);
          break;
        }
        case OpCode.delete:
        case OpCode.deleteContainer:
          rc.path = body.txn.path;
          this.deleteNode(body.txn.path, header.zxid);
          break;
        case OpCode.setData:
        case OpCode.reconfig:
          rc.path = body.txn.path;
          rc.stat = this.setData(body.txn.path, body.txn.data, body.txn.version, header.zxid, header.time);
          break;
        case OpCode.setACL:
          rc.path = body.txn.path;
          rc.stat = this.setAcl(body.txn.path, body.txn.acl, body.txn.version);
          break;
        case OpCode.closeSession:
          this.killSession(header.clientId, header.zxid, body.txn?.paths2Delete ?? null);
          break;
        case OpCode.createSession:
          break;
        case OpCode.error:
          rc.err = body.txn.err;
          break;
        case OpCode.check:
          rc.path = body.txn.path;
          break;
        case OpCode.multi:
          rc.multiResult = this.applyMulti(header, body.txns, rc);
          break;
      }
    } catch (e) {
      if (!(e instanceof NoNode)) throw e;
      rc.err = e.message === "exists" ? ErrorCode.NODEEXISTS : ErrorCode.NONODE;
    }
    // Replaying a create whose node survived in a fuzzy snapshot: bring the parent's cversion
    // and pzxid forward as ZooKeeper does, so the replayed tree matches the original.
    if (body.type === OpCode.create && rc.err === ErrorCode.NODEEXISTS && rc.path !== null) {
      const parent = this.store.slotOf(parentPath(rc.path));
      if (parent === NO_SLOT) rc.err = ErrorCode.NONODE;
      else if (body.txn.parentCVersion > this.store.int(parent, "cversion")) {
        this.unhash(parent);
        this.store.setInt(parent, "cversion", body.txn.parentCVersion);
        this.store.setLong(parent, "pzxid", header.zxid);
        this.hash(parent);
      }
    }
    return rc;
  }

  private applyMulti(header: TxnHeader, txns: TxnBody[], rc: TxnResult): TxnResult[] {
    const failed = txns.some((t) => t.type === OpCode.error);
    const results: TxnResult[] = [];
    let afterFailure = false;
    for (const sub of txns) {
      let body = sub;
      if (sub.type === OpCode.error) afterFailure = true;
      else if (failed) {
        body = {
          type: OpCode.error,
          txn: { err: afterFailure ? ErrorCode.RUNTIMEINCONSISTENCY : ErrorCode.OK },
        };
      }
      const subRc = this.applyBody({ ...header, type: body.type }, body);
      results.push(subRc);
      if (subRc.err !== 0 && rc.err === 0) rc.err = subRc.err;
    }
    return results;
  }

  createNode(path: string, data: Buffer | null, acl: ACL[], ephemeralOwner: bigint, parentCVersion: number, zxid: bigint, time: bigint): Stat {
    const parentName = parentPath(path);
    const s = this.store;
    const parent = s.slotOf(parentName);
    if (parent === NO_SLOT) throw new NoNode("parent");
    if (s.has(path)) throw new NoNode("exists");
    const parentCversion = s.int(parent, "cversion");
    let cversion = parentCVersion;
    if (cversion === -1) cversion = parentCversion + 1;
    this.unhash(parent);
    if (cversion > parentCversion) {
      s.setInt(parent, "cversion", cversion);
      s.setLong(parent, "pzxid", zxid);
    }
    this.hash(parent);
    const child = s.insert(path, parent);
    s.setData(child, data);
    s.setLong(child, "aclId", this.acls.intern(acl));
    s.setLong(child, "czxid", zxid);
    s.setLong(child, "mzxid", zxid);
    s.setLong(child, "pzxid", zxid);
    s.setLong(child, "ctime", time);
    s.setLong(child, "mtime", time);
    s.setLong(child, "ephemeralOwner", ephemeralOwner);
    this.hash(child);
    this.approximateDataSize += path.length + (data?.length ?? 0);
    this.trackOwner(path, ephemeralOwner);
    if (parentName.startsWith(QUOTA_ROOT)) {
      const childName = baseName(path);
      if (childName === LIMIT_NODE) this.quotas.add(trimQuotaPath(parentName));
      if (childName === STAT_NODE) this.recountQuota(trimQuotaPath(parentName));
    }
    this.updateQuotaStats(path, BigInt(data?.length ?? 0), 1n);
    const stat = this.statAt(child);
    this.dataWatches.trigger(path, EventType.NodeCreated, zxid, acl);
    this.childWatches.trigger(parentName, EventType.NodeChildrenChanged, zxid, this.aclAt(parent));
    return stat;
  }

  /** Files a node under its kind of owner: a session's ephemerals, containers or TTL nodes. */
  private trackOwner(path: string, ephemeralOwner: bigint): void {
    switch (ephemeralKind(ephemeralOwner, this.extendedTypesEnabled)) {
      case "container":
        this.containers.add(path);
        break;
      case "ttl":
        this.ttls.add(path);
        break;
      case "normal": {
        let set = this.ephemerals.get(ephemeralOwner);
        if (set === undefined) {
          set = new Set();
          this.ephemerals.set(ephemeralOwner, set);
        }
        set.add(path);
        break;
      }
      case "void":
        break;
    }
  }

  private untrackOwner(path: string, ephemeralOwner: bigint): void {
    switch (ephemeralKind(ephemeralOwner, this.extendedTypesEnabled)) {
      case "container":
        this.containers.delete(path);
        break;
      case "ttl":
        this.ttls.delete(path);
        break;
      case "normal": {
        const set = this.ephemerals.get(ephemeralOwner);
        if (set !== undefined) {
          set.delete(path);
          if (set.size === 0) this.ephemerals.delete(ephemeralOwner);
        }
        break;
      }
      case "void":
        break;
    }
  }

  deleteNode(path: string, zxid: bigint): void {
    const s = this.store;
    const parentName = parentPath(path);
    const parent = s.slotOf(parentName);
    if (parent === NO_SLOT) throw new NoNode("parent");
    const childName = baseName(path);
    this.unhash(parent);
    if (zxid > s.long(parent, "pzxid")) s.setLong(parent, "pzxid", zxid);
    this.hash(parent);
    const node = s.slotOf(path);
    if (node === NO_SLOT) throw new NoNode("node");
    this.unhash(node);
    const aclId = s.long(node, "aclId");
    const acl = this.acls.get(aclId);
    this.acls.release(aclId);
    const dataSize = s.dataSize(node);
    const ephemeralOwner = s.long(node, "ephemeralOwner");
    s.remove(node, parent);
    this.approximateDataSize -= path.length + dataSize;
    this.untrackOwner(path, ephemeralOwner);
    if (parentName.startsWith(QUOTA_ROOT) && childName === LIMIT_NODE) {
      this.quotas.delete(trimQuotaPath(parentName));
    }
    this.updateQuotaStats(path, -BigInt(dataSize), -1n);
    const processed = this.dataWatches.trigger(path, EventType.NodeDeleted, zxid, acl);
    this.childWatches.trigger(path, EventType.NodeDeleted, zxid, acl, processed);
    this.childWatches.trigger(parentName, EventType.NodeChildrenChanged, zxid, this.aclAt(parent));
  }

  setData(path: string, data: Buffer | null, version: number, zxid: bigint, time: bigint): Stat {
    const s = this.store;
    const slot = s.slotOf(path);
    if (slot === NO_SLOT) throw new NoNode("node");
    const previousLength = s.dataSize(slot);
    this.unhash(slot);
    s.setData(slot, data);
    s.setLong(slot, "mtime", time);
    s.setLong(slot, "mzxid", zxid);
    s.setInt(slot, "version", version);
    this.hash(slot);
    const stat = this.statAt(slot);
    const length = data?.length ?? 0;
    this.approximateDataSize += length - previousLength;
    this.updateQuotaStats(path, BigInt(length - previousLength), 0n);
    this.dataWatches.trigger(path, EventType.NodeDataChanged, zxid, this.aclAt(slot));
    return stat;
  }

  setAcl(path: string, acl: ACL[], version: number): Stat {
    const s = this.store;
    const slot = s.slotOf(path);
    if (slot === NO_SLOT) throw new NoNode("node");
    this.acls.release(s.long(slot, "aclId"));
    this.unhash(slot);
    s.setInt(slot, "aversion", version);
    s.setLong(slot, "aclId", this.acls.intern(acl));
    this.hash(slot);
    return this.statAt(slot);
  }

  /** Deletes a closed session's ephemerals (those named in the txn, then any left over). */
  killSession(sessionId: bigint, zxid: bigint, pathsInTxn: readonly string[] | null): void {
    const local = this.ephemerals.get(sessionId);
    this.ephemerals.delete(sessionId);
    const remaining = new Set(local ?? []);
    if (pathsInTxn !== null) {
      for (const path of pathsInTxn) {
        remaining.delete(path);
        this.deleteQuietly(path, zxid);
      }
    }
    for (const path of remaining) this.deleteQuietly(path, zxid);
  }

  private deleteQuietly(path: string, zxid: bigint): void {
    try {
      this.deleteNode(path, zxid);
    } catch (e) {
      if (!(e instanceof NoNode)) throw e;
    }
  }

  // ---- quotas --------------------------------------------------------------------------------

  private updateQuotaStats(path: string, bytesDiff: bigint, countDiff: bigint): void {
    const root = this.quotaRootOf(path);
    if (root === null) return;
    const statNode = this.store.slotOf(quotaStatPath(root));
    if (statNode === NO_SLOT) return;
    const stats = StatsTrack.parse(this.store.data(statNode));
    stats.set("count", stats.count + countDiff);
    stats.set("bytes", stats.bytes + bytesDiff);
    this.replaceData(statNode, stats.toBuffer());
  }

  /** The quota root covering a path; the root "/" never carries one (QuotaPaths skips it). */
  quotaRootOf(path: string): string | null {
    return this.quotas.coveringRoot(path);
  }

  private recountQuota(path: string): void {
    const s = this.store;
    let count = 0n;
    let bytes = 0n;
    const start = s.slotOf(path);
    if (start !== NO_SLOT) {
      const stack: number[] = [start];
      while (stack.length > 0) {
        const slot = stack.pop()!;
        count += 1n;
        bytes += BigInt(s.dataSize(slot));
        for (let child = s.firstChildOf(slot); child !== NO_SLOT; child = s.nextSiblingOf(child)) stack.push(child);
      }
    }
    const statNode = s.slotOf(quotaStatPath(path));
    if (statNode === NO_SLOT) return;
    const stats = new StatsTrack();
    stats.set("count", count);
    stats.set("bytes", bytes);
    this.replaceData(statNode, stats.toBuffer());
  }

  /** Rewrites a quota stat node's data; it is under /zookeeper/, so its digest stays 0. */
  private replaceData(slot: number, data: Buffer): void {
    this.approximateDataSize += data.length - this.store.dataSize(slot);
    this.store.setData(slot, data);
  }

  /** Rebuilds the quota roots after a tree is loaded from a snapshot. */
  rebuildQuotaPaths(): void {
    for (const path of this.store.pathList()) {
      if (path.startsWith(`${QUOTA_ROOT}/`) && baseName(path) === LIMIT_NODE) {
        this.quotas.add(trimQuotaPath(parentPath(path)));
      }
    }
  }

  // ---- snapshots -----------------------------------------------------------------------------

  /**
   * Empties the tree before a snapshot is loaded into it with `restoreAcl` and `restoreNode`
   * or `restoreNodeBytes` (root first, every parent before its children), then `finishRestore`.
   * `nodeCount`, when known, sizes the store once.
   */
  beginRestore(nodeCount = 0): void {
    this.store.clear();
    this.store.reserve(nodeCount);
    this.ephemerals.clear();
    this.containers.clear();
    this.ttls.clear();
    this.approximateDataSize = 0;
    this.treeDigest = 0n;
    this.restoreDigestPending = 0;
    this.restoreParent = { path: "", slot: NO_SLOT };
  }

  restoreAcl(id: bigint, acl: ACL[]): void {
    this.acls.restore(id, acl);
  }

  /**
   * The last parent a restored node was filed under: snapshots are in preorder, so siblings
   * come one after another and their parent is found without cutting their paths.
   */
  private restoreParent = { path: "", slot: NO_SLOT };

  private parentForRestore(path: string): number {
    if (path === "/") return NO_SLOT;
    const last = this.restoreParent;
    const cut = path.lastIndexOf("/");
    if (last.slot !== NO_SLOT && cut === (last.path === "/" ? 0 : last.path.length) && path.startsWith(last.path)) {
      return last.slot;
    }
    const parentName = cut === 0 ? "/" : path.substring(0, cut);
    const slot = this.store.slotOf(parentName);
    if (slot === NO_SLOT) throw new Error(`snapshot node ${path} comes before its parent`);
    this.restoreParent = { path: parentName, slot };
    return slot;
  }

  /** Loads one snapshot node; `path` is "" or "/" for the root. */
  restoreNode(path: string, data: Buffer | null, aclId: bigint, stat: StatPersisted): void {
    const key = path === "" ? "/" : path;
    const s = this.store;
    const slot = s.insert(key, this.parentForRestore(key));
    s.setData(slot, data);
    s.setLong(slot, "aclId", aclId);
    s.setLong(slot, "czxid", stat.czxid);
    s.setLong(slot, "mzxid", stat.mzxid);
    s.setLong(slot, "ctime", stat.ctime);
    s.setLong(slot, "mtime", stat.mtime);
    s.setInt(slot, "version", stat.version);
    s.setInt(slot, "cversion", stat.cversion);
    s.setInt(slot, "aversion", stat.aversion);
    s.setLong(slot, "ephemeralOwner", stat.ephemeralOwner);
    s.setLong(slot, "pzxid", stat.pzxid);
    this.restored(key, slot, aclId, stat.ephemeralOwner, data?.length ?? 0);
  }

  /**
   * Loads one snapshot node straight from the file's bytes (see ZnodeStore.restore): the data
   * (`dataLength` -1 for null) and the 60 StatPersisted bytes are copied, nothing else is made.
   */
  restoreNodeBytes(path: string, bytes: Buffer, dataAt: number, dataLength: number, aclAt: number, statAt: number): void {
    const key = path === "" ? "/" : path;
    const s = this.store;
    const slot = s.restore(key, this.parentForRestore(key), bytes, dataAt, dataLength, aclAt, statAt);
    // Most nodes have the open ACL and no owner: both are recognised without making a bigint,
    // and the digest shares are summed as numbers, so loading a node leaves no garbage.
    if (!s.longIs(slot, "aclId", -1)) this.acls.addReference(s.long(slot, "aclId"));
    if (!s.longIs(slot, "ephemeralOwner", 0)) this.trackOwner(key, s.long(slot, "ephemeralOwner"));
    this.approximateDataSize += key.length + Math.max(dataLength, 0);
    if (this.digestEnabled) {
      this.restoreDigestPending += s.digest(slot);
      if (this.restoreDigestPending >= RESTORE_DIGEST_FLUSH) this.flushRestoreDigest();
    }
  }

  /** Digest shares of restored nodes not yet added to treeDigest: exact while below 2^53. */
  private restoreDigestPending = 0;

  private flushRestoreDigest(): void {
    this.treeDigest = combineDigest(this.treeDigest, BigInt(this.restoreDigestPending), 1);
    this.restoreDigestPending = 0;
  }

  private restored(path: string, slot: number, aclId: bigint, ephemeralOwner: bigint, dataSize: number): void {
    this.hash(slot);
    this.acls.addReference(aclId);
    this.approximateDataSize += path.length + dataSize;
    if (ephemeralOwner !== 0n) this.trackOwner(path, ephemeralOwner);
  }

  /** Ends a restore: system nodes a snapshot lacked are added back, quota roots found. */
  finishRestore(zxid: bigint): void {
    this.flushRestoreDigest();
    for (const path of [ZOOKEEPER_PATH, QUOTA_ROOT, CONFIG_PATH]) {
      if (!this.store.has(path)) this.addSystemNode(path);
    }
    this.restoreParent = { path: "", slot: NO_SLOT };
    this.rebuildQuotaPaths();
    this.lastProcessedZxid = zxid;
  }

  /**
   * The tree in preorder for a snapshot, root first under the path "". The walk reads the
   * live tree between the writer's pauses, so a snapshot is fuzzy exactly as ZooKeeper's is:
   * nodes deleted meanwhile are skipped, and replaying the log from the snapshot's zxid
   * brings any node to its final state.
   */
  *snapshotNodes(): Generator<{ path: string; data: Buffer | null; aclId: bigint; stat: StatPersisted }> {
    for (const { path, slot } of this.snapshotWalk()) {
      const s = this.store;
      yield {
        path: path === "/" ? "" : path,
        data: s.data(slot),
        aclId: s.long(slot, "aclId"),
        stat: this.persistedStatAt(slot),
      };
    }
  }

  /**
   * The same walk for a writer that copies bytes: each node's path, its data, ACL reference and
   * the 60 StatPersisted bytes written into `stat` (big-endian, as the snapshot holds them).
   * Read each node before resuming the walk; the tree may change between steps.
   */
  *snapshotNodeBytes(stat: Buffer): Generator<{ path: string; data: Buffer | null; aclId: bigint }> {
    for (const { path, slot } of this.snapshotWalk()) {
      this.store.copyStat(slot, stat, 0);
      yield { path: path === "/" ? "" : path, data: this.store.data(slot), aclId: this.store.long(slot, "aclId") };
    }
  }

  /**
   * Preorder by path: a node's children are looked up as it is reached, so the walk survives
   * changes. Each child is stacked with the slot it had then, trusted only while it still
   * holds that path (a freed slot holds none), which spares a lookup by path per node.
   */
  private *snapshotWalk(): Generator<{ path: string; slot: number }> {
    const store = this.store;
    const paths: string[] = ["/"];
    const slots: number[] = [store.slotOf("/")];
    const children: number[] = [];
    while (paths.length > 0) {
      const path = paths.pop()!;
      const slot = this.slotHolding(slots.pop()!, path);
      if (slot === NO_SLOT) continue;
      yield { path, slot };
      // The slot may have been reused while the caller held the step; look it up again.
      const now = this.slotHolding(slot, path);
      if (now === NO_SLOT) continue;
      children.length = 0;
      for (let child = store.firstChildOf(now); child !== NO_SLOT; child = store.nextSiblingOf(child)) children.push(child);
      for (let i = children.length - 1; i >= 0; i--) {
        paths.push(store.pathOf(children[i]!));
        slots.push(children[i]!);
      }
    }
  }

  /** `slot` when it still holds `path`, else wherever `path` is now (NO_SLOT when gone). */
  private slotHolding(slot: number, path: string): number {
    return slot !== NO_SLOT && this.store.pathOf(slot) === path ? slot : this.store.slotOf(path);
  }

  // ---- reads ---------------------------------------------------------------------------------

  statNode(path: string, watcher: Watcher | null): Stat | null {
    if (watcher !== null) this.dataWatches.add(path, watcher);
    const slot = this.store.slotOf(path);
    return slot === NO_SLOT ? null : this.statAt(slot);
  }

  getData(path: string, watcher: Watcher | null): { data: Buffer | null; stat: Stat } | null {
    const slot = this.store.slotOf(path);
    if (slot === NO_SLOT) return null;
    if (watcher !== null) this.dataWatches.add(path, watcher);
    return { data: this.store.data(slot), stat: this.statAt(slot) };
  }

  getChildren(path: string, watcher: Watcher | null): { children: string[]; stat: Stat } | null {
    const slot = this.store.slotOf(path);
    if (slot === NO_SLOT) return null;
    if (watcher !== null) this.childWatches.add(path, watcher);
    return { children: this.store.childNames(slot), stat: this.statAt(slot) };
  }

  /** Every descendant of a path (the root's count includes /zookeeper and its children). */
  getAllChildrenNumber(path: string): number {
    const s = this.store;
    const start = s.slotOf(path);
    if (start === NO_SLOT) return 0;
    if (path === "/") return s.size - 1;
    let total = 0;
    const stack: number[] = [start];
    while (stack.length > 0) {
      const slot = stack.pop()!;
      for (let child = s.firstChildOf(slot); child !== NO_SLOT; child = s.nextSiblingOf(child)) {
        total++;
        stack.push(child);
      }
    }
    return total;
  }

  getEphemerals(sessionId: bigint): string[] {
    return [...(this.ephemerals.get(sessionId) ?? [])];
  }

  /** Containers that are empty and were used, and TTL nodes past their time (ContainerManager). */
  expiryCandidates(nowMs: bigint, containerNeverUsedMs: bigint): string[] {
    const s = this.store;
    const out: string[] = [];
    for (const path of this.containers) {
      const slot = s.slotOf(path);
      if (slot === NO_SLOT || s.childCount(slot) > 0) continue;
      if (s.int(slot, "cversion") > 0) out.push(path);
      else if (containerNeverUsedMs !== 0n && nowMs - s.long(slot, "mtime") > containerNeverUsedMs) out.push(path);
    }
    for (const path of this.ttls) {
      const slot = s.slotOf(path);
      if (slot === NO_SLOT || s.childCount(slot) > 0) continue;
      const ttl = ttlOf(s.long(slot, "ephemeralOwner"));
      if (ttl !== 0n && nowMs - s.long(slot, "mtime") > ttl) out.push(path);
    }
    return out;
  }

  // ---- watches -------------------------------------------------------------------------------

  addWatch(path: string, watcher: Watcher, mode: WatcherMode): void {
    this.dataWatches.add(path, watcher, mode);
    this.childWatches.add(path, watcher, mode);
  }

  /** SetWatches on reconnect: fire what was missed since `relativeZxid`, re-arm the rest. */
  setWatches(
    relativeZxid: bigint,
    dataWatches: readonly string[],
    existWatches: readonly string[],
    childWatches: readonly string[],
    persistentWatches: readonly string[],
    persistentRecursiveWatches: readonly string[],
    watcher: Watcher,
  ): void {
    const fire = (type: number, path: string) => watcher.notify({ type, state: 3, path, zxid: this.lastProcessedZxid });
    for (const path of dataWatches) {
      const node = this.nodes.get(path);
      if (node === undefined) fire(EventType.NodeDeleted, path);
      else if (node.mzxid > relativeZxid) fire(EventType.NodeDataChanged, path);
      else this.dataWatches.add(path, watcher);
    }
    for (const path of existWatches) {
      if (this.nodes.has(path)) fire(EventType.NodeCreated, path);
      else this.dataWatches.add(path, watcher);
    }
    for (const path of childWatches) {
      const node = this.nodes.get(path);
      if (node === undefined) fire(EventType.NodeDeleted, path);
      else if (node.pzxid > relativeZxid) fire(EventType.NodeChildrenChanged, path);
      else this.childWatches.add(path, watcher);
    }
    for (const path of persistentWatches) this.addWatch(path, watcher, "persistent");
    for (const path of persistentRecursiveWatches) this.addWatch(path, watcher, "persistentRecursive");
  }

  containsWatcher(path: string, type: number, watcher: Watcher): boolean {
    switch (type) {
      case WatcherType.Children:
        return this.childWatches.contains(path, watcher);
      case WatcherType.Data:
        return this.dataWatches.contains(path, watcher);
      case WatcherType.Any:
        return this.childWatches.contains(path, watcher) || this.dataWatches.contains(path, watcher);
      default:
        return false;
    }
  }

  removeWatch(path: string, type: number, watcher: Watcher): boolean {
    switch (type) {
      case WatcherType.Children:
        return this.childWatches.remove(path, watcher);
      case WatcherType.Data:
        return this.dataWatches.remove(path, watcher);
      case WatcherType.Any: {
        const child = this.childWatches.remove(path, watcher);
        const data = this.dataWatches.remove(path, watcher);
        return child || data;
      }
      default:
        return false;
    }
  }

  /** Forgets every watch of a closed connection. */
  removeWatcher(watcher: Watcher): void {
    this.dataWatches.removeWatcher(watcher);
    this.childWatches.removeWatcher(watcher);
  }
}
