import type { Server as NetServer, Socket } from "node:net";
import { DataTree, type DataTreeOptions, type WriteRequest } from "@zkts/datatree";
import {
  ErrorCode,
  JuteError,
  JuteReader,
  OpCode,
  RequestHeader,
  SetSASLResponse,
  Xid,
  readConnectRequest,
  readTxnEntry,
} from "@zkts/jute";
import type { LoadedSnapshot } from "@zkts/storage";
import type { Entry, PersistedState, SoftState } from "@zkts/zab";
import type { ServerConfig } from "../config.js";
import { ConnectionsPerAddress, answerFourLetterWord, answerHandshake, handleAuthPacket } from "../client-session-io.js";
import { ClientConnection, type ConnectionHandler, type Reply } from "../connection.js";
import { FOUR_LETTER_WORDS } from "../four-letter-words.js";
import { sessionPassword } from "../java-random.js";
import { earlyConnections, listen } from "../listener.js";
import { type Logger, hex, silentLogger } from "../logger.js";
import { ServerMetrics } from "../metrics.js";
import { loadSnapshot } from "../persistence/tree-snapshot.js";
import { READ_OPS, ReadRequests } from "../read-requests.js";
import { SessionTracker } from "../session-tracker.js";
import { readWrite, replyForWrite } from "../write-requests.js";
import { runEnsembleFourLetterWord } from "./ensemble-four-letter-words.js";
import { EnsembleStore } from "./ensemble-store.js";
import { type PeerAddress } from "./peer-address.js";
import { PeerDriver, type ReplicatedState } from "./peer-driver.js";
import { LeaderProposer } from "./leader-proposer.js";
import { type ForwardedRequest, encodeForwardedRequest } from "./quorum-codec.js";
import { readSessionReport, writeSessionReport } from "./session-report.js";

/** Requests a leader holds back while its proposals are at their bound; beyond it a request is refused. */
const HELD_BACK_MAX = 100_000;

export interface EnsembleServerOptions {
  /** The client-facing settings; serverId is this server's myid. */
  config: ServerConfig;
  members: readonly PeerAddress[];
  initLimit: number;
  syncLimit: number;
  logger?: Logger;
  /** The replica can no longer persist: the process must stop. */
  onFatal?: (err: Error) => void;
}

/** A client write waiting for its transaction to be applied on this server. */
interface PendingWrite {
  connection: ClientConnection;
  entry: ReturnType<ClientConnection["enqueue"]>;
  /** The client's OpCode (an error txn does not say which op failed). */
  type: number;
}

/**
 * A member of a replicated ensemble. Clients connect to any member; every write becomes a
 * transaction on the leader (a learner forwards the client's request as ZooKeeper's REQUEST
 * packet), every member applies committed transactions in zxid order, and the member holding
 * the client's connection answers when it applies the transaction carrying the client's
 * (session id, cxid). Sessions are global: createSession and closeSession are transactions,
 * and only the leader expires sessions; learners report the sessions their clients used once
 * per tick. Reads run on the local tree; `sync` waits for the leader (ZooKeeper's guarantees).
 */
export class EnsembleServer implements ConnectionHandler, ReplicatedState {
  readonly config: ServerConfig;
  tree: DataTree;
  readonly sessions: SessionTracker;
  readonly metrics: ServerMetrics;
  readonly connections = new Set<ClientConnection>();
  readonly driver: PeerDriver;
  private reads: ReadRequests;
  /** Present while this member leads and serves. */
  private proposer: LeaderProposer | null = null;
  private readonly bySession = new Map<bigint, ClientConnection>();
  private readonly pendingWrites = new Map<string, PendingWrite>();
  private readonly pendingHandshakes = new Map<bigint, { connection: ClientConnection; timeoutMs: number }>();
  private readonly pendingSyncs = new Map<number, () => void>();
  /** Learner: sessions its clients used since the last report to the leader. */
  private readonly touched = new Set<bigint>();
  private nextSyncId = 1;
  /** Leader: requests waiting for proposals in flight to commit. */
  private readonly heldBack: { request: ForwardedRequest; write: WriteRequest | null }[] = [];
  /** The core's soft state as of the last applied Ready (the driver's may be ahead of the tree). */
  private soft: SoftState = { role: "LOOKING", leader: null, epoch: 0, serving: false };
  private netServer: NetServer | null = null;
  private timers: NodeJS.Timeout[] = [];
  private stopping = false;
  private readonly logger: Logger;
  private readonly admission: ConnectionsPerAddress;

  private constructor(
    private readonly options: EnsembleServerOptions,
    private readonly store: EnsembleStore,
    recovered: { tree: DataTree; sessions: Map<bigint, number>; persisted: PersistedState },
  ) {
    this.config = options.config;
    this.logger = options.logger ?? silentLogger;
    this.admission = new ConnectionsPerAddress(this.config.maxClientCnxns, this.logger);
    this.tree = recovered.tree;
    this.reads = new ReadRequests(this.tree, authOf(this.config));
    this.metrics = new ServerMetrics(Date.now());
    this.sessions = new SessionTracker(this.config.tickTime, this.config.serverId, Date.now());
    for (const [id, timeoutMs] of recovered.sessions) this.sessions.add(id, timeoutMs, Date.now());
    const self = options.members.find((m) => m.id === this.config.serverId);
    if (self === undefined) throw new Error(`server ${this.config.serverId} is not in the member list`);
    this.driver = new PeerDriver({
      self,
      members: options.members,
      initLimit: options.initLimit,
      syncLimit: options.syncLimit,
      tickTimeMs: this.config.tickTime,
      persisted: recovered.persisted,
      store,
      state: this,
      logger: this.logger,
      maxBuffer: this.config.juteMaxBuffer,
      onFatal: (err) => this.fatal(err),
    });
  }

  /** Recovers the replica from its data directory and binds the client port. */
  static async open(options: EnsembleServerOptions): Promise<EnsembleServer> {
    const logger = options.logger ?? silentLogger;
    const listener = await listen(options.config);
    try {
      const { store, recovery } = await EnsembleStore.open(options.config, logger, treeOptionsOf(options.config));
      const server = new EnsembleServer(options, store, recovery);
      server.netServer = listener;
      return server;
    } catch (err) {
      listener.close();
      throw err;
    }
  }

  async start(): Promise<void> {
    const server = this.netServer ?? (await listen(this.config));
    this.netServer = server;
    const early = earlyConnections.get(server);
    if (early !== undefined) server.off("connection", early.hold);
    server.on("connection", (socket: Socket) => this.accept(socket));
    // Clients that connected during recovery were held; they are served (or turned away) now.
    for (const socket of early?.sockets.splice(0) ?? []) this.accept(socket);
    server.on("error", (err) => this.log("error", "client listener error", { err }));
    await this.driver.start();
    this.timers.push(setInterval(() => this.onTick(), this.config.tickTime));
    this.timers.push(setInterval(() => this.reapContainers(), this.config.containerCheckIntervalMs));
  }

  async stop(): Promise<void> {
    this.stopping = true;
    for (const t of this.timers) clearInterval(t);
    this.timers = [];
    const server = this.netServer;
    this.netServer = null;
    const closed = server === null ? Promise.resolve() : new Promise<void>((resolve) => server.close(() => resolve()));
    for (const c of this.connections) c.close();
    this.driver.stop();
    await closed;
    await this.store.close();
  }

  get serving(): boolean {
    return this.soft.serving;
  }

  get role(): SoftState["role"] {
    return this.soft.role;
  }

  get fsyncStats() {
    return this.store.fsyncStats();
  }

  /** Writes in flight on this server: waiting for their transaction to be applied. */
  get outstanding(): number {
    return this.pendingWrites.size;
  }

  sessionTable(): Map<bigint, number> {
    return this.sessions.timeouts();
  }

  // ---- ConnectionHandler -----------------------------------------------------------------

  log(level: "debug" | "info" | "warn" | "error", message: string, fields?: Record<string, unknown>): void {
    this.logger.log(level, message, fields);
  }

  nowMs(): number {
    return Date.now();
  }

  onReplySent(latencyMs: number): void {
    this.metrics.recordLatency(latencyMs);
  }

  onPacketSent(): void {
    this.metrics.packetsSent++;
  }

  isFourLetterWord(word: string): boolean {
    return FOUR_LETTER_WORDS.has(word);
  }

  onFourLetterWord(connection: ClientConnection, word: string): void {
    answerFourLetterWord(connection, word, this.config.fourLetterWords, (w) => runEnsembleFourLetterWord(this, w));
  }

  onClose(connection: ClientConnection): void {
    if (!this.connections.delete(connection)) return;
    this.admission.release(connection);
    if (this.bySession.get(connection.sessionId) === connection) this.bySession.delete(connection.sessionId);
    this.tree.removeWatcher(connection);
  }

  onHandshake(connection: ClientConnection, payload: Buffer): void {
    if (!this.serving) {
      // ZooKeeper closes clients while it has no leader: they try another server.
      connection.close();
      return;
    }
    let hs;
    try {
      hs = readConnectRequest(payload, this.config.juteMaxBuffer);
    } catch (err) {
      this.log("warn", "closing connection: malformed ConnectRequest", { connection: connection.id, err });
      connection.close();
      return;
    }
    connection.readOnlyByteSent = hs.readOnlyByteSent;
    if (hs.lastZxidSeen > this.tree.lastProcessedZxid) {
      // The client saw a newer state elsewhere; it must not go back in time here.
      connection.close();
      return;
    }
    const timeoutMs = Math.min(Math.max(hs.timeOut, this.config.minSessionTimeout), this.config.maxSessionTimeout);
    connection.sessionTimeoutMs = timeoutMs;
    if (hs.sessionId === 0n) {
      this.createSession(connection, timeoutMs);
      return;
    }
    const session = this.sessions.get(hs.sessionId);
    const password = hs.passwd ?? Buffer.alloc(0);
    if (session === undefined || session.closing || !password.equals(sessionPassword(hs.sessionId))) {
      this.finishHandshake(connection, 0n, 0, false);
      return;
    }
    const previous = this.bySession.get(hs.sessionId);
    if (previous !== undefined && previous !== connection) previous.close();
    this.touchSession(hs.sessionId);
    this.finishHandshake(connection, hs.sessionId, timeoutMs, true);
  }

  onRequest(connection: ClientConnection, payload: Buffer): void {
    this.metrics.packetsReceived++;
    if (!this.serving) {
      connection.close();
      return;
    }
    const reader = new JuteReader(payload, 0, payload.length, this.config.juteMaxBuffer);
    let header;
    try {
      header = RequestHeader.read(reader);
    } catch {
      connection.close();
      return;
    }
    const { xid, type } = header;
    const bodyStart = reader.offset;
    if (type === OpCode.auth) {
      handleAuthPacket(connection, xid, reader, this.config, this.logger);
      return;
    }
    if (type === OpCode.sasl) {
      connection.writeReply(xid, { err: 0, zxid: 0n, body: (w) => SetSASLResponse.write(w, { token: null }) });
      return;
    }
    const sessionLive = this.touchSession(connection.sessionId);
    if (type === OpCode.ping) {
      connection.enqueue(Xid.ping, () => ({ err: 0, zxid: this.tree.lastProcessedZxid, body: null }));
      return;
    }
    if (!sessionLive) {
      connection.enqueue(xid, null, { err: ErrorCode.SESSIONEXPIRED, zxid: this.tree.lastProcessedZxid, body: null });
      return;
    }
    if (type === OpCode.sync) {
      this.submitSync(connection, xid, type, reader);
      return;
    }
    if (READ_OPS.has(type)) {
      connection.enqueue(xid, () => this.runRead(type, reader, connection));
      return;
    }
    if (type === OpCode.closeSession) {
      this.submitWrite(connection, xid, type, Buffer.alloc(0), null);
      return;
    }
    let write: WriteRequest | null;
    try {
      write = readWrite(type, reader);
    } catch (err) {
      if (!(err instanceof JuteError)) throw err;
      connection.enqueue(xid, null, { err: ErrorCode.MARSHALLINGERROR, zxid: this.tree.lastProcessedZxid, body: null });
      return;
    }
    if (write === null) {
      connection.enqueue(xid, null, { err: ErrorCode.UNIMPLEMENTED, zxid: -1n, body: null, closeAfter: true });
      return;
    }
    this.submitWrite(connection, xid, type, payload.subarray(bodyStart), write);
  }

  // ---- client requests --------------------------------------------------------------------

  private accept(socket: Socket): void {
    if (this.stopping) {
      socket.destroy();
      return;
    }
    if (!this.admission.admit(socket)) return;
    const connection = new ClientConnection(socket, this, this.config.juteMaxBuffer, this.config.maxOutstandingPerConnection);
    this.connections.add(connection);
    socket.resume();
  }

  private touchSession(sessionId: bigint): boolean {
    const live = this.sessions.touch(sessionId, Date.now());
    if (live && this.role !== "LEADING") this.touched.add(sessionId);
    return live;
  }

  private createSession(connection: ClientConnection, timeoutMs: number): void {
    const id = this.sessions.createId();
    this.pendingHandshakes.set(id, { connection, timeoutMs });
    const sent = this.submit({ sessionId: id, cxid: 0, type: OpCode.createSession, payload: intBytes(timeoutMs), authInfo: [] }, null);
    if (!sent) {
      this.pendingHandshakes.delete(id);
      connection.close();
    }
  }

  private finishHandshake(connection: ClientConnection, sessionId: bigint, timeoutMs: number, valid: boolean): void {
    if (!answerHandshake(connection, { sessionId, timeoutMs, valid, readOnly: false })) return;
    this.bySession.set(sessionId, connection);
    connection.sessionEstablished();
  }

  private submitWrite(connection: ClientConnection, xid: number, type: number, payload: Buffer, write: WriteRequest | null): void {
    const key = requestKey(connection.sessionId, xid);
    const entry = connection.enqueue(xid, null);
    this.pendingWrites.set(key, { connection, entry, type });
    const request = { sessionId: connection.sessionId, cxid: xid, type, payload, authInfo: connection.authInfo };
    if (!this.submit(request, write)) {
      // No leader to take it: the outcome is unknown to the client, as after a connection loss.
      this.pendingWrites.delete(key);
      connection.close();
    }
  }

  /** Leader: prepare and propose. Learner: forward as REQUEST. False when neither is possible. */
  private submit(request: ForwardedRequest, write: WriteRequest | null): boolean {
    if (this.role === "LEADING") return this.prepareAndPropose(request, write);
    return this.driver.sendToLeader(encodeForwardedRequest(request));
  }

  private submitSync(connection: ClientConnection, xid: number, type: number, reader: JuteReader): void {
    const entry = connection.enqueue(xid, null);
    const syncId = this.nextSyncId++;
    this.pendingSyncs.set(syncId, () => connection.complete(entry, this.runRead(type, reader, connection)));
    if (!this.driver.sync(syncId)) {
      this.pendingSyncs.delete(syncId);
      connection.close();
    }
  }

  private runRead(type: number, reader: JuteReader, connection: ClientConnection): Reply {
    try {
      return this.reads.run(type, reader, connection);
    } catch (err) {
      if (!(err instanceof JuteError)) throw err;
      return this.reads.error(ErrorCode.MARSHALLINGERROR);
    }
  }


  // ---- the leader's side of the request path ---------------------------------------------

  onForwardedRequest(from: number, request: ForwardedRequest): void {
    if (this.role !== "LEADING") return;
    if (request.type === OpCode.ping) {
      for (const id of readSessionReport(request.payload)) this.sessions.touch(id, Date.now());
      return;
    }
    let write: WriteRequest | null = null;
    if (request.type !== OpCode.createSession && request.type !== OpCode.closeSession) {
      try {
        write = readWrite(request.type, new JuteReader(request.payload, 0, request.payload.length, this.config.juteMaxBuffer));
      } catch (err) {
        if (!(err instanceof JuteError)) throw err;
      }
      if (write === null) {
        this.log("warn", "unreadable request forwarded by a learner", { from, type: request.type });
        return;
      }
    }
    this.prepareAndPropose(request, write);
  }

  /**
   * Proposes now, or holds the request back while the leader has as many proposals in flight
   * as it allows; held requests go out in arrival order as commits come in, so each session's
   * writes keep their order. False when this member cannot take it at all.
   */
  private prepareAndPropose(request: ForwardedRequest, write: WriteRequest | null): boolean {
    const proposer = this.proposer;
    if (proposer === null || !this.serving) return false;
    if (this.heldBack.length > 0 || proposer.busy) {
      if (this.heldBack.length >= HELD_BACK_MAX) return false;
      this.heldBack.push({ request, write });
      return true;
    }
    return this.proposeNow(proposer, request, write);
  }

  private proposeNow(proposer: LeaderProposer, request: ForwardedRequest, write: WriteRequest | null): boolean {
    if (request.type === OpCode.closeSession) this.sessions.setClosing(request.sessionId);
    return proposer.propose(request, write);
  }

  private proposeHeldBack(): void {
    const proposer = this.proposer;
    while (proposer !== null && this.heldBack.length > 0 && !proposer.busy) {
      const { request, write } = this.heldBack.shift()!;
      if (!this.proposeNow(proposer, request, write)) return;
    }
  }

  /** The leader deletes empty containers and expired TTL nodes through the log, as ZooKeeper's ContainerManager. */
  private reapContainers(): void {
    if (this.stopping || this.role !== "LEADING" || !this.serving) return;
    const limit = Math.max(1, Math.floor(this.config.containerMaxPerMinute * (this.config.containerCheckIntervalMs / 60000)));
    const candidates = this.tree
      .expiryCandidates(BigInt(Date.now()), BigInt(this.config.containerMaxNeverUsedIntervalMs))
      .slice(0, limit);
    for (const path of candidates) {
      const request = { sessionId: 0n, cxid: 0, type: OpCode.deleteContainer, payload: Buffer.alloc(0), authInfo: [] };
      this.prepareAndPropose(request, { type: OpCode.deleteContainer, path });
    }
  }

  private onTick(): void {
    if (this.stopping) return;
    if (this.role === "LEADING" && this.serving) {
      for (const session of this.sessions.takeExpired(Date.now())) {
        this.log("info", "session expired", { session: hex(session.id), timeoutMs: session.timeoutMs });
        this.prepareAndPropose({ sessionId: session.id, cxid: 0, type: OpCode.closeSession, payload: Buffer.alloc(0), authInfo: [] }, null);
      }
    } else if (this.touched.size > 0 && this.serving) {
      const report = encodeForwardedRequest({
        sessionId: 0n,
        cxid: 0,
        type: OpCode.ping,
        payload: writeSessionReport(this.touched),
        authInfo: [],
      });
      if (this.driver.sendToLeader(report)) this.touched.clear();
    }
  }

  // ---- ReplicatedState --------------------------------------------------------------------

  async load(snapshot: LoadedSnapshot): Promise<void> {
    const tree = new DataTree(treeOptionsOf(this.config));
    const sessions = await loadSnapshot(tree, snapshot);
    this.tree = tree;
    this.reads = new ReadRequests(tree, authOf(this.config));
    for (const s of [...this.sessions.all()]) this.sessions.remove(s.id);
    for (const [id, timeoutMs] of sessions) this.sessions.add(id, timeoutMs, Date.now());
  }

  async serialize(): Promise<Buffer> {
    return await this.store.serializeSnapshot(this.tree, this.sessionTable());
  }

  apply(entry: Entry): void {
    this.applyTxn(entry);
    if (this.store.snapshotDue) this.store.takeSnapshot(this.tree, this.sessionTable());
    // Each commit makes room for one more proposal.
    if (this.heldBack.length > 0) this.proposeHeldBack();
  }

  private applyTxn(entry: Entry): void {
    const data = Buffer.from(entry.data.buffer, entry.data.byteOffset, entry.data.byteLength);
    const { header, body } = readTxnEntry(data, this.config.juteMaxBuffer);
    const result = this.tree.applyTxn(header, body);
    this.proposer?.applied(header.zxid);
    if (body.type === OpCode.createSession) {
      this.sessions.add(header.clientId, body.txn.timeOut, Date.now());
      const handshake = this.pendingHandshakes.get(header.clientId);
      this.pendingHandshakes.delete(header.clientId);
      if (handshake !== undefined && !handshake.connection.closed) {
        this.finishHandshake(handshake.connection, header.clientId, handshake.timeoutMs, true);
      }
      return;
    }
    const key = requestKey(header.clientId, header.cxid);
    const pending = this.pendingWrites.get(key);
    this.pendingWrites.delete(key);
    if (body.type === OpCode.closeSession) {
      this.sessions.remove(header.clientId);
      const attached = this.bySession.get(header.clientId);
      this.bySession.delete(header.clientId);
      if (pending !== undefined) {
        pending.connection.complete(pending.entry, { err: 0, zxid: header.zxid, body: null, closeAfter: true });
      }
      if (attached !== undefined && attached !== pending?.connection) attached.closeAfterPendingWrites();
      return;
    }
    if (pending !== undefined) {
      pending.connection.complete(pending.entry, replyForWrite(pending.type, body, result, header.zxid));
    }
  }

  onSoftState(soft: SoftState): void {
    this.soft = soft;
    if (soft.role === "LEADING" && soft.serving) {
      if (this.proposer === null) {
        this.proposer = new LeaderProposer(this.tree, this.config, this.driver, this.logger);
        // A new leader gives every session a full timeout: it does not know when they were last heard.
        for (const s of this.sessions.all()) this.sessions.touch(s.id, Date.now());
      }
    } else {
      this.proposer = null;
      // Their clients were on learners that lose this leader too, or are closed below.
      this.heldBack.length = 0;
    }
    if (!soft.serving) this.dropClients();
    this.log("info", "serving state", { role: soft.role, leader: soft.leader, epoch: soft.epoch, serving: soft.serving });
  }

  onSyncs(done: readonly number[], failed: readonly number[]): void {
    for (const id of done) {
      const answer = this.pendingSyncs.get(id);
      this.pendingSyncs.delete(id);
      answer?.();
    }
    // A failed sync means the leader is gone; its connection is closed with the others.
    for (const id of failed) this.pendingSyncs.delete(id);
  }

  /** Without a leader nothing in flight can be answered: clients reconnect, maybe elsewhere. */
  private dropClients(): void {
    for (const c of this.connections) c.close();
    this.pendingWrites.clear();
    this.pendingHandshakes.clear();
    this.pendingSyncs.clear();
    this.touched.clear();
  }

  private fatal(err: Error): void {
    this.log("error", "the replica failed and stops", { err });
    if (this.options.onFatal !== undefined) this.options.onFatal(err);
    else throw err;
  }
}

function requestKey(sessionId: bigint, cxid: number): string {
  return `${sessionId}:${cxid}`;
}

function intBytes(value: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeInt32BE(value);
  return b;
}

function authOf(config: ServerConfig) {
  return { superDigest: config.superDigest, digestAlgorithm: config.digestAlgorithm, skipAcl: config.skipAcl };
}

function treeOptionsOf(config: ServerConfig): DataTreeOptions {
  return { auth: authOf(config), extendedTypesEnabled: config.extendedTypesEnabled };
}
