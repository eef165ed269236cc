import { type AuthConfig, type DataTree, KeeperError, NullFieldError, type Watcher, aclPermits, dereferenced, zookeeperAuthInfoOrder } from "@zkts/datatree";
import {
  type ACL,
  type Id,
  AddWatchMode,
  AddWatchRequest,
  CheckWatchesRequest,
  ErrorCode,
  ErrorResponse,
  ExistsRequest,
  ExistsResponse,
  GetACLRequest,
  GetACLResponse,
  GetAllChildrenNumberRequest,
  GetAllChildrenNumberResponse,
  GetChildren2Request,
  GetChildren2Response,
  GetChildrenRequest,
  GetChildrenResponse,
  GetDataRequest,
  GetDataResponse,
  GetEphemeralsRequest,
  GetEphemeralsResponse,
  JuteError,
  type JuteReader,
  type MultiResult,
  OpCode,
  Perms,
  RemoveWatchesRequest,
  SetWatches,
  SetWatches2,
  SyncRequest,
  SyncResponse,
  WatcherType,
  WhoAmIResponse,
  readMultiRequest,
  writeMultiResponse,
} from "@zkts/jute";
import type { Reply } from "./connection.js";
import { NullPathWatches, setWatchesUpToNull } from "./set-watches.js";

/**
 * The read side of FinalRequestProcessor: each read runs against the applied tree when it
 * reaches the head of its connection's queue, and returns its reply. A null path ZooKeeper
 * dereferences is MARSHALLINGERROR (its NullPointerException); the reads that take a null
 * path without dereferencing it (sync, getEphemerals, a persistent addWatch) answer as its do.
 */
/**
 * AuthUtil.getUser: the provider of the id's scheme names the user; an id whose scheme has no
 * provider loaded (a `sasl` id without SASLAuthenticationProvider, the super id) shows as "".
 */
function whoAmIUser(id: Id, auth: AuthConfig): string {
  if (id.scheme === "digest") return (id.id ?? "").split(":")[0]!;
  if (id.scheme === "sasl" && auth.sasl == null) return "";
  return id.id ?? "";
}

export class ReadRequests {
  private readonly nullPathWatches = new NullPathWatches();

  constructor(
    private readonly tree: DataTree,
    private readonly auth: AuthConfig,
  ) {}

  run(type: number, reader: JuteReader, connection: Watcher): Reply {
    try {
      if (type === OpCode.multiRead) return this.multiRead(reader, connection);
      return this.ok(this.dispatch(type, reader, connection));
    } catch (e) {
      if (e instanceof KeeperError) return this.error(e.code);
      // A request that does not parse is the client's mistake, answered as ZooKeeper does.
      if (e instanceof NullFieldError || e instanceof JuteError) return this.error(ErrorCode.MARSHALLINGERROR);
      throw e;
    }
  }

  error(code: number): Reply {
    return { err: code, zxid: this.tree.lastProcessedZxid, body: null };
  }

  private ok(body: Reply["body"]): Reply {
    return { err: 0, zxid: this.tree.lastProcessedZxid, body };
  }

  private check(acl: readonly ACL[], perm: number, connection: Watcher): void {
    if (!aclPermits(acl, perm, connection.authInfo, this.auth)) throw new KeeperError(ErrorCode.NOAUTH);
  }

  private dispatch(type: number, reader: JuteReader, c: Watcher): Reply["body"] {
    const tree = this.tree;
    switch (type) {
      case OpCode.exists: {
        const request = ExistsRequest.read(reader);
        const path = dereferenced(request.path, "exists path");
        const watch = request.watch;
        if (path.includes("\u0000")) throw new KeeperError(ErrorCode.BADARGUMENTS);
        const acl = tree.aclOfPath(path);
        if (acl !== undefined) this.check(acl, Perms.READ, c);
        const stat = tree.statNode(path, watch ? c : null);
        if (stat === null) throw new KeeperError(ErrorCode.NONODE);
        return (w) => ExistsResponse.write(w, { stat });
      }
      case OpCode.getData: {
        const request = GetDataRequest.read(reader);
        const result = this.getData(request.path, request.watch, c);
        return (w) => GetDataResponse.write(w, result);
      }
      case OpCode.getChildren: {
        const request = GetChildrenRequest.read(reader);
        const children = this.getChildren(request.path, request.watch, c).children;
        return (w) => GetChildrenResponse.write(w, { children });
      }
      case OpCode.getChildren2: {
        const request = GetChildren2Request.read(reader);
        const result = this.getChildren(request.path, request.watch, c);
        return (w) => GetChildren2Response.write(w, result);
      }
      case OpCode.getACL: {
        const path = dereferenced(GetACLRequest.read(reader).path, "getACL path");
        const node = tree.getNode(path);
        if (node === undefined) throw new KeeperError(ErrorCode.NONODE);
        const acl = tree.aclOf(node);
        this.check(acl, Perms.READ | Perms.ADMIN, c);
        const stat = tree.statNode(path, null)!;
        // Without ADMIN, digest hashes are masked so they cannot be brute-forced offline.
        const visible = aclPermits(acl, Perms.ADMIN, c.authInfo, this.auth)
          ? acl
          : acl.map((a) => (a.id.scheme === "digest" && a.id.id !== null ? { perms: a.perms, id: { scheme: "digest", id: a.id.id.replace(/:.*/, ":x") } } : a));
        return (w) => GetACLResponse.write(w, { acl: visible, stat });
      }
      case OpCode.getAllChildrenNumber: {
        const path = dereferenced(GetAllChildrenNumberRequest.read(reader).path, "getAllChildrenNumber path");
        const node = tree.getNode(path);
        if (node === undefined) throw new KeeperError(ErrorCode.NONODE);
        this.check(tree.aclOf(node), Perms.READ, c);
        const totalNumber = tree.getAllChildrenNumber(path);
        return (w) => GetAllChildrenNumberResponse.write(w, { totalNumber });
      }
      case OpCode.getEphemerals: {
        const { prefixPath } = GetEphemeralsRequest.read(reader);
        const all = tree.getEphemerals(c.sessionId);
        // ZooKeeper treats a null prefix like a blank one: every ephemeral of the session.
        const prefix = prefixPath?.trim() ?? "";
        const ephemerals = prefix === "" || prefix === "/" ? all : all.filter((p) => p.startsWith(prefixPath!));
        return (w) => GetEphemeralsResponse.write(w, { ephemerals });
      }
      case OpCode.sync: {
        const { path } = SyncRequest.read(reader);
        return (w) => SyncResponse.write(w, { path });
      }
      case OpCode.setWatches: {
        const s = SetWatches.read(reader);
        setWatchesUpToNull(tree, s.relativeZxid, [s.dataWatches, s.existWatches, s.childWatches, [], []], c, () => false);
        return null;
      }
      case OpCode.setWatches2: {
        const s = SetWatches2.read(reader);
        const lists = [s.dataWatches, s.existWatches, s.childWatches, s.persistentWatches, s.persistentRecursiveWatches] as const;
        setWatchesUpToNull(tree, s.relativeZxid, lists, c, () => this.nullPathWatches.file(c));
        return null;
      }
      case OpCode.addWatch: {
        const { path, mode } = AddWatchRequest.read(reader);
        const recursive = mode === AddWatchMode.PERSISTENT_RECURSIVE;
        if (path === null) {
          // ZooKeeper files it where no event can reach it (it only breaks the session's close).
          if (!this.nullPathWatches.file(c)) throw new NullFieldError("addWatch path");
          return (w) => ErrorResponse.write(w, { err: 0 });
        }
        tree.addWatch(path, c, recursive ? "persistentRecursive" : "persistent");
        return (w) => ErrorResponse.write(w, { err: 0 });
      }
      case OpCode.checkWatches: {
        const request = CheckWatchesRequest.read(reader);
        const path = dereferenced(request.path, "checkWatches path");
        const type = request.type;
        checkWatcherType(type);
        if (!tree.containsWatcher(path, type, c)) throw new KeeperError(ErrorCode.NOWATCHER, path);
        return null;
      }
      case OpCode.removeWatches: {
        const request = RemoveWatchesRequest.read(reader);
        const type = request.type;
        checkWatcherType(type);
        // A null path matches no watch, unless the session filed one there (see NullPathWatches).
        if (request.path === null) {
          if (this.nullPathWatches.heldBy(c)) throw new NullFieldError("removeWatches path");
          throw new KeeperError(ErrorCode.NOWATCHER);
        }
        const path = request.path;
        if (!tree.removeWatch(path, type, c)) throw new KeeperError(ErrorCode.NOWATCHER, path);
        return null;
      }
      case OpCode.whoAmI: {
        // The ids a connection holds were granted by this server, never null.
        const clientInfo = zookeeperAuthInfoOrder(c.authInfo).map((id) => ({
          authScheme: id.scheme ?? "",
          user: whoAmIUser(id, this.auth),
        }));
        return (w) => WhoAmIResponse.write(w, { clientInfo });
      }
      default:
        throw new KeeperError(ErrorCode.UNIMPLEMENTED);
    }
  }

  /**
   * Each op answers for itself (an error result for a KeeperError), except a null path: its
   * NullPointerException ends ZooKeeper's loop, and the reply is MARSHALLINGERROR carrying the
   * results gathered before it.
   */
  private multiRead(reader: JuteReader, c: Watcher): Reply {
    const ops = readMultiRequest(reader);
    const results: MultiResult[] = [];
    for (const op of ops) {
      try {
        if (op.type === OpCode.getChildren) {
          results.push({ type: OpCode.getChildren, children: this.getChildren(op.request.path, op.request.watch, c).children });
        } else if (op.type === OpCode.getData) {
          results.push({ type: OpCode.getData, ...this.getData(op.request.path, op.request.watch, c) });
        } else {
          results.push({ type: OpCode.error, err: ErrorCode.MARSHALLINGERROR });
        }
      } catch (e) {
        if (e instanceof KeeperError) {
          results.push({ type: OpCode.error, err: e.code });
          continue;
        }
        if (e instanceof NullFieldError) {
          return { err: ErrorCode.MARSHALLINGERROR, zxid: this.tree.lastProcessedZxid, body: (w) => writeMultiResponse(w, results) };
        }
        throw e;
      }
    }
    return this.ok((w) => writeMultiResponse(w, results));
  }

  private getData(nullablePath: string | null, watch: boolean, c: Watcher) {
    const path = dereferenced(nullablePath, "getData path");
    const acl = this.tree.aclOfPath(path);
    if (acl === undefined) throw new KeeperError(ErrorCode.NONODE);
    this.check(acl, Perms.READ, c);
    return this.tree.getData(path, watch ? c : null)!;
  }

  private getChildren(nullablePath: string | null, watch: boolean, c: Watcher) {
    const path = dereferenced(nullablePath, "getChildren path");
    const acl = this.tree.aclOfPath(path);
    if (acl === undefined) throw new KeeperError(ErrorCode.NONODE);
    this.check(acl, Perms.READ, c);
    return this.tree.getChildren(path, watch ? c : null)!;
  }
}

/**
 * ZooKeeper 3.8 accepts only Children, Data and Any in checkWatches and removeWatches (its
 * WatcherType.fromInt rejects the rest, answered as MARSHALLINGERROR); clients remove
 * persistent watches with Any.
 */
function checkWatcherType(type: number): void {
  if (type !== WatcherType.Children && type !== WatcherType.Data && type !== WatcherType.Any) {
    throw new KeeperError(ErrorCode.MARSHALLINGERROR);
  }
}

/** Requests that change the tree (each goes through the log as a transaction). */
export const TREE_WRITE_OPS: readonly number[] = [
  OpCode.create,
  OpCode.create2,
  OpCode.createTTL,
  OpCode.createContainer,
  OpCode.delete,
  OpCode.deleteContainer,
  OpCode.setData,
  OpCode.setACL,
  OpCode.check,
  OpCode.multi,
  OpCode.reconfig,
];

export const READ_OPS: ReadonlySet<number> = new Set([
  OpCode.exists,
  OpCode.getData,
  OpCode.getChildren,
  OpCode.getChildren2,
  OpCode.getACL,
  OpCode.getAllChildrenNumber,
  OpCode.getEphemerals,
  OpCode.sync,
  OpCode.setWatches,
  OpCode.setWatches2,
  OpCode.addWatch,
  OpCode.checkWatches,
  OpCode.removeWatches,
  OpCode.whoAmI,
  OpCode.multiRead,
]);

/** Reads of the tree's contents: the ones a linearizable read confirms with the leader first. */
export const DATA_READ_OPS: ReadonlySet<number> = new Set([
  OpCode.exists,
  OpCode.getData,
  OpCode.getChildren,
  OpCode.getChildren2,
  OpCode.getACL,
  OpCode.getAllChildrenNumber,
  OpCode.getEphemerals,
  OpCode.multiRead,
]);
