import {
  AddWatchMode,
  AddWatchRequest,
  CheckWatchesRequest,
  Create2Response,
  CreateMode,
  CreateRequest,
  CreateTTLRequest,
  DeleteRequest,
  ErrorCode,
  ErrorResponse,
  ExistsRequest,
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
  Ids,
  JUTE_MAX_BUFFER_DEFAULT,
  JuteWriter,
  KeeperState,
  OpCode,
  ReconfigRequest,
  RemoveWatchesRequest,
  SetACLRequest,
  SetACLResponse,
  SetDataRequest,
  SetDataResponse,
  Stat as StatRecord,
  SyncRequest,
  SyncResponse,
  WhoAmIResponse,
  readMultiResponse,
  writeMultiRequest,
  type ACL,
  type ClientInfo,
  type JuteReader,
  type MultiOp,
  type RecordCodec,
  type Stat,
} from "@zkts/jute";
import type { ConnectionOptions as TlsConnectionOptions } from "node:tls";
import { parseConnectString, shuffled, type HostPort } from "./connect-string.js";
import type { Completion, CompletionInfo, SessionState } from "./core/connection-core.js";
import type { RawWatchEvent, RawWatcher } from "./core/watch-table.js";
import { ConnectionStates, type ConnectionState } from "./connection-state.js";
import { ZkError } from "./errors.js";
import { isRetryable as isRetryableError, noRetry, retry, type RetryPolicy } from "./retry.js";
import { EventQueue } from "./event-queue.js";
import { Chroot, joinPath, validatePath } from "./paths.js";
import { SessionEvents, type SessionEventName, type SessionEventOf, type SessionListener } from "./session-events.js";
import { SocketDriver } from "./socket-driver.js";
import { type SaslOptions, saslExchangeFactory } from "./sasl.js";
import { childrenSnapshots, dataSnapshots, type DataSnapshot } from "./watch-streams.js";
import { REMOVE_WATCHES_WIRE, REMOVED_EVENT, REMOVED_KINDS, WATCHER_TYPE_WIRE } from "./watcher-types.js";
import { Transaction, type MultiReadOp, type MultiReadResult, type OpResult, readResults } from "./transaction.js";
import {
  eventName,
  isSequential,
  isTtl,
  stateName,
  type AclResult,
  type ChildrenResult,
  type CreateOptions,
  type CreateResult,
  type DataResult,
  type PersistentWatchMode,
  type ReconfigOptions,
  type WatchEvent,
  type WatchListener,
  type WatcherTypeName,
} from "./types.js";

export interface AuthInfo {
  scheme: string;
  /** For digest: "user:password". */
  auth: string | Buffer;
}

export interface ClientOptions {
  /** Requested session timeout; the server clamps it to its min/max. Default 30 s. */
  sessionTimeoutMs?: number;
  /** Limit for one TCP connect + handshake. Default: session timeout / number of hosts. */
  connectTimeoutMs?: number;
  /**
   * Give up the first session after this many failed connection attempts (a refused
   * connection fails at once): connect() then rejects with CONNECTIONLOSS naming the last
   * failure instead of retrying until the session timeout. For tools that should fail fast.
   */
  connectAttemptsMax?: number;
  /** Accept read-only servers (partitioned ensemble members). Default false. */
  readOnlyAllowed?: boolean;
  /** Credentials sent on every (re)connect before any request. */
  auth?: AuthInfo[];
  /**
   * SASL DIGEST-MD5 on every (re)connect, as ZooKeeper's Java client does with a JAAS Client
   * section (see saslOptionsFromJaas). The session counts as connected, and requests go out,
   * once the exchange completes; a refusal ends the client with AUTHFAILED.
   */
  sasl?: SaslOptions;
  /** jute.maxbuffer: requests and replies larger than this are refused. Default 0xfffff. */
  maxBufferBytes?: number;
  /** Requests in flight plus requests waiting for a connection. Default 1000. */
  maxOutstandingRequests?: number;
  /** Bytes of those requests; one request is always allowed. Default 64 MiB. */
  maxOutstandingBytes?: number;
  /** Events an async watch iterator buffers for a slow consumer. Default 10000. */
  maxBufferedEvents?: number;
  reconnectDelayMsMin?: number;
  reconnectDelayMsMax?: number;
  /** Random source for host shuffling and retry jitter. Default Math.random. */
  random?: () => number;
  /**
   * Connect over TLS with these options (ca, cert, key, rejectUnauthorized, ...), as to a
   * ZooKeeper secureClientPort.
   */
  tls?: TlsConnectionOptions;
  /** Resume an existing session (e.g. handed over from another process). */
  session?: { sessionId: bigint; passwd: Buffer };
  /**
   * Retries reads and sync (idempotent: sending one twice changes nothing) after
   * CONNECTIONLOSS, OPERATIONTIMEOUT or SESSIONMOVED, e.g. `exponentialBackoff()`. Writes
   * are never retried by the client: wrap them in `retry()` where that is safe. Default:
   * no retries.
   */
  retryPolicy?: RetryPolicy;
}

/** Requests that may be sent again without changing anything: reads, sync and watch checks. */
const IDEMPOTENT_OPS: ReadonlySet<number> = new Set([
  OpCode.exists,
  OpCode.getData,
  OpCode.getChildren,
  OpCode.getChildren2,
  OpCode.getACL,
  OpCode.getAllChildrenNumber,
  OpCode.getEphemerals,
  OpCode.whoAmI,
  OpCode.multiRead,
  OpCode.sync,
  OpCode.checkWatches,
]);

/** The key `await using` looks up (Node 20 defines it; TypeScript's helper falls back the same way). */
const asyncDispose: typeof Symbol.asyncDispose = Symbol.asyncDispose ?? (Symbol.for("Symbol.asyncDispose") as typeof Symbol.asyncDispose);

/** A persistent watch delivered as an async iterator; `close()` removes the watch. */
export interface WatchStream extends AsyncIterableIterator<WatchEvent> {
  close(): Promise<void>;
}

const CONFIG_NODE = "/zookeeper/config";
const EMPTY = Buffer.alloc(0);

/**
 * Creates a client and starts connecting. Requests made before the session is established
 * wait for it. Use `await client.ready()` (or `connect()`) to wait for the first session.
 */
export function createClient(connectString: string, options: ClientOptions = {}): ZkClient {
  return new ZkClient(connectString, options);
}

/** createClient, then wait until the session is established. */
export async function connect(connectString: string, options: ClientOptions = {}): Promise<ZkClient> {
  const client = createClient(connectString, options);
  try {
    await client.ready();
  } catch (err) {
    await client.close();
    throw err;
  }
  return client;
}

export class ZkClient {
  readonly chroot: Chroot;
  readonly hosts: readonly HostPort[];
  private readonly driver: SocketDriver;
  private readonly events = new SessionEvents();
  private readonly rawWatchers = new WeakMap<WatchListener, RawWatcher>();
  private readonly maxBufferedEvents: number;
  private readonly maxBufferBytes: number;
  private readonly retryPolicy: RetryPolicy;
  private readonly connectionStates = new ConnectionStates();
  private readyPromise: Promise<void>;

  constructor(connectString: string, options: ClientOptions = {}) {
    const parsed = parseConnectString(connectString);
    const random = options.random ?? Math.random;
    this.chroot = new Chroot(parsed.chroot);
    this.hosts = shuffled(parsed.hosts, random);
    this.maxBufferedEvents = options.maxBufferedEvents ?? 10_000;
    this.maxBufferBytes = options.maxBufferBytes ?? JUTE_MAX_BUFFER_DEFAULT;
    this.retryPolicy = options.retryPolicy ?? noRetry;
    this.driver = new SocketDriver(
      {
        hosts: this.hosts,
        sessionTimeoutMs: options.sessionTimeoutMs ?? 30_000,
        connectTimeoutMs: options.connectTimeoutMs,
        connectAttemptsMax: options.connectAttemptsMax,
        readOnlyAllowed: options.readOnlyAllowed ?? false,
        maxBufferBytes: this.maxBufferBytes,
        maxOutstandingRequests: options.maxOutstandingRequests ?? 1000,
        maxOutstandingBytes: options.maxOutstandingBytes ?? 64 * 1024 * 1024,
        reconnectDelayMsMin: options.reconnectDelayMsMin ?? 100,
        reconnectDelayMsMax: options.reconnectDelayMsMax ?? 2000,
        random,
        ...(options.sasl === undefined ? {} : { sasl: saslExchangeFactory(options.sasl) }),
      },
      {
        sessionEvent: (event) => {
          this.events.emit(event);
          // The derived state follows the raw event, so a state listener sees the raw one done.
          const state = this.connectionStates.next(event);
          if (state !== null) this.events.emit(state);
        },
        watchEvent: (watchers, event) => this.deliver(watchers, event),
      },
      options.tls,
    );
    this.readyPromise = this.firstSession();
    // Callers that never await ready() must not see an unhandled rejection.
    this.readyPromise.catch(() => {});
    for (const info of options.auth ?? []) void this.addAuth(info.scheme, info.auth).catch(() => {});
    this.driver.start(options.session);
  }

  // ---- session ----------------------------------------------------------------------------

  /** Settles on the first session: established, or never to be (expired, refused, closed). */
  private firstSession(): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const settle = (error?: ZkError) => {
        this.off("connected", onConnected);
        this.off("expired", onExpired);
        this.off("authFailed", onAuthFailed);
        this.off("closed", onClosed);
        if (error === undefined) resolve();
        else reject(error);
      };
      const onConnected = () => settle();
      // A session that was never established cannot expire: the client could not connect.
      const onExpired = (event: SessionEventOf<"expired">) =>
        settle(new ZkError(this.sessionId === 0n ? ErrorCode.CONNECTIONLOSS : ErrorCode.SESSIONEXPIRED, { detail: event.reason }));
      const onAuthFailed = () => settle(new ZkError(ErrorCode.AUTHFAILED, { detail: "the server rejected the credentials" }));
      const onClosed = (event: SessionEventOf<"closed">) =>
        settle(new ZkError(ErrorCode.CONNECTIONLOSS, { detail: event.reason ?? "the client was closed before it connected" }));
      this.on("connected", onConnected);
      this.on("expired", onExpired);
      this.on("authFailed", onAuthFailed);
      this.on("closed", onClosed);
    });
  }

  get state(): SessionState {
    return this.driver.core.state;
  }

  /** The Curator-style connection state (see ConnectionState), or null before the first session. */
  get connectionState(): ConnectionState | null {
    return this.connectionStates.state;
  }

  get sessionId(): bigint {
    return this.driver.core.sessionId;
  }

  get sessionPassword(): Buffer {
    return this.driver.core.sessionPassword;
  }

  /** The timeout the server granted, or 0 before the first session. */
  get sessionTimeoutMs(): number {
    return this.driver.core.sessionTimeoutMs;
  }

  get lastZxidSeen(): bigint {
    return this.driver.core.lastZxidSeen;
  }

  get currentServer(): HostPort | undefined {
    return this.driver.core.currentServer;
  }

  /** Resolves when the first session is established; rejects if it never can be. */
  ready(): Promise<void> {
    if (this.state === "connected" || this.state === "connectedReadOnly") return Promise.resolve();
    return this.readyPromise;
  }

  on<K extends SessionEventName>(type: K, listener: SessionListener<K>): this {
    this.events.on(type, listener);
    return this;
  }

  off<K extends SessionEventName>(type: K, listener: SessionListener<K>): this {
    this.events.off(type, listener);
    return this;
  }

  /** Resolves with the next session event of this type. */
  once<K extends SessionEventName>(type: K): Promise<SessionEventOf<K>> {
    return this.events.once(type);
  }

  /** Closes the session on the server and releases the connection. */
  close(): Promise<void> {
    return new Promise((resolve) => this.driver.run((core, now) => core.close(now, resolve)));
  }

  /** `await using zk = await connect(...)` closes the session at the end of the block. */
  async [asyncDispose](): Promise<void> {
    await this.close();
  }

  /** Drops the TCP connection as a network fault would; the client reconnects on its own. */
  severConnection(): void {
    this.driver.severConnection();
  }

  async addAuth(scheme: string, auth: string | Buffer): Promise<void> {
    const bytes = typeof auth === "string" ? Buffer.from(auth, "utf8") : auth;
    await new Promise<void>((resolve, reject) => {
      this.driver.run((core, now) => core.addAuth(scheme, bytes, (err, _body, info) => (err === 0 ? resolve() : reject(toError(err, undefined, info))), now));
    });
  }

  // ---- node operations --------------------------------------------------------------------

  async create(path: string, data: Buffer | string | null = null, options: CreateOptions = {}): Promise<CreateResult> {
    const mode = options.mode ?? "PERSISTENT";
    validatePath(path, isSequential(mode));
    const flags = CreateMode[mode];
    const acl = (options.acl ?? Ids.OPEN_ACL_UNSAFE) as ACL[];
    const serverPath = this.chroot.toServer(path);
    const payload = toBuffer(data);
    let opCode: number;
    let body: Buffer;
    if (isTtl(mode)) {
      if (options.ttlMs === undefined) throw new ZkError(ErrorCode.BADARGUMENTS, { path, detail: `${mode} needs ttlMs` });
      opCode = OpCode.createTTL;
      body = CreateTTLRequest.encode({ path: serverPath, data: payload, acl, flags, ttl: BigInt(options.ttlMs) });
    } else {
      opCode = mode === "CONTAINER" ? OpCode.createContainer : OpCode.create2;
      body = CreateRequest.encode({ path: serverPath, data: payload, acl, flags });
    }
    const reply = await this.call(opCode, body, path, Create2Response);
    return { path: this.chroot.toClient(reply.path), stat: reply.stat };
  }

  async delete(path: string, version = -1): Promise<void> {
    validatePath(path);
    await this.call(OpCode.delete, DeleteRequest.encode({ path: this.chroot.toServer(path), version }), path, null);
  }

  /** The node's Stat, or null if it does not exist. A watcher fires on create, change or delete. */
  async exists(path: string, watcher?: WatchListener): Promise<Stat | null> {
    validatePath(path);
    const serverPath = this.chroot.toServer(path);
    const body = ExistsRequest.encode({ path: serverPath, watch: watcher !== undefined });
    return this.request(OpCode.exists, body, path, (err, reader) => {
      if (watcher !== undefined && (err === 0 || err === ErrorCode.NONODE)) {
        this.watches.add(err === 0 ? "data" : "exist", serverPath, this.raw(watcher));
      }
      if (err === ErrorCode.NONODE) return { value: null };
      if (err !== 0) return undefined;
      return { value: StatRecord.read(reader!) };
    });
  }

  async getData(path: string, watcher?: WatchListener): Promise<DataResult> {
    validatePath(path);
    return this.getDataRaw(this.chroot.toServer(path), path, watcher);
  }

  async setData(path: string, data: Buffer | string | null, version = -1): Promise<Stat> {
    validatePath(path);
    const body = SetDataRequest.encode({ path: this.chroot.toServer(path), data: toBuffer(data), version });
    return (await this.call(OpCode.setData, body, path, SetDataResponse)).stat;
  }

  async getACL(path: string): Promise<AclResult> {
    validatePath(path);
    return this.call(OpCode.getACL, GetACLRequest.encode({ path: this.chroot.toServer(path) }), path, GetACLResponse);
  }

  async setACL(path: string, acl: readonly ACL[], version = -1): Promise<Stat> {
    validatePath(path);
    const body = SetACLRequest.encode({ path: this.chroot.toServer(path), acl: acl as ACL[], version });
    return (await this.call(OpCode.setACL, body, path, SetACLResponse)).stat;
  }

  async getChildren(path: string, watcher?: WatchListener): Promise<string[]> {
    validatePath(path);
    const serverPath = this.chroot.toServer(path);
    const body = GetChildrenRequest.encode({ path: serverPath, watch: watcher !== undefined });
    return this.request(OpCode.getChildren, body, path, (err, reader) => {
      if (err !== 0) return undefined;
      if (watcher !== undefined) this.watches.add("child", serverPath, this.raw(watcher));
      return { value: GetChildrenResponse.read(reader!).children };
    });
  }

  async getChildrenWithStat(path: string, watcher?: WatchListener): Promise<ChildrenResult> {
    validatePath(path);
    const serverPath = this.chroot.toServer(path);
    const body = GetChildren2Request.encode({ path: serverPath, watch: watcher !== undefined });
    return this.request(OpCode.getChildren2, body, path, (err, reader) => {
      if (err !== 0) return undefined;
      if (watcher !== undefined) this.watches.add("child", serverPath, this.raw(watcher));
      return { value: GetChildren2Response.read(reader!) };
    });
  }

  /** Waits until the server this client talks to has caught up with the leader. */
  async sync(path = "/"): Promise<string> {
    validatePath(path);
    const reply = await this.call(OpCode.sync, SyncRequest.encode({ path: this.chroot.toServer(path) }), path, SyncResponse);
    // The server echoes the path it was sent, null only for a null one, which this client never sends.
    return reply.path === null ? path : this.chroot.toClient(reply.path);
  }

  async getAllChildrenNumber(path: string): Promise<number> {
    validatePath(path);
    const body = GetAllChildrenNumberRequest.encode({ path: this.chroot.toServer(path) });
    return (await this.call(OpCode.getAllChildrenNumber, body, path, GetAllChildrenNumberResponse)).totalNumber;
  }

  /** Ephemeral nodes of this session under `prefixPath` (a path prefix, not only a parent). */
  async getEphemerals(prefixPath = "/"): Promise<string[]> {
    const body = GetEphemeralsRequest.encode({ prefixPath: this.chroot.toServer(prefixPath) });
    const reply = await this.call(OpCode.getEphemerals, body, prefixPath, GetEphemeralsResponse);
    return reply.ephemerals.map((p) => this.chroot.toClient(p));
  }

  async whoAmI(): Promise<ClientInfo[]> {
    return (await this.call(OpCode.whoAmI, null, undefined, WhoAmIResponse)).clientInfo;
  }

  /** The ensemble configuration (/zookeeper/config, never under the chroot). */
  async getConfig(watcher?: WatchListener): Promise<DataResult> {
    return this.getDataRaw(CONFIG_NODE, CONFIG_NODE, watcher);
  }

  async reconfig(options: ReconfigOptions): Promise<DataResult> {
    const body = ReconfigRequest.encode({
      joiningServers: options.joining ?? null,
      leavingServers: options.leaving ?? null,
      newMembers: options.newMembers ?? null,
      curConfigId: options.fromConfig ?? -1n,
    });
    const reply = await this.call(OpCode.reconfig, body, undefined, GetDataResponse);
    return { data: reply.data ?? EMPTY, stat: reply.stat };
  }

  // ---- multi ------------------------------------------------------------------------------

  /** A builder for an atomic multi; `commit()` sends it. */
  transaction(): Transaction {
    return new Transaction(this.chroot, (ops) => this.multi(ops));
  }

  /**
   * Runs write ops atomically. If one fails, nothing is applied and the ZkError carries the
   * failing op's code, its index and every op's result.
   */
  async multi(ops: readonly MultiOp[]): Promise<OpResult[]> {
    const body = encodeMulti(ops);
    const results = await this.request(OpCode.multi, body, undefined, (err, reader) => (err === 0 ? { value: readMultiResponse(reader!) } : undefined));
    return readResults(results, this.chroot, ops);
  }

  /** Reads several nodes in one round trip; each result is a value or a ZkError. */
  async multiRead(ops: readonly MultiReadOp[]): Promise<MultiReadResult[]> {
    const wire: MultiOp[] = ops.map((op) => {
      validatePath(op.path);
      const path = this.chroot.toServer(op.path);
      return op.type === "getData" ? { type: OpCode.getData, request: { path, watch: false } } : { type: OpCode.getChildren, request: { path, watch: false } };
    });
    const results = await this.request(OpCode.multiRead, encodeMulti(wire), undefined, (err, reader) =>
      err === 0 ? { value: readMultiResponse(reader!) } : undefined,
    );
    return results.map((r, i): MultiReadResult => {
      if (r.type === OpCode.getData) return { data: r.data ?? EMPTY, stat: r.stat };
      if (r.type === OpCode.getChildren) return { children: r.children };
      const code = r.type === OpCode.error ? r.err : ErrorCode.MARSHALLINGERROR;
      return new ZkError(code, { path: ops[i]!.path });
    });
  }

  // ---- watches ----------------------------------------------------------------------------

  /** Adds a persistent (optionally recursive) watch that stays until removed. */
  async addWatch(path: string, mode: PersistentWatchMode, listener: WatchListener): Promise<void> {
    validatePath(path);
    const serverPath = this.chroot.toServer(path);
    const wireMode = mode === "persistent" ? AddWatchMode.PERSISTENT : AddWatchMode.PERSISTENT_RECURSIVE;
    const body = AddWatchRequest.encode({ path: serverPath, mode: wireMode });
    await this.request(OpCode.addWatch, body, path, (err, reader) => {
      if (err !== 0) return undefined;
      // addWatch answers with an ErrorResponse body; a non-zero code there is a failure too.
      const inner = reader!.remaining >= 4 ? ErrorResponse.read(reader!).err : 0;
      if (inner !== 0) return { error: inner };
      this.watches.add(mode, serverPath, this.raw(listener));
      return { value: undefined };
    });
  }

  /** A persistent watch as an async iterator. Ends when closed; fails if the session expires. */
  async watchPersistent(path: string, options: { recursive?: boolean } = {}): Promise<WatchStream> {
    const mode: PersistentWatchMode = options.recursive ? "persistentRecursive" : "persistent";
    const serverPath = this.chroot.toServer(path);
    let listener: WatchListener;
    const close = async () => {
      queue.end();
      const raw = this.raw(listener);
      this.watches.remove(mode, serverPath, raw);
      if (this.watches.has(mode, serverPath) || this.isTerminal()) return;
      try {
        await this.removeWatches(path, mode);
      } catch (err) {
        if (!(err instanceof ZkError) || err.code !== ErrorCode.NOWATCHER) throw err;
      }
    };
    const queue = new EventQueue<WatchEvent>(this.maxBufferedEvents, () => void close().catch(() => {}));
    listener = (event) => {
      if (event.type !== "None") return queue.push(event);
      if (event.state === "Expired") queue.fail(new ZkError(ErrorCode.SESSIONEXPIRED, { path }));
      else if (event.state === "AuthFailed") queue.fail(new ZkError(ErrorCode.AUTHFAILED, { path }));
      else queue.end();
    };
    await this.addWatch(path, mode, listener);
    return Object.assign(queue, { close });
  }

  /** The node's data now and after each change, as an async iterator (see dataSnapshots). */
  watchData(path: string): AsyncGenerator<DataSnapshot, void, undefined> {
    return dataSnapshots(this, path);
  }

  /** The node's children now and after each change; ends when the node is deleted. */
  watchChildren(path: string): AsyncGenerator<string[], void, undefined> {
    return childrenSnapshots(this, path);
  }

  /**
   * Removes all watches of a type at a path, on the server and here; watchers receive a
   * *WatchRemoved event. Removing a persistent type removes every watch at the path.
   * With `local` (zkCli's `removewatches -l`, the Java client's `local` argument), a client
   * without a connection removes them here only, at once, rather than failing or waiting for
   * a server; the server drops them with the session or forgets them on the next reconnect,
   * since a reconnect re-registers only the watches the client still holds.
   */
  async removeWatches(path: string, type: WatcherTypeName, options: { local?: boolean } = {}): Promise<void> {
    validatePath(path);
    const serverPath = this.chroot.toServer(path);
    const removeHere = () => {
      for (const kind of REMOVED_KINDS[type]) {
        const removed = this.watches.remove(kind, serverPath);
        if (removed.length > 0) {
          const event = { type: REMOVED_EVENT[kind], state: KeeperState.SyncConnected, path: serverPath, zxid: -1n };
          queueMicrotask(() => this.deliver(removed, event));
        }
      }
    };
    const connected = this.state === "connected" || this.state === "connectedReadOnly";
    if (options.local === true && !connected) {
      removeHere();
      return;
    }
    const body = RemoveWatchesRequest.encode({ path: serverPath, type: REMOVE_WATCHES_WIRE[type] });
    try {
      await this.request(OpCode.removeWatches, body, path, (err) => {
        if (err !== 0) return undefined;
        removeHere();
        return { value: undefined };
      });
    } catch (err) {
      if (options.local === true && err instanceof ZkError && err.code === ErrorCode.CONNECTIONLOSS) {
        removeHere();
        return;
      }
      throw err;
    }
  }

  /**
   * Whether the server holds a watch of this type at `path` for this session. ZooKeeper 3.8
   * supports only children, data and any here.
   */
  async checkWatches(path: string, type: WatcherTypeName): Promise<boolean> {
    validatePath(path);
    const body = CheckWatchesRequest.encode({ path: this.chroot.toServer(path), type: WATCHER_TYPE_WIRE[type] });
    return this.request(OpCode.checkWatches, body, path, (err) => {
      if (err === 0) return { value: true };
      if (err === ErrorCode.NOWATCHER) return { value: false };
      return undefined;
    });
  }

  // ---- conveniences -----------------------------------------------------------------------

  /** Creates `path` and any missing ancestors as persistent nodes; existing nodes are fine. */
  async mkdirp(path: string, data: Buffer | string | null = null): Promise<void> {
    validatePath(path);
    if (path === "/") return;
    const parts = path.slice(1).split("/");
    let current = "";
    for (let i = 0; i < parts.length; i++) {
      current += "/" + parts[i];
      try {
        await this.create(current, i === parts.length - 1 ? data : null);
      } catch (err) {
        if (!ZkError.is(err, "NODEEXISTS")) throw err;
      }
    }
  }

  /** Deletes a subtree, children first. Nodes that vanish meanwhile are fine. */
  async deleteAll(path: string): Promise<void> {
    validatePath(path);
    let children: string[];
    try {
      children = await this.getChildren(path);
    } catch (err) {
      if (ZkError.is(err, "NONODE")) return;
      throw err;
    }
    for (const child of children) await this.deleteAll(joinPath(path, child));
    if (path === "/") return;
    try {
      await this.delete(path);
    } catch (err) {
      if (!ZkError.is(err, "NONODE")) throw err;
    }
  }

  // ---- internals --------------------------------------------------------------------------

  private get watches() {
    return this.driver.core.watches;
  }

  private isTerminal(): boolean {
    const s = this.state;
    return s === "expired" || s === "closed" || s === "authFailed";
  }

  private async getDataRaw(serverPath: string, path: string, watcher?: WatchListener): Promise<DataResult> {
    const body = GetDataRequest.encode({ path: serverPath, watch: watcher !== undefined });
    return this.request(OpCode.getData, body, path, (err, reader) => {
      if (err !== 0) return undefined;
      if (watcher !== undefined) this.watches.add("data", serverPath, this.raw(watcher));
      const reply = GetDataResponse.read(reader!);
      return { value: { data: reply.data ?? EMPTY, stat: reply.stat } };
    });
  }

  /** One request whose successful reply is a single record (or nothing). */
  private call<T>(opCode: number, body: Buffer | null, path: string | undefined, codec: RecordCodec<T>): Promise<T>;
  private call(opCode: number, body: Buffer | null, path: string | undefined, codec: null): Promise<void>;
  private call<T>(opCode: number, body: Buffer | null, path: string | undefined, codec: RecordCodec<T> | null): Promise<T | void> {
    return this.request(opCode, body, path, (err, reader) => {
      if (err !== 0) return undefined;
      return { value: codec === null ? undefined : codec.read(reader!) };
    });
  }

  /**
   * Sends one request. `handle` runs synchronously when the reply is read, before any later
   * notification, which is what makes watch registration race-free; it returns the value,
   * an error code, or undefined to turn a non-zero reply code into a ZkError.
   */
  private request<T>(
    opCode: number,
    body: Buffer | null,
    path: string | undefined,
    handle: (err: number, reader: JuteReader | null) => { value: T } | { error: number } | undefined,
  ): Promise<T> {
    if (this.retryPolicy === noRetry || !IDEMPOTENT_OPS.has(opCode)) return this.requestOnce(opCode, body, path, handle);
    return retry(() => this.requestOnce(opCode, body, path, handle), this.retryPolicy, {
      // A dead session makes every try fail the same way: stop at once.
      retryIf: (err) => !this.isTerminal() && isRetryableError(err),
    });
  }

  private requestOnce<T>(
    opCode: number,
    body: Buffer | null,
    path: string | undefined,
    handle: (err: number, reader: JuteReader | null) => { value: T } | { error: number } | undefined,
  ): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const complete: Completion = (err, reader, info) => {
        let outcome: { value: T } | { error: number } | undefined;
        try {
          outcome = handle(err, reader);
        } catch (decodeError) {
          reject(new ZkError(ErrorCode.MARSHALLINGERROR, { path, detail: (decodeError as Error).message }));
          return;
        }
        if (outcome === undefined) reject(toError(err === 0 ? ErrorCode.MARSHALLINGERROR : err, path, info));
        else if ("error" in outcome) reject(toError(outcome.error, path, info));
        else resolve(outcome.value);
      };
      this.driver.run((core, now) => core.submit(opCode, body, complete, now));
    });
  }

  private raw(listener: WatchListener): RawWatcher {
    let raw = this.rawWatchers.get(listener);
    if (raw === undefined) {
      raw = (event) =>
        listener({
          type: eventName(event.type),
          state: stateName(event.state),
          path: event.path === "" ? "" : this.chroot.toClient(event.path),
          zxid: event.zxid,
        });
      this.rawWatchers.set(listener, raw);
    }
    return raw;
  }

  private deliver(watchers: RawWatcher[], event: RawWatchEvent): void {
    for (const watcher of watchers) {
      try {
        watcher(event);
      } catch (err) {
        // A throwing watcher must not stop the others; surface it like any uncaught error.
        queueMicrotask(() => {
          throw err;
        });
      }
    }
  }
}

function toError(code: number, path: string | undefined, info?: CompletionInfo): ZkError {
  return new ZkError(code, { path, outcomeUnknown: info?.outcomeUnknown, detail: info?.detail });
}

function toBuffer(data: Buffer | string | null): Buffer | null {
  if (data === null) return null;
  return typeof data === "string" ? Buffer.from(data, "utf8") : data;
}

function encodeMulti(ops: readonly MultiOp[]): Buffer {
  const writer = new JuteWriter(256);
  writeMultiRequest(writer, ops);
  return writer.toBuffer();
}
