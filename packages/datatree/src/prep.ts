import {
  type ACL,
  type CheckVersionRequest,
  CreateMode,
  type CreateRequest,
  type CreateTTLRequest,
  type DeleteRequest,
  ErrorCode,
  type Id,
  type MultiOp,
  OpCode,
  Perms,
  type ReconfigRequest,
  type SetACLRequest,
  type SetDataRequest,
  type TxnBody,
} from "@zkts/jute";
import { type AuthConfig, aclPermits, isAuthenticatedScheme, isKnownScheme, isValidAclId } from "./auth.js";
import { type EnsembleConfig, parseEnsembleConfig, renderEnsembleConfig } from "./ensemble-config.js";
import { CONTAINER_EPHEMERAL_OWNER, TTL_MAX_MS, ephemeralKind, ttlOwner } from "./ephemeral-type.js";
import { KeeperError } from "./keeper-error.js";
import { NullFieldError, dereferenced } from "./null-field.js";
import { pathProblem } from "./path.js";
import { StatsTrack, quotaLimitPath, quotaStatPath } from "./quota.js";
import { applyReconfig } from "./reconfig.js";
import { clonedCapacity, grownCapacity, javaHashSetOrder } from "./java-hash-set-order.js";
import { CONFIG_PATH, type DataTree } from "./tree.js";

/** A write the prep stage turns into a transaction. */
export type WriteRequest =
  | { type: typeof OpCode.create | typeof OpCode.create2 | typeof OpCode.createContainer; request: CreateRequest }
  | { type: typeof OpCode.createTTL; request: CreateTTLRequest }
  | { type: typeof OpCode.delete; request: DeleteRequest }
  | { type: typeof OpCode.deleteContainer; path: string }
  | { type: typeof OpCode.setData; request: SetDataRequest }
  | { type: typeof OpCode.setACL; request: SetACLRequest }
  | { type: typeof OpCode.check; request: CheckVersionRequest }
  | { type: typeof OpCode.multi; ops: MultiOp[] }
  | { type: typeof OpCode.reconfig; request: ReconfigRequest };

export interface PrepContext {
  sessionId: bigint;
  authInfo: readonly Id[];
  zxid: bigint;
  time: bigint;
}

export interface PrepConfig {
  auth: AuthConfig;
  /** `zookeeper.extendedTypesEnabled`: TTL nodes. */
  extendedTypesEnabled: boolean;
  /** `zookeeper.enforceQuota`: hard quota limits fail writes with QUOTAEXCEEDED. */
  enforceQuota: boolean;
  reconfigEnabled: boolean;
  /**
   * What only an ensemble's leader knows when it prepares a reconfig. Absent on a standalone
   * server, which answers an enabled reconfig with UNIMPLEMENTED, as ZooKeeper's does.
   */
  reconfigLeader?: ReconfigLeader | null;
}

export interface ReconfigLeader {
  /** QuorumPeerConfig's standaloneEnabled: with it, a new configuration needs two voters. */
  standaloneEnabled: boolean;
  /** A proposed configuration is not committed yet (ZooKeeper: last seen verifier != current one). */
  reconfigInProgress(): boolean;
  /** The leader and the followers synced with it are a quorum of `config`'s voters (see hasSyncedQuorum). */
  hasSyncedQuorumOf(config: EnsembleConfig): boolean;
}

/** The state of a path as the prep stage sees it: the tree plus writes not yet applied. */
interface ChangeRecord {
  zxid: bigint;
  path: string;
  exists: boolean;
  version: number;
  cversion: number;
  aversion: number;
  ephemeralOwner: bigint;
  childCount: number;
  acl: ACL[];
  data: Buffer | null;
}

/**
 * ZooKeeper's PrepRequestProcessor: validates a write against the tree and every write
 * accepted before it but not yet applied (the outstanding change records), and produces the
 * transaction, or an error transaction carrying the failure code. Writes are pipelined: the
 * tree only learns of a transaction when it is applied, and `applied(zxid)` retires the change
 * records it covers.
 */
/** Retired change records kept before they are cut off the queue in one go. */
const RETIRED_RECORDS_COMPACT_MIN = 1024;

export class Preparer {
  /** Change records in zxid order; those before `outstandingHead` are retired. */
  private readonly outstanding: ChangeRecord[] = [];
  private outstandingHead = 0;
  private readonly outstandingByPath = new Map<string, ChangeRecord>();

  constructor(
    private readonly tree: DataTree,
    readonly config: PrepConfig,
  ) {}

  get outstandingCount(): number {
    return this.outstanding.length - this.outstandingHead;
  }

  /**
   * Turns a write into its transaction body; failures become an error txn. A null field
   * ZooKeeper dereferences fails the whole write, a multi included, with MARSHALLINGERROR.
   */
  prepare(write: WriteRequest, ctx: PrepContext): TxnBody {
    try {
      if (write.type === OpCode.multi) return this.prepareMulti(write.ops, ctx);
      return this.prepareOne(write, ctx);
    } catch (e) {
      if (e instanceof KeeperError) return { type: OpCode.error, txn: { err: e.code } };
      if (e instanceof NullFieldError) {
        this.rollback(ctx.zxid);
        return { type: OpCode.error, txn: { err: ErrorCode.MARSHALLINGERROR } };
      }
      throw e;
    }
  }

  /** The closeSession txn: every ephemeral of the session, counting writes still in flight. */
  prepareCloseSession(sessionId: bigint, zxid: bigint): TxnBody {
    // ZooKeeper copies the session's HashSet of ephemerals (a clone, sized for its keys), adds
    // and removes the outstanding changes, and lists the copy: the txn's paths come in that
    // set's iteration order, which the deletions and their audit lines follow.
    const local = this.tree.getEphemerals(sessionId);
    const cloned = javaHashSetOrder(javaHashSetOrder(local, grownCapacity(local.length)), clonedCapacity(local.length));
    const paths = new Set(cloned);
    let largest = paths.size;
    for (let i = this.outstandingHead; i < this.outstanding.length; i++) {
      const record = this.outstanding[i]!;
      if (!record.exists) paths.delete(record.path);
      else if (record.ephemeralOwner === sessionId) paths.add(record.path);
      largest = Math.max(largest, paths.size);
    }
    const ordered = javaHashSetOrder([...paths], grownCapacity(largest, clonedCapacity(local.length)));
    for (const path of ordered) {
      this.addChange({ ...this.blankRecord(path, zxid) });
    }
    return { type: OpCode.closeSession, txn: { paths2Delete: ordered } };
  }

  /** Retires the change records of every transaction up to and including `zxid`. */
  applied(zxid: bigint): void {
    const records = this.outstanding;
    let head = this.outstandingHead;
    while (head < records.length && records[head]!.zxid <= zxid) {
      const record = records[head]!;
      if (this.outstandingByPath.get(record.path) === record) this.outstandingByPath.delete(record.path);
      head++;
    }
    // Retired records are cut off in bulk: cutting them one txn at a time shifted every record
    // still in flight each time, which made a pipelined burst of writes quadratic.
    if (head === records.length) {
      records.length = 0;
      head = 0;
    } else if (head >= RETIRED_RECORDS_COMPACT_MIN && head * 2 >= records.length) {
      records.splice(0, head);
      head = 0;
    }
    this.outstandingHead = head;
  }

  /** Forgets every outstanding change (after the pipeline was reset). */
  clear(): void {
    this.outstanding.length = 0;
    this.outstandingHead = 0;
    this.outstandingByPath.clear();
  }

  private prepareMulti(ops: MultiOp[], ctx: PrepContext): TxnBody {
    const txns: TxnBody[] = [];
    let failed = false;
    for (const op of ops) {
      if (failed) {
        txns.push({ type: OpCode.error, txn: { err: ErrorCode.RUNTIMEINCONSISTENCY } });
        continue;
      }
      try {
        txns.push(this.prepareOne(toWrite(op), ctx));
      } catch (e) {
        if (!(e instanceof KeeperError)) throw e;
        failed = true;
        txns.push({ type: OpCode.error, txn: { err: e.code } });
        this.rollback(ctx.zxid);
      }
    }
    return { type: OpCode.multi, txns };
  }

  /**
   * Drops the change records of a failed multi. Every path it touched, including the suffixed
   * names of its sequential creates (which are not among the op paths), goes back to the newest
   * record still outstanding for it, or to the tree when there is none.
   */
  private rollback(zxid: bigint): void {
    const touched = new Set<string>();
    while (this.outstanding.length > this.outstandingHead && this.outstanding[this.outstanding.length - 1]!.zxid === zxid) {
      touched.add(this.outstanding.pop()!.path);
    }
    for (const path of touched) {
      let previous: ChangeRecord | undefined;
      for (let i = this.outstanding.length - 1; i >= this.outstandingHead && previous === undefined; i--) {
        if (this.outstanding[i]!.path === path) previous = this.outstanding[i];
      }
      if (previous === undefined) this.outstandingByPath.delete(path);
      else this.outstandingByPath.set(path, previous);
    }
  }

  private prepareOne(write: Exclude<WriteRequest, { type: typeof OpCode.multi }>, ctx: PrepContext): TxnBody {
    switch (write.type) {
      case OpCode.create:
      case OpCode.create2:
      case OpCode.createContainer:
        return this.prepareCreate(write.type, write.request, -1n, ctx);
      case OpCode.createTTL:
        return this.prepareCreate(write.type, write.request, write.request.ttl, ctx);
      case OpCode.delete:
        return this.prepareDelete(write.request, ctx);
      case OpCode.deleteContainer:
        return this.prepareDeleteContainer(write.path, ctx);
      case OpCode.setData:
        return this.prepareSetData(write.request, ctx);
      case OpCode.setACL:
        return this.prepareSetAcl(write.request, ctx);
      case OpCode.check:
        return this.prepareCheck(write.request, ctx);
      case OpCode.reconfig:
        return this.prepareReconfig(write.request, ctx);
    }
  }

  /**
   * PrepRequestProcessor's reconfig, in its order: enabled, an ensemble, no reconfig in flight,
   * the new configuration (version, parsing, two voters), a synced quorum of it, and only then
   * WRITE on /zookeeper/config, which only the super user (or skipACL) has. The current
   * configuration is the data of /zookeeper/config, counting a reconfig not yet applied. The
   * transaction is a setData of the new configuration's text with version -1, which is the
   * version the node is left with.
   */
  private prepareReconfig(request: ReconfigRequest, ctx: PrepContext): TxnBody {
    if (!this.config.reconfigEnabled) throw new KeeperError(ErrorCode.RECONFIGDISABLED);
    const leader = this.config.reconfigLeader;
    if (leader === undefined || leader === null) throw new KeeperError(ErrorCode.UNIMPLEMENTED);
    if (leader.reconfigInProgress()) throw new KeeperError(ErrorCode.RECONFIGINPROGRESS);
    const node = this.recordFor(CONFIG_PATH);
    const current = parseEnsembleConfig(node.data?.toString("utf8") ?? "", { standaloneEnabled: leader.standaloneEnabled });
    const next = applyReconfig(current, request, ctx.zxid, { standaloneEnabled: leader.standaloneEnabled });
    if (!leader.hasSyncedQuorumOf(next)) throw new KeeperError(ErrorCode.NEWCONFIGNOQUORUM);
    this.checkAcl(node.acl, Perms.WRITE, ctx.authInfo);
    const data = Buffer.from(renderEnsembleConfig(next), "utf8");
    this.addChange({ ...node, zxid: ctx.zxid, version: -1, data });
    return { type: OpCode.reconfig, txn: { path: CONFIG_PATH, data, version: -1 } };
  }

  private prepareCreate(type: number, request: CreateRequest | CreateTTLRequest, ttl: bigint, ctx: PrepContext): TxnBody {
    const flags = request.flags;
    if (flags < CreateMode.PERSISTENT || flags > CreateMode.PERSISTENT_SEQUENTIAL_WITH_TTL) {
      throw new KeeperError(ErrorCode.BADARGUMENTS, request.path);
    }
    const isTtl = flags === CreateMode.PERSISTENT_WITH_TTL || flags === CreateMode.PERSISTENT_SEQUENTIAL_WITH_TTL;
    const isSequential =
      flags === CreateMode.PERSISTENT_SEQUENTIAL || flags === CreateMode.EPHEMERAL_SEQUENTIAL || flags === CreateMode.PERSISTENT_SEQUENTIAL_WITH_TTL;
    const isEphemeral = flags === CreateMode.EPHEMERAL || flags === CreateMode.EPHEMERAL_SEQUENTIAL;
    const isContainer = flags === CreateMode.CONTAINER;
    if (isTtl && !this.config.extendedTypesEnabled) throw new KeeperError(ErrorCode.UNIMPLEMENTED);
    if (isTtl ? ttl > TTL_MAX_MS || ttl <= 0n : ttl >= 0n) throw new KeeperError(ErrorCode.BADARGUMENTS, request.path);

    let path = dereferenced(request.path, "create path");
    const slash = path.lastIndexOf("/");
    if (slash === -1 || path.includes("\u0000")) throw new KeeperError(ErrorCode.BADARGUMENTS, path);
    const parentName = slash === 0 ? "/" : path.substring(0, slash);
    const acl = this.fixupAcl(path, ctx.authInfo, request.acl);
    const parent = this.recordFor(parentName);
    this.checkAcl(parent.acl, Perms.CREATE, ctx.authInfo);
    if (isSequential) path = path + String(parent.cversion).padStart(10, "0");
    if (pathProblem(path) !== null) throw new KeeperError(ErrorCode.BADARGUMENTS, path);
    if (this.lookup(path) !== null) throw new KeeperError(ErrorCode.NODEEXISTS, path);
    if (ephemeralKind(parent.ephemeralOwner, this.config.extendedTypesEnabled) === "normal") {
      throw new KeeperError(ErrorCode.NOCHILDRENFOREPHEMERALS, path);
    }
    const newCversion = parent.cversion + 1;
    this.checkQuota(path, null, request.data, true);

    let body: TxnBody;
    if (type === OpCode.createContainer) {
      body = { type: OpCode.createContainer, txn: { path, data: request.data, acl, parentCVersion: newCversion } };
    } else if (type === OpCode.createTTL) {
      body = { type: OpCode.createTTL, txn: { path, data: request.data, acl, parentCVersion: newCversion, ttl } };
    } else {
      body = {
        type: type as typeof OpCode.create | typeof OpCode.create2,
        txn: { path, data: request.data, acl, ephemeral: isEphemeral, parentCVersion: newCversion },
      };
    }
    let ephemeralOwner = 0n;
    if (isContainer) ephemeralOwner = CONTAINER_EPHEMERAL_OWNER;
    else if (isTtl) ephemeralOwner = ttlOwner(ttl);
    else if (isEphemeral) ephemeralOwner = ctx.sessionId;

    this.addChange({ ...parent, zxid: ctx.zxid, childCount: parent.childCount + 1, cversion: newCversion });
    this.addChange({
      zxid: ctx.zxid,
      path,
      exists: true,
      version: 0,
      cversion: 0,
      aversion: 0,
      ephemeralOwner,
      childCount: 0,
      acl,
      data: request.data,
    });
    return body;
  }

  private prepareDelete(request: DeleteRequest, ctx: PrepContext): TxnBody {
    const path = dereferenced(request.path, "delete path");
    const parentName = this.parentForDelete(path);
    const parent = this.recordFor(parentName);
    this.checkAcl(parent.acl, Perms.DELETE, ctx.authInfo);
    const node = this.recordFor(path);
    checkVersion(node.version, request.version, path);
    if (node.childCount > 0) throw new KeeperError(ErrorCode.NOTEMPTY, path);
    this.addChange({ ...parent, zxid: ctx.zxid, childCount: parent.childCount - 1 });
    this.addChange(this.blankRecord(path, ctx.zxid));
    return { type: OpCode.delete, txn: { path } };
  }

  private prepareDeleteContainer(path: string, ctx: PrepContext): TxnBody {
    const parentName = this.parentForDelete(path);
    const node = this.recordFor(path);
    if (node.childCount > 0) throw new KeeperError(ErrorCode.NOTEMPTY, path);
    if (ephemeralKind(node.ephemeralOwner, this.config.extendedTypesEnabled) === "normal") {
      throw new KeeperError(ErrorCode.BADVERSION, path);
    }
    const parent = this.recordFor(parentName);
    this.addChange({ ...parent, zxid: ctx.zxid, childCount: parent.childCount - 1 });
    this.addChange(this.blankRecord(path, ctx.zxid));
    return { type: OpCode.deleteContainer, txn: { path } };
  }

  private prepareSetData(request: SetDataRequest, ctx: PrepContext): TxnBody {
    const path = validPath(request.path);
    const node = this.recordFor(path);
    this.checkAcl(node.acl, Perms.WRITE, ctx.authInfo);
    this.checkQuota(path, node.data, request.data, false);
    const version = checkVersion(node.version, request.version, path);
    this.addChange({ ...node, zxid: ctx.zxid, version, data: request.data });
    return { type: OpCode.setData, txn: { path, data: request.data, version } };
  }

  private prepareSetAcl(request: SetACLRequest, ctx: PrepContext): TxnBody {
    const path = validPath(request.path);
    const acl = this.fixupAcl(path, ctx.authInfo, request.acl);
    const node = this.recordFor(path);
    this.checkAcl(node.acl, Perms.ADMIN, ctx.authInfo);
    const aversion = checkVersion(node.aversion, request.version, path);
    this.addChange({ ...node, zxid: ctx.zxid, aversion, acl });
    return { type: OpCode.setACL, txn: { path, acl, version: aversion } };
  }

  private prepareCheck(request: CheckVersionRequest, ctx: PrepContext): TxnBody {
    const path = validPath(request.path);
    const node = this.recordFor(path);
    this.checkAcl(node.acl, Perms.READ, ctx.authInfo);
    const version = checkVersion(node.version, request.version, path);
    return { type: OpCode.check, txn: { path, version } };
  }

  // ---- helpers -------------------------------------------------------------------------------

  private parentForDelete(path: string): string {
    const slash = path.lastIndexOf("/");
    if (slash === -1 || path.includes("\u0000") || this.tree.isSpecialPath(path)) {
      throw new KeeperError(ErrorCode.BADARGUMENTS, path);
    }
    return slash === 0 ? "/" : path.substring(0, slash);
  }

  private lookup(path: string): ChangeRecord | null {
    const pending = this.outstandingByPath.get(path);
    if (pending !== undefined) return pending.exists ? pending : null;
    const node = this.tree.getNode(path);
    if (node === undefined) return null;
    return {
      zxid: -1n,
      path,
      exists: true,
      version: node.version,
      cversion: node.cversion,
      aversion: node.aversion,
      ephemeralOwner: node.ephemeralOwner,
      childCount: node.children.size,
      acl: this.tree.aclOf(node),
      data: node.data,
    };
  }

  private recordFor(path: string): ChangeRecord {
    const record = this.lookup(path);
    if (record === null) throw new KeeperError(ErrorCode.NONODE, path);
    return record;
  }

  private blankRecord(path: string, zxid: bigint): ChangeRecord {
    return {
      zxid,
      path,
      exists: false,
      version: -1,
      cversion: -1,
      aversion: -1,
      ephemeralOwner: 0n,
      childCount: 0,
      acl: [],
      data: null,
    };
  }

  private addChange(record: ChangeRecord): void {
    this.outstanding.push(record);
    this.outstandingByPath.set(record.path, record);
  }

  private checkAcl(acl: readonly ACL[], perm: number, authInfo: readonly Id[]): void {
    if (!aclPermits(acl, perm, authInfo, this.config.auth)) throw new KeeperError(ErrorCode.NOAUTH);
  }

  /**
   * PrepRequestProcessor.fixupACL: dedupe, validate schemes, expand `auth` to the caller's ids.
   * Nulls fail where ZooKeeper's do: a null list or scheme is INVALIDACL; a null id is
   * ignored by `auth`, and dereferenced (MARSHALLINGERROR) by the world check and by the digest
   * and ip providers, and by the duplicate check when it compares two entries.
   */
  private fixupAcl(path: string, authInfo: readonly Id[], acl: readonly ACL[] | null): ACL[] {
    if (acl === null) throw new KeeperError(ErrorCode.INVALIDACL, path);
    const unique: ACL[] = [];
    for (const a of acl) {
      if (!unique.some((u) => javaAclEquals(a, u))) unique.push(a);
    }
    if (unique.length === 0) throw new KeeperError(ErrorCode.INVALIDACL, path);
    const out: ACL[] = [];
    for (const a of unique) {
      const { scheme, id } = a.id;
      if (scheme === null) throw new KeeperError(ErrorCode.INVALIDACL, path);
      if (scheme === "world" && dereferenced(id, "world ACL id") === "anyone") {
        out.push(a);
      } else if (scheme === "auth") {
        let expanded = false;
        for (const authId of authInfo) {
          if (isAuthenticatedScheme(authId.scheme, this.config.auth) && authId.scheme !== "super") {
            out.push({ perms: a.perms, id: { scheme: authId.scheme, id: authId.id } });
            expanded = true;
          }
        }
        if (!expanded) throw new KeeperError(ErrorCode.INVALIDACL, path);
      } else {
        if (!isKnownScheme(scheme, this.config.auth)) throw new KeeperError(ErrorCode.INVALIDACL, path);
        dereferenced(id, `${scheme} ACL id`);
        if (!isValidAclId(a.id, this.config.auth)) throw new KeeperError(ErrorCode.INVALIDACL, path);
        out.push(a);
      }
    }
    return out;
  }

  private checkQuota(path: string, previous: Buffer | null, data: Buffer | null, isCreate: boolean): void {
    if (!this.config.enforceQuota) return;
    const root = this.tree.quotaRootOf(path);
    if (root === null) return;
    const limitNode = this.tree.getNode(quotaLimitPath(root));
    const statNode = this.tree.getNode(quotaStatPath(root));
    if (limitNode === undefined || statNode === undefined) return;
    const limits = StatsTrack.parse(limitNode.data);
    const current = StatsTrack.parse(statNode.data);
    const bytesDiff = BigInt((data?.length ?? 0) - (isCreate ? 0 : (previous?.length ?? 0)));
    const countDiff = isCreate ? 1n : 0n;
    if (countDiff !== 0n && limits.countHardLimit > -1n && current.count + countDiff > limits.countHardLimit) {
      throw new KeeperError(ErrorCode.QUOTAEXCEEDED, root);
    }
    if (bytesDiff !== 0n && limits.byteHardLimit > -1n && current.bytes + bytesDiff > limits.byteHardLimit) {
      throw new KeeperError(ErrorCode.QUOTAEXCEEDED, root);
    }
  }
}

function checkVersion(current: number, expected: number, path: string): number {
  if (expected !== -1 && expected !== current) throw new KeeperError(ErrorCode.BADVERSION, path);
  return current + 1;
}

function toWrite(op: MultiOp): Exclude<WriteRequest, { type: typeof OpCode.multi }> {
  switch (op.type) {
    case OpCode.getChildren:
    case OpCode.getData:
      // Reads cannot be mixed into a write multi.
      throw new KeeperError(ErrorCode.BADARGUMENTS, op.request.path);
    default:
      return op as Exclude<WriteRequest, { type: typeof OpCode.multi }>;
  }
}

/**
 * PathUtils.validatePath as setData, setACL and check call it: a null path is an illegal
 * argument there, not a dereference, so it is BADARGUMENTS.
 */
function validPath(path: string | null): string {
  if (path === null || pathProblem(path) !== null) throw new KeeperError(ErrorCode.BADARGUMENTS, path);
  return path;
}

/**
 * ACL.equals as ZooKeeper's duplicate check calls it (`candidate.equals(kept)`): perms first,
 * then the candidate's scheme and id are dereferenced, so a null there is a
 * NullPointerException once the fields before it are equal.
 */
function javaAclEquals(candidate: ACL, kept: ACL): boolean {
  if (candidate.perms !== kept.perms) return false;
  if (dereferenced(candidate.id.scheme, "ACL scheme") !== kept.id.scheme) return false;
  return dereferenced(candidate.id.id, "ACL id") === kept.id.id;
}
