import type { DataTree, WriteRequest } from "@zkts/datatree";
import { type JuteReader, OpCode } from "@zkts/jute";
import type { PersistedState, SoftState } from "@zkts/zab";
import type { ServerConfig } from "../config.js";
import { answerFourLetterWord } from "../client-session-io.js";
import type { ClientConnection, Reply } from "../connection.js";
import type { ClientBackend } from "../front-door/client-backend.js";
import { ClientFrontDoor } from "../front-door/front-door.js";
import { type ClientConnectionsServer, ClientPorts } from "../front-door/client-ports.js";
import { SessionConnections } from "../front-door/session-connections.js";
import { ClientListeners } from "../listener.js";
import { type Logger, silentLogger } from "../logger.js";
import { ServerMetrics } from "../metrics.js";
import type { SessionTracker } from "../session-tracker.js";
import { runEnsembleFourLetterWord } from "./ensemble-four-letter-words.js";
import { EnsembleStore } from "./ensemble-store.js";
import type { QuorumMember } from "@zkts/config";
import { addressesOfConfigText, initConfigNode } from "./membership-text.js";
import { PeerDriver } from "./peer-driver.js";
import { ReadOnlyServer } from "./read-only-server.js";
import { Replica, treeOptionsOf } from "./replica.js";

export interface EnsembleServerOptions {
  /** The client-facing settings; serverId is this server's myid. */
  config: ServerConfig;
  members: readonly QuorumMember[];
  initLimit: number;
  syncLimit: number;
  /** quorumListenOnAllIPs: bind the quorum and election ports on every address, not only the own line's host. */
  quorumListenOnAllIPs?: boolean;
  /** The version of the configuration the members are (ZooKeeper's dynamic configuration file has one); default 0. */
  configVersion?: bigint;
  logger?: Logger;
  /** The replica can no longer persist: the process must stop. */
  onFatal?: (err: Error) => void;
  /**
   * A configuration came into force: its dynamic configuration text (`server.N` lines and
   * `version=`) and version. The first call may repeat the one the member started with.
   */
  onConfigurationActivated?: (configText: string, version: bigint) => void;
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
export class EnsembleServer implements ClientConnectionsServer, ClientBackend {
  readonly config: ServerConfig;
  readonly metrics: ServerMetrics;
  readonly driver: PeerDriver;
  readonly replica: Replica;
  /** Present with readonlymode.enabled: serves read-only clients while the member has no quorum. */
  private readonly readOnlyServer: ReadOnlyServer | null;
  readonly attached = new SessionConnections();
  private readonly door: ClientFrontDoor;
  private timers: NodeJS.Timeout[] = [];
  private stopping = false;
  private readonly logger: Logger;
  private readonly ports: ClientPorts;

  private constructor(
    private readonly options: EnsembleServerOptions,
    private readonly store: EnsembleStore,
    recovered: { tree: DataTree; sessions: Map<bigint, number>; persisted: PersistedState; loadMs: number },
  ) {
    this.config = options.config;
    this.logger = options.logger ?? silentLogger;
    this.metrics = new ServerMetrics(Date.now());
    this.ports = new ClientPorts({ config: this.config, logger: this.logger, server: this, metrics: this.metrics });
    this.door = new ClientFrontDoor({ config: this.config, logger: this.logger, metrics: this.metrics });
    this.metrics.dbInitTime.observe(recovered.loadMs);
    store.reportTimingsTo(this.metrics);
    const self = options.members.find((m) => m.id === this.config.serverId);
    if (self === undefined) throw new Error(`server ${this.config.serverId} is not in the member list`);
    this.driver = new PeerDriver({
      self,
      members: options.members,
      initLimit: options.initLimit,
      syncLimit: options.syncLimit,
      listenOnAllIPs: options.quorumListenOnAllIPs ?? false,
      tickTimeMs: this.config.tickTime,
      persisted: recovered.persisted,
      store,
      logger: this.logger,
      maxBuffer: this.config.juteMaxBuffer,
      onFatal: (err) => this.fatal(err),
      unsafeCommitWithoutQuorum: this.config.unsafe === "commit-without-quorum",
      reconfigEnabled: this.config.reconfigEnabled,
      configVersion: options.configVersion ?? 0n,
      quorumTls: this.config.quorumTls,
      quorumSasl: this.config.quorumSasl,
    });
    this.replica = new Replica({
      config: this.config,
      port: this.driver,
      clock: Date.now,
      logger: this.logger,
      tree: recovered.tree,
      sessions: recovered.sessions,
      events: {
        sessionClosed: (id, answered) => this.sessionClosed(id, answered),
        servingLost: () => this.dropClients(),
        softStateChanged: (soft) => this.readOnlyServer?.onRole(soft.role),
        membershipActivated: (active) => options.onConfigurationActivated?.(Buffer.from(active.data).toString("utf8"), active.version),
        applied: () => {
          if (this.store.snapshotDue) this.store.takeSnapshot(this.replica.tree, this.replica.sessionTable());
        },
      },
    });
    initConfigNode(this.replica.tree, this.driver.peer.membership.active);
    this.readOnlyServer = this.config.readOnlyModeEnabled ? new ReadOnlyServer({ config: this.config, replica: this.replica, logger: this.logger }) : null;
  }
  /** Recovers the replica from its data directory and binds the client port. */
  static async open(options: EnsembleServerOptions): Promise<EnsembleServer> {
    const logger = options.logger ?? silentLogger;
    const listeners = await ClientListeners.open(options.config, logger);
    try {
      const { store, recovery } = await EnsembleStore.open(options.config, logger, treeOptionsOf(options.config), Math.random);
      const server = new EnsembleServer(options, store, recovery);
      server.ports.adopt(listeners);
      return server;
    } catch (err) {
      await listeners.close();
      throw err;
    }
  }

  async start(): Promise<void> {
    // Clients that connected during recovery were held; they are served (or turned away) now.
    await this.ports.start();
    await this.driver.start(this.replica);
    // A member starts out looking for a leader: with none to be found it turns read-only.
    this.readOnlyServer?.onRole(this.replica.role);
    this.timers.push(setInterval(() => this.stopping || this.replica.tick(), this.config.tickTime));
    this.timers.push(setInterval(() => this.stopping || this.replica.reapContainers(), this.config.containerCheckIntervalMs));
  }

  async stop(): Promise<void> {
    this.stopping = true;
    for (const t of this.timers) clearInterval(t);
    this.readOnlyServer?.stop();
    this.timers = [];
    const closed = this.ports.stop();
    this.driver.stop();
    await closed;
    await this.store.close();
  }

  /** Every open client connection, with or without a session yet. */
  get connections(): Set<ClientConnection> {
    return this.ports.connections;
  }

  get tree(): DataTree {
    return this.replica.tree;
  }

  get sessions(): SessionTracker {
    return this.replica.sessions;
  }

  get serving(): boolean {
    return this.replica.serving;
  }

  get role(): SoftState["role"] {
    return this.replica.role;
  }

  /** True while the member, cut off from a quorum, serves read-only clients (readonlymode.enabled). */
  get servingReadOnly(): boolean {
    return this.readOnlyServer?.running ?? false;
  }

  /** Sessions the read-only server holds (local to this member). */
  get readOnlySessionCount(): number {
    return this.readOnlyServer?.sessionCount ?? 0;
  }

  /** The read-only server's session expiry buckets, earliest first. */
  get readOnlySessionBuckets() {
    return this.readOnlyServer?.expiryBuckets() ?? [];
  }

  get fsyncStats() {
    return this.store.fsyncStats();
  }

  /** Writes in flight on this server: waiting for their transaction to be applied. */
  get outstanding(): number {
    return this.replica.outstanding;
  }

  /** The server.N lines and limits this member runs with (conf and the AdminServer show them). */
  get ensemble(): Pick<EnsembleServerOptions, "members" | "initLimit" | "syncLimit"> & { version: bigint } {
    // The configuration in force: zoo.cfg's server lines until a reconfig replaced them.
    const membership = this.driver.peer.membership.active;
    const active = addressesOfConfigText(membership.data);
    return {
      members: active.length > 0 ? active : this.options.members,
      initLimit: this.options.initLimit,
      syncLimit: this.options.syncLimit,
      version: membership.version,
    };
  }

  // ---- client connections -----------------------------------------------------------------

  log(level: "debug" | "info" | "warn" | "error", message: string, fields?: Record<string, unknown>): void {
    this.logger.log(level, message, fields);
  }

  nowMs(): number {
    return Date.now();
  }

  onFourLetterWord(connection: ClientConnection, word: string): void {
    answerFourLetterWord(connection, word, this.config.fourLetterWords, (w) => runEnsembleFourLetterWord(this, w));
  }

  onClose(connection: ClientConnection): void {
    this.readOnlyServer?.onClose(connection);
    this.attached.detach(connection);
    this.replica.tree.removeWatcher(connection);
  }

  onHandshake(connection: ClientConnection, payload: Buffer): void {
    // ZooKeeper closes clients while it has no leader (and serves no read-only clients): they try another server.
    const backend = this.serving ? this : this.readOnlyServer?.running ? this.readOnlyServer : null;
    this.door.handshake(connection, payload, backend);
  }

  onRequest(connection: ClientConnection, payload: Buffer): void {
    const backend = this.readOnlyServer?.serves(connection) ? this.readOnlyServer : this.serving ? this : null;
    this.door.request(connection, payload, backend);
  }

  // ---- the client front door's backend ----------------------------------------------------

  readonly readOnly = false;
  readonly writesRefused = false;

  get lastProcessedZxid(): bigint {
    return this.replica.tree.lastProcessedZxid;
  }

  createSession(timeoutMs: number, established: (sessionId: bigint) => void): boolean {
    return this.replica.createSession(timeoutMs, established);
  }

  mayResumeSession(sessionId: bigint): boolean {
    return this.replica.mayResumeSession(sessionId);
  }

  reattachSession(sessionId: bigint, timeoutMs: number, answer: (valid: boolean) => void): boolean {
    return this.replica.reattachSession(sessionId, timeoutMs, answer);
  }

  touchSession(sessionId: bigint): boolean {
    return this.replica.touchSession(sessionId);
  }

  read(type: number, reader: JuteReader, connection: ClientConnection): Reply {
    return this.replica.read(type, reader, connection);
  }

  /**
   * A sync, or a read this session wants linearizable: the leader confirms its leadership
   * with a quorum first (for the read), then this member catches up with it, then it runs.
   */
  sync(connection: ClientConnection, xid: number, type: number, reader: JuteReader, linearizable: boolean): void {
    const entry = connection.enqueue(xid, null);
    const answer = () => connection.complete(entry, this.replica.read(type, reader, connection));
    // The unsafe mode unconfirmed-reads skips the confirmation: a deliberate stale-read bug.
    const confirmQuorum = linearizable && this.config.unsafe !== "unconfirmed-reads";
    if (!this.replica.submitSync(answer, { confirmQuorum })) connection.close();
  }

  submitWrite(connection: ClientConnection, xid: number, type: number, body: Buffer, write: WriteRequest): void {
    this.propose(connection, xid, type, body, write);
  }

  submitCloseSession(connection: ClientConnection, xid: number): void {
    this.propose(connection, xid, OpCode.closeSession, Buffer.alloc(0), null);
  }

  // ---- writes and sessions through the leader ------------------------------------------------

  /** A write, or closeSession (`write` null), through the leader. */
  private propose(connection: ClientConnection, xid: number, type: number, payload: Buffer, write: WriteRequest | null): void {
    const entry = connection.enqueue(xid, null);
    const request = { sessionId: connection.sessionId, cxid: xid, type, payload, authInfo: connection.authInfo };
    // Without a leader to take it the outcome is unknown to the client, as after a connection loss.
    if (!this.replica.submitWrite(request, write, (reply) => connection.complete(entry, reply))) connection.close();
  }

  private sessionClosed(sessionId: bigint, answered: boolean): void {
    const attached = this.attached.release(sessionId);
    // A connection whose own closeSession was answered closes after that reply.
    if (attached !== undefined && !answered) attached.closeAfterPendingWrites();
  }

  /**
   * Without a leader nothing in flight can be answered: clients reconnect, maybe elsewhere.
   * The read-only server's clients stay; it closes them itself when it stops.
   */
  private dropClients(): void {
    for (const c of this.connections) if (!this.readOnlyServer?.serves(c)) c.close();
  }

  private fatal(err: Error): void {
    this.log("error", "the replica failed and stops", { err });
    if (this.options.onFatal !== undefined) this.options.onFatal(err);
    else throw err;
  }
}
