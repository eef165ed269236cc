import {
  type ACL,
  ErrorCode,
  EventType,
  Ids,
  OpCode,
  type Stat,
  type StatPersisted,
  type TxnBody,
  type TxnHeader,
  WatcherType,
} from "@zkts/jute";
import { DIGEST_VERSION, combineDigest, nodeDigest } from "./digest.js";
import { AclCache, OPEN_UNSAFE_ACL_ID } from "./acl-cache.js";
import type { AuthConfig } from "./auth.js";
import { CONTAINER_EPHEMERAL_OWNER, ephemeralKind, ttlOf, ttlOwner } from "./ephemeral-type.js";
import { baseName, joinPath, parentPath } from "./path.js";
import {
  LIMIT_NODE,
  QUOTA_ROOT,
  QuotaPaths,
  STAT_NODE,
  StatsTrack,
  quotaStatPath,
  trimQuotaPath,
} from "./quota.js";
import { WatchTable, type Watcher, type WatcherMode } from "./watches.js";
import { type Znode, newZnode, systemZnode, toClientStat, toStatPersisted } from "./znode.js";

export const ZOOKEEPER_PATH = "/zookeeper";
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

class NoNode extends Error {}

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
  readonly nodes = new Map<string, Znode>();
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
    const root = systemZnode(OPEN_UNSAFE_ACL_ID);
    const zookeeper = systemZnode(OPEN_UNSAFE_ACL_ID);
    const quota = systemZnode(OPEN_UNSAFE_ACL_ID);
    const config = systemZnode(this.acls.intern(Ids.READ_ACL_UNSAFE as unknown as ACL[]));
    // ZooKeeper creates /zookeeper/config through setACL(version -1), which leaves aversion -1.
    config.aversion = -1;
    root.children.add("zookeeper");
    zookeeper.children.add("quota");
    zookeeper.children.add("config");
    this.nodes.set("/", root);
    this.nodes.set(ZOOKEEPER_PATH, zookeeper);
    this.nodes.set(QUOTA_ROOT, quota);
    this.nodes.set(CONFIG_PATH, config);
    for (const [path, node] of this.nodes) {
      this.approximateDataSize += path.length + (node.data?.length ?? 0);
      this.hash(path, node);
    }
  }

  /** ZooKeeper's digest_mismatches_count: recorded digests (log, proposal, snapshot) that differed. */
  digestMismatches = 0;
  /**
   * ZooKeeper's digestFromLoadedSnapshot: a loaded snapshot is fuzzy, its digest holds only once
   * the replay reaches the zxid it was taken at; until then txn digests are not compared.
   */
  private digestFromSnapshot: { zxid: bigint; version: number; digest: bigint } | null = null;

  /**
   * Takes the digest a just-loaded snapshot carries (null when it has none; a zxid of 0 means
   * its writer knew none, a zxid below the snapshot's own can never be reached). Compared at
   * once when it is for the tree as loaded.
   */
  restoredDigest(recorded: { zxid: bigint; version: number; digest: bigint } | null, snapshotZxid: bigint): DigestMismatch | null {
    this.digestFromSnapshot = recorded !== null && recorded.zxid > 0n && recorded.zxid >= snapshotZxid ? recorded : null;
    return this.digestFromSnapshot !== null && this.digestFromSnapshot.zxid === this.lastProcessedZxid ? this.compareSnapshotDigest() : null;
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
  private hash(path: string, node: Znode): void {
    if (this.digestEnabled) this.treeDigest = combineDigest(this.treeDigest, nodeDigest(path, node), 1);
  }

  /** Takes a node out of the digest: before it is changed or deleted. */
  private unhash(path: string, node: Znode): void {
    if (this.digestEnabled) this.treeDigest = combineDigest(this.treeDigest, nodeDigest(path, node), -1);
  }

  getNode(path: string): Znode | undefined {
    return this.nodes.get(path);
  }

  aclOf(node: Znode): ACL[] {
    return this.acls.get(node.aclId);
  }

  get nodeCount(): number {
    return this.nodes.size;
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
          const stat = this.createNode(
            t.path,
            t.data,
            t.acl,
            t.ephemeral ? header.clientId : 0n,
            t.parentCVersion,
            header.zxid,
            header.time,
          );
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
          rc.stat = this.createNode(
            t.path,
            t.data,
            t.acl,
            CONTAINER_EPHEMERAL_OWNER,
            t.parentCVersion,
            header.zxid,
            header.time,
          );
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
      const parent = this.nodes.get(parentPath(rc.path));
      if (parent === undefined) rc.err = ErrorCode.NONODE;
      else if (body.txn.parentCVersion > parent.cversion) {
        this.unhash(parentPath(rc.path), parent);
        parent.cversion = body.txn.parentCVersion;
        parent.pzxid = header.zxid;
        this.hash(parentPath(rc.path), parent);
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

  createNode(
    path: string,
    data: Buffer | null,
    acl: ACL[],
    ephemeralOwner: bigint,
    parentCVersion: number,
    zxid: bigint,
    time: bigint,
  ): Stat {
    const parentName = parentPath(path);
    const parent = this.nodes.get(parentName);
    if (parent === undefined) throw new NoNode("parent");
    if (this.nodes.has(path)) throw new NoNode("exists");
    let cversion = parentCVersion;
    if (cversion === -1) cversion = parent.cversion + 1;
    this.unhash(parentName, parent);
    if (cversion > parent.cversion) {
      parent.cversion = cversion;
      parent.pzxid = zxid;
    }
    this.hash(parentName, parent);
    const child = newZnode(data, this.acls.intern(acl), zxid, time, ephemeralOwner);
    parent.children.add(baseName(path));
    this.nodes.set(path, child);
    this.hash(path, child);
    this.approximateDataSize += path.length + (data?.length ?? 0);
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
    if (parentName.startsWith(QUOTA_ROOT)) {
      const childName = baseName(path);
      if (childName === LIMIT_NODE) this.quotas.add(trimQuotaPath(parentName));
      if (childName === STAT_NODE) this.recountQuota(trimQuotaPath(parentName));
    }
    this.updateQuotaStats(path, BigInt(data?.length ?? 0), 1n);
    const stat = toClientStat(child, this.extendedTypesEnabled);
    this.dataWatches.trigger(path, EventType.NodeCreated, zxid, acl);
    this.childWatches.trigger(parentName, EventType.NodeChildrenChanged, zxid, this.aclOf(parent));
    return stat;
  }

  deleteNode(path: string, zxid: bigint): void {
    const parentName = parentPath(path);
    const parent = this.nodes.get(parentName);
    if (parent === undefined) throw new NoNode("parent");
    const childName = baseName(path);
    parent.children.delete(childName);
    this.unhash(parentName, parent);
    if (zxid > parent.pzxid) parent.pzxid = zxid;
    this.hash(parentName, parent);
    const node = this.nodes.get(path);
    if (node === undefined) throw new NoNode("node");
    this.unhash(path, node);
    this.nodes.delete(path);
    const acl = this.aclOf(node);
    this.acls.release(node.aclId);
    this.approximateDataSize -= path.length + (node.data?.length ?? 0);
    switch (ephemeralKind(node.ephemeralOwner, this.extendedTypesEnabled)) {
      case "container":
        this.containers.delete(path);
        break;
      case "ttl":
        this.ttls.delete(path);
        break;
      case "normal": {
        const set = this.ephemerals.get(node.ephemeralOwner);
        if (set !== undefined) {
          set.delete(path);
          if (set.size === 0) this.ephemerals.delete(node.ephemeralOwner);
        }
        break;
      }
      case "void":
        break;
    }
    if (parentName.startsWith(QUOTA_ROOT) && childName === LIMIT_NODE) {
      this.quotas.delete(trimQuotaPath(parentName));
    }
    this.updateQuotaStats(path, -BigInt(node.data?.length ?? 0), -1n);
    const processed = this.dataWatches.trigger(path, EventType.NodeDeleted, zxid, acl);
    this.childWatches.trigger(path, EventType.NodeDeleted, zxid, acl, processed);
    this.childWatches.trigger(parentName, EventType.NodeChildrenChanged, zxid, this.aclOf(parent));
  }

  setData(path: string, data: Buffer | null, version: number, zxid: bigint, time: bigint): Stat {
    const node = this.nodes.get(path);
    if (node === undefined) throw new NoNode("node");
    const previousLength = node.data?.length ?? 0;
    this.unhash(path, node);
    node.data = data;
    node.mtime = time;
    node.mzxid = zxid;
    node.version = version;
    this.hash(path, node);
    const stat = toClientStat(node, this.extendedTypesEnabled);
    const length = data?.length ?? 0;
    this.approximateDataSize += length - previousLength;
    this.updateQuotaStats(path, BigInt(length - previousLength), 0n);
    this.dataWatches.trigger(path, EventType.NodeDataChanged, zxid, this.aclOf(node));
    return stat;
  }

  setAcl(path: string, acl: ACL[], version: number): Stat {
    const node = this.nodes.get(path);
    if (node === undefined) throw new NoNode("node");
    this.acls.release(node.aclId);
    this.unhash(path, node);
    node.aversion = version;
    node.aclId = this.acls.intern(acl);
    this.hash(path, node);
    return toClientStat(node, this.extendedTypesEnabled);
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
    const statNode = this.nodes.get(quotaStatPath(root));
    if (statNode === undefined) return;
    const stats = StatsTrack.parse(statNode.data);
    stats.set("count", stats.count + countDiff);
    stats.set("bytes", stats.bytes + bytesDiff);
    this.replaceData(statNode, stats.toBuffer());
  }

  /** The quota root covering a path; the root "/" never carries one (QuotaPaths skips it). */
  quotaRootOf(path: string): string | null {
    return this.quotas.coveringRoot(path);
  }

  private recountQuota(path: string): void {
    let count = 0n;
    let bytes = 0n;
    const start = this.nodes.get(path);
    if (start !== undefined) {
      const stack: string[] = [path];
      while (stack.length > 0) {
        const p = stack.pop()!;
        const node = this.nodes.get(p);
        if (node === undefined) continue;
        count += 1n;
        bytes += BigInt(node.data?.length ?? 0);
        for (const child of node.children) stack.push(joinPath(p, child));
      }
    }
    const statNode = this.nodes.get(quotaStatPath(path));
    if (statNode === undefined) return;
    const stats = new StatsTrack();
    stats.set("count", count);
    stats.set("bytes", bytes);
    this.replaceData(statNode, stats.toBuffer());
  }

  private replaceData(node: Znode, data: Buffer): void {
    this.approximateDataSize += data.length - (node.data?.length ?? 0);
    node.data = data;
  }

  /** Rebuilds the quota roots after a tree is loaded from a snapshot. */
  rebuildQuotaPaths(): void {
    for (const path of this.nodes.keys()) {
      if (path.startsWith(`${QUOTA_ROOT}/`) && baseName(path) === LIMIT_NODE) {
        this.quotas.add(trimQuotaPath(parentPath(path)));
      }
    }
  }

  // ---- snapshots -----------------------------------------------------------------------------

  /**
   * Empties the tree before a snapshot is loaded into it with `restoreAcl` and `restoreNode`
   * (root first, every parent before its children), then `finishRestore`.
   */
  beginRestore(): void {
    this.nodes.clear();
    this.ephemerals.clear();
    this.containers.clear();
    this.ttls.clear();
    this.approximateDataSize = 0;
    this.treeDigest = 0n;
  }

  restoreAcl(id: bigint, acl: ACL[]): void {
    this.acls.restore(id, acl);
  }

  /** Loads one snapshot node; `path` is "" or "/" for the root. */
  restoreNode(path: string, data: Buffer | null, aclId: bigint, stat: StatPersisted): void {
    const key = path === "" ? "/" : path;
    const node: Znode = { ...stat, data, aclId, children: new Set() };
    if (key !== "/") {
      const parent = this.nodes.get(parentPath(key));
      if (parent === undefined) throw new Error(`snapshot node ${key} comes before its parent`);
      parent.children.add(baseName(key));
    }
    this.nodes.set(key, node);
    this.hash(key, node);
    this.acls.addReference(aclId);
    this.approximateDataSize += key.length + (data?.length ?? 0);
    switch (ephemeralKind(stat.ephemeralOwner, this.extendedTypesEnabled)) {
      case "container":
        this.containers.add(key);
        break;
      case "ttl":
        this.ttls.add(key);
        break;
      case "normal": {
        let set = this.ephemerals.get(stat.ephemeralOwner);
        if (set === undefined) {
          set = new Set();
          this.ephemerals.set(stat.ephemeralOwner, set);
        }
        set.add(key);
        break;
      }
      case "void":
        break;
    }
  }

  /** Ends a restore: system nodes a snapshot lacked are added back, quota roots found. */
  finishRestore(zxid: bigint): void {
    for (const [path, parent] of [
      [ZOOKEEPER_PATH, "/"],
      [QUOTA_ROOT, ZOOKEEPER_PATH],
      [CONFIG_PATH, ZOOKEEPER_PATH],
    ] as const) {
      if (this.nodes.has(path)) continue;
      const aclId = path === CONFIG_PATH ? this.acls.intern(Ids.READ_ACL_UNSAFE as unknown as ACL[]) : OPEN_UNSAFE_ACL_ID;
      const node = systemZnode(aclId);
      if (path === CONFIG_PATH) node.aversion = -1;
      this.nodes.set(path, node);
      this.hash(path, node);
      this.nodes.get(parent)?.children.add(baseName(path));
    }
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
    const stack: string[] = ["/"];
    while (stack.length > 0) {
      const path = stack.pop()!;
      const node = this.nodes.get(path);
      if (node === undefined) continue;
      yield { path: path === "/" ? "" : path, data: node.data, aclId: node.aclId, stat: toStatPersisted(node) };
      const children = [...node.children];
      for (let i = children.length - 1; i >= 0; i--) stack.push(joinPath(path, children[i]!));
    }
  }

  // ---- reads ---------------------------------------------------------------------------------

  statNode(path: string, watcher: Watcher | null): Stat | null {
    if (watcher !== null) this.dataWatches.add(path, watcher);
    const node = this.nodes.get(path);
    return node === undefined ? null : toClientStat(node, this.extendedTypesEnabled);
  }

  getData(path: string, watcher: Watcher | null): { data: Buffer | null; stat: Stat } | null {
    const node = this.nodes.get(path);
    if (node === undefined) return null;
    if (watcher !== null) this.dataWatches.add(path, watcher);
    return { data: node.data, stat: toClientStat(node, this.extendedTypesEnabled) };
  }

  getChildren(path: string, watcher: Watcher | null): { children: string[]; stat: Stat } | null {
    const node = this.nodes.get(path);
    if (node === undefined) return null;
    if (watcher !== null) this.childWatches.add(path, watcher);
    return { children: [...node.children], stat: toClientStat(node, this.extendedTypesEnabled) };
  }

  /** Every descendant of a path (the root's count includes /zookeeper and its children). */
  getAllChildrenNumber(path: string): number {
    const start = this.nodes.get(path);
    if (start === undefined) return 0;
    if (path === "/") return this.nodes.size - 1;
    let total = 0;
    const stack: string[] = [path];
    while (stack.length > 0) {
      const p = stack.pop()!;
      const node = this.nodes.get(p);
      if (node === undefined) continue;
      for (const child of node.children) {
        total++;
        stack.push(joinPath(p, child));
      }
    }
    return total;
  }

  getEphemerals(sessionId: bigint): string[] {
    return [...(this.ephemerals.get(sessionId) ?? [])];
  }

  /** Containers that are empty and were used, and TTL nodes past their time (ContainerManager). */
  expiryCandidates(nowMs: bigint, containerNeverUsedMs: bigint): string[] {
    const out: string[] = [];
    for (const path of this.containers) {
      const node = this.nodes.get(path);
      if (node === undefined || node.children.size > 0) continue;
      if (node.cversion > 0) out.push(path);
      else if (containerNeverUsedMs !== 0n && nowMs - node.mtime > containerNeverUsedMs) out.push(path);
    }
    for (const path of this.ttls) {
      const node = this.nodes.get(path);
      if (node === undefined || node.children.size > 0) continue;
      const ttl = ttlOf(node.ephemeralOwner);
      if (ttl !== 0n && nowMs - node.mtime > ttl) out.push(path);
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
    const fire = (type: number, path: string) =>
      watcher.notify({ type, state: 3, path, zxid: this.lastProcessedZxid });
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
