import { DataTree, type DataTreeOptions, type Watcher, type WriteRequest } from "@zkts/datatree";
import { Fifo, type Id, JuteError, JuteReader, OpCode, type TxnEntry, readTxnEntry } from "@zkts/jute";
import type { LoadedSnapshot, SnapshotSource } from "@zkts/storage";
import type { Entry, Membership, SoftState } from "@zkts/zab";
import type { ServerConfig } from "../config.js";
import type { Reply } from "../connection.js";
import { type Logger, hex } from "../logger.js";
import { loadSnapshot, restoreSnapshotDigest, serializeTree, snapshotSource, treeFromSnapshotBytes } from "../persistence/tree-snapshot.js";
import { reportDigestMismatch } from "../digest-report.js";
import { AuditLog, auditEventsOf, auditOrigin, serverUser, sessionCloseEvents } from "../audit-log.js";
import { ReadRequests } from "../read-requests.js";
import { SessionTracker } from "../session-tracker.js";
import { readWrite, replyForWrite } from "../write-requests.js";
import { type LeaderWrite, LeaderProposer, UNREADABLE_REQUEST } from "./leader-proposer.js";
import type { ReplicatedState } from "./ready-loop.js";
import type { ForwardedRequest } from "./quorum-codec.js";
import type { QuorumPort } from "./quorum-port.js";
import { showConfigNode } from "./membership-text.js";
import { readSessionReport, writeSessionReport } from "./session-report.js";
import { ByRequest } from "./by-request.js";
import { authOf } from "../auth-config.js";

/** Requests a leader holds back while its proposals are at their bound; beyond it a request is refused. */
const HELD_BACK_MAX = 100_000;

/** What the replica tells the code that holds the client connections. */
export interface ReplicaEvents {
  /**
   * A committed closeSession ended `sessionId`. `answered` is true when the replica answered
   * the closeSession itself (its reply closes that connection).
   */
  sessionClosed(sessionId: bigint, answered: boolean): void;
  /** This member stopped serving: nothing in flight will be answered, so its clients must go. */
  servingLost(): void;
  /** A transaction was applied (the server's snapshot trigger looks here). */
  applied?(): void;
  /** Role, leader, epoch or serving changed (after the replica has acted on it). */
  softStateChanged?(soft: SoftState): void;
  /** Another configuration is in force (a reconfig committed, a leader stamped it, a NEWLEADER brought it). */
  membershipActivated?(active: Membership): void;
}

export interface ReplicaOptions {
  config: ServerConfig;
  port: QuorumPort;
  /** Milliseconds; the real clock in a server, the simulated one in the lab. */
  clock: () => number;
  logger: Logger;
  events: ReplicaEvents;
  tree: DataTree;
  /** Sessions recovered with the tree: id → timeout. */
  sessions: ReadonlyMap<bigint, number>;
}

/** A client write waiting for its transaction to be applied on this member. */
interface PendingWrite {
  /** The client's OpCode (an error txn does not say which op failed). */
  type: number;
  answer: (reply: Reply) => void;
  /** For the audit log: the write as the client sent it and the ids its connection holds. */
  write: WriteRequest | null;
  authInfo: readonly Id[];
}

/**
 * The request pipeline of one ensemble member, free of sockets, files and clocks: the
 * replicated tree and session table, the leader's prepare-and-propose step (held back while
 * too many proposals are in flight), the learner's forwarding, commits applied in zxid order
 * and answered to the local client whose (session id, cxid) the transaction carries, sync,
 * global sessions (created and closed by transactions, expired by the leader, kept alive on
 * learners by reports). A server drives it over sockets; the lab drives the same class over
 * a simulated network, disk and clock.
 */
export class Replica implements ReplicatedState {
  tree: DataTree;
  readonly sessions: SessionTracker;
  private reads: ReadRequests;
  /** Present while this member leads and serves. */
  private proposer: LeaderProposer | null = null;
  private readonly pendingWrites = new ByRequest<PendingWrite>();
  private readonly pendingHandshakes = new Map<bigint, (sessionId: bigint) => void>();
  private readonly pendingSyncs = new Map<number, () => void>();
  /** Learner: sessions its clients used since the last report to the leader. */
  private readonly touched = new Set<bigint>();
  /**
   * A learner: sessions its leader confirmed to a reconnecting client (REVALIDATE) before this
   * member applied their createSession. They count as live until it does (or the leadership
   * ends), so the client's first requests are not answered SESSIONEXPIRED.
   */
  private readonly vouched = new Set<bigint>();
  private nextSyncId = 1;
  /** Leader: requests waiting for proposals in flight to commit. */
  private readonly heldBack = new Fifo<{ request: ForwardedRequest; write: LeaderWrite }>();
  /** The core's soft state as of the last applied Ready. */
  private soft: SoftState = { role: "LOOKING", leader: null, epoch: 0, serving: false };
  private readonly config: ServerConfig;
  private readonly clock: () => number;
  private readonly logger: Logger;
  /** audit.enable: the member a client is connected to audits its writes, as ZooKeeper's does. */
  private readonly audit: AuditLog | null;

  constructor(private readonly o: ReplicaOptions) {
    this.config = o.config;
    this.clock = o.clock;
    this.logger = o.logger;
    this.audit = this.config.auditEnabled ? new AuditLog(this.logger) : null;
    this.tree = o.tree;
    this.reads = new ReadRequests(this.tree, authOf(this.config));
    const now = this.clock();
    this.sessions = new SessionTracker(this.config.tickTime, this.config.serverId, now, this.config.unsafe === "never-expire");
    for (const [id, timeoutMs] of o.sessions) this.sessions.add(id, timeoutMs, now);
  }

  get serving(): boolean {
    return this.soft.serving;
  }

  get role(): SoftState["role"] {
    return this.soft.role;
  }

  get softState(): SoftState {
    return this.soft;
  }

  /** Writes in flight on this member: waiting for their transaction to be applied. */
  get outstanding(): number {
    return this.pendingWrites.size;
  }

  sessionTable(): Map<bigint, number> {
    return this.sessions.timeouts();
  }

  // ---- the client side ------------------------------------------------------------------

  /** Counts a request on `sessionId` as a sign of life; false when the session is gone or closing. */
  touchSession(sessionId: bigint): boolean {
    const live = this.sessions.touch(sessionId, this.clock()) || this.vouched.has(sessionId);
    if (live && this.role !== "LEADING") this.touched.add(sessionId);
    return live;
  }

  /**
   * A client reconnected here with its session. The leader answers at once. A learner asks its
   * leader (REVALIDATE), as ZooKeeper's learners do, and answers the client with the leader's
   * word: the leader knows an expiry this member may not have applied yet, and takes this
   * learner for the session's owner; and a member whose leader is gone, which has not noticed
   * yet, takes no client (it would hand it a session only to drop it a moment later).
   */
  reattachSession(sessionId: bigint, timeoutMs: number, answer: (valid: boolean) => void): boolean {
    this.touchSession(sessionId);
    if (this.asksLeaderAboutSessions()) {
      return this.o.port.revalidate!(sessionId, timeoutMs, (valid) => {
        // Vouched for before its createSession reached this member: it is on its way.
        if (valid && this.sessions.get(sessionId) === undefined) this.vouched.add(sessionId);
        answer(valid);
      });
    }
    answer(true);
    return true;
  }

  /**
   * Before reattachSession. The leader (or a replica without one to ask) answers from its own
   * table. A learner refuses only a session it knows to be closing; any other it leaves to its
   * leader, as ZooKeeper's learners do: a session made through another member a moment ago
   * may not be applied here yet.
   */
  mayResumeSession(sessionId: bigint): boolean {
    if (!this.asksLeaderAboutSessions()) return this.sessions.isOpen(sessionId);
    return this.sessions.get(sessionId) === undefined || this.sessions.isOpen(sessionId);
  }

  private asksLeaderAboutSessions(): boolean {
    return this.role !== "LEADING" && this.o.port.revalidate !== undefined;
  }

  onMembership(active: Membership): void {
    showConfigNode(this.tree, active);
    this.o.events.membershipActivated?.(active);
  }

  /** The leader: a learner's client reconnected with this session (REVALIDATE). */
  revalidateSession(sessionId: bigint): boolean {
    if (this.role !== "LEADING" || !this.sessionIsOpen(sessionId)) return false;
    return this.sessions.touch(sessionId, this.clock());
  }

  /** A reconnecting client may take over the session only while it is live and not closing. */
  sessionIsOpen(sessionId: bigint): boolean {
    return this.sessions.isOpen(sessionId);
  }

  /** Proposes a createSession; `answer` gets the new id once it is applied here. False when no leader takes it. */
  createSession(timeoutMs: number, answer: (sessionId: bigint) => void): boolean {
    const id = this.sessions.createId();
    this.pendingHandshakes.set(id, answer);
    const sent = this.submit({ sessionId: id, cxid: 0, type: OpCode.createSession, payload: intBytes(timeoutMs), authInfo: [] }, null);
    if (!sent) this.pendingHandshakes.delete(id);
    return sent;
  }

  /**
   * A client write (or closeSession, with `write` null): `answer` gets the reply when its
   * transaction is applied here. False when there is no leader to take it; the outcome is
   * then unknown to the client, as after a connection loss.
   */
  submitWrite(request: ForwardedRequest, write: WriteRequest | null, answer: (reply: Reply) => void): boolean {
    this.pendingWrites.set(request.sessionId, request.cxid, { type: request.type, answer, write, authInfo: request.authInfo });
    if (this.submit(request, write)) return true;
    this.pendingWrites.take(request.sessionId, request.cxid);
    return false;
  }

  /**
   * ZooKeeper's sync: `answer` runs once this member has applied what the leader had
   * committed. With `confirmQuorum`, the leader first has a quorum confirm that it still
   * leads, so a read run in `answer` is linearizable.
   */
  submitSync(answer: () => void, options: { confirmQuorum?: boolean } = {}): boolean {
    const syncId = this.nextSyncId++;
    this.pendingSyncs.set(syncId, answer);
    if (this.o.port.sync(syncId, options)) return true;
    this.pendingSyncs.delete(syncId);
    return false;
  }

  /** A read against the applied tree, as the session `watcher` sees it. */
  read(type: number, reader: JuteReader, watcher: Watcher): Reply {
    return this.reads.run(type, reader, watcher);
  }

  /** Once per tickTime: the leader expires sessions; a learner reports the sessions its clients used. */
  tick(): void {
    if (!this.serving) return;
    if (this.role === "LEADING") {
      for (const session of this.sessions.takeExpired(this.clock())) {
        this.logger.log("info", "session expired", { session: hex(session.id), timeoutMs: session.timeoutMs });
        this.prepareAndPropose({ sessionId: session.id, cxid: 0, type: OpCode.closeSession, payload: Buffer.alloc(0), authInfo: [] }, null);
      }
      return;
    }
    if (this.touched.size === 0) return;
    const used = [...this.touched].map((id) => [id, this.sessions.get(id)?.timeoutMs ?? 0] as const);
    const report = { sessionId: 0n, cxid: 0, type: OpCode.ping, payload: writeSessionReport(used), authInfo: [] };
    if (this.o.port.forward(report)) this.touched.clear();
  }

  /** The leader deletes empty containers and expired TTL nodes through the log, as ZooKeeper's ContainerManager. */
  reapContainers(): void {
    if (this.role !== "LEADING" || !this.serving) return;
    const c = this.config;
    const limit = Math.max(1, Math.floor(c.containerMaxPerMinute * (c.containerCheckIntervalMs / 60000)));
    const candidates = this.tree.expiryCandidates(BigInt(this.clock()), BigInt(c.containerMaxNeverUsedIntervalMs)).slice(0, limit);
    for (const path of candidates) {
      const request = { sessionId: 0n, cxid: 0, type: OpCode.deleteContainer, payload: Buffer.alloc(0), authInfo: [] };
      this.prepareAndPropose(request, { type: OpCode.deleteContainer, path });
    }
  }

  /** Leader: prepare and propose. Learner: forward to the leader. False when neither is possible. */
  private submit(request: ForwardedRequest, write: WriteRequest | null): boolean {
    if (this.role === "LEADING") return this.prepareAndPropose(request, write);
    return this.o.port.forward(request);
  }

  // ---- the leader's side of the request path -------------------------------------------

  onForwardedRequest(from: number, request: ForwardedRequest): void {
    if (this.role !== "LEADING") return;
    if (request.type === OpCode.ping) {
      const now = this.clock();
      for (const id of readSessionReport(request.payload)) this.sessions.touch(id, now);
      return;
    }
    let write: LeaderWrite = null;
    if (request.type !== OpCode.createSession && request.type !== OpCode.closeSession) {
      try {
        write = readWriteRequest(request, this.config.juteMaxBuffer);
      } catch (err) {
        if (!(err instanceof JuteError)) throw err;
        // Answered, not dropped: the error txn commits and the learner replies to its client.
        this.logger.log("warn", "unreadable request forwarded by a learner; answered MARSHALLINGERROR", { from, type: request.type, err: err.message });
        write = UNREADABLE_REQUEST;
      }
      if (write === null) {
        // An opcode that is no write: a learner answers those itself, and ZooKeeper's leader proposes nothing for one.
        this.logger.log("warn", "request of unknown type forwarded by a learner", { from, type: request.type });
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
  private prepareAndPropose(request: ForwardedRequest, write: LeaderWrite): boolean {
    const proposer = this.proposer;
    if (proposer === null || !this.serving) return false;
    if (this.heldBack.length > 0 || proposer.busy) {
      if (this.heldBack.length >= HELD_BACK_MAX) return false;
      this.heldBack.push({ request, write });
      return true;
    }
    return this.proposeNow(proposer, request, write);
  }

  private proposeNow(proposer: LeaderProposer, request: ForwardedRequest, write: LeaderWrite): boolean {
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

  // ---- ReplicatedState --------------------------------------------------------------------

  async load(snapshot: LoadedSnapshot): Promise<void> {
    const tree = new DataTree(treeOptionsOf(this.config));
    const sessions = await loadSnapshot(tree, snapshot);
    reportDigestMismatch(this.logger, "loading a snapshot", restoreSnapshotDigest(tree, snapshot));
    this.tree = tree;
    this.reads = new ReadRequests(tree, authOf(this.config));
    for (const s of [...this.sessions.all()]) this.sessions.remove(s.id);
    const now = this.clock();
    for (const [id, timeoutMs] of sessions) this.sessions.add(id, timeoutMs, now);
  }

  async serialize(): Promise<Buffer> {
    return await serializeTree(this.tree, this.sessionTable());
  }

  snapshotSource(): SnapshotSource {
    return snapshotSource(this.tree, this.sessionTable());
  }

  /** A committed txn as its bytes say; values are views of the bytes (the tree copies what it keeps). */
  private decode(entry: Entry): TxnEntry {
    const data = Buffer.from(entry.data.buffer, entry.data.byteOffset, entry.data.byteLength);
    return readTxnEntry(data, this.config.juteMaxBuffer, true);
  }

  apply(entry: Entry): void {
    this.applyTxn(entry);
    this.o.events.applied?.();
    // Each commit makes room for one more proposal.
    if (this.heldBack.length > 0) this.proposeHeldBack();
  }

  private applyTxn(entry: Entry): void {
    const { header, body, digest } = this.proposer?.takeBuilt(entry.zxid) ?? this.decode(entry);
    const result = this.tree.applyTxn(header, body);
    reportDigestMismatch(this.logger, "applying a committed txn", this.tree.checkAppliedDigest(header.zxid, digest));
    this.proposer?.applied(header.zxid);
    if (body.type === OpCode.createSession) {
      this.sessions.add(header.clientId, body.txn.timeOut, this.clock());
      this.vouched.delete(header.clientId);
      const answer = this.pendingHandshakes.get(header.clientId);
      this.pendingHandshakes.delete(header.clientId);
      answer?.(header.clientId);
      return;
    }
    const pending = this.pendingWrites.take(header.clientId, header.cxid);
    if (body.type === OpCode.closeSession) {
      this.pendingWrites.dropSession(header.clientId);
      // Every member deletes the ephemerals, and each audits it, as ZooKeeper's DataTree does.
      for (const event of this.audit === null ? [] : sessionCloseEvents(header.clientId, body, serverUser())) this.audit!.write(event);
      this.sessions.remove(header.clientId);
      this.vouched.delete(header.clientId);
      pending?.answer({ err: 0, zxid: header.zxid, body: null, closeAfter: true });
      this.o.events.sessionClosed(header.clientId, pending !== undefined);
      return;
    }
    if (pending !== undefined && pending.write !== null && this.audit !== null) {
      for (const event of auditEventsOf(pending.write, body, result, auditOrigin(header.clientId, pending.authInfo))) this.audit.write(event);
    }
    pending?.answer(replyForWrite(pending.type, body, result, header.zxid));
  }

  onSoftState(soft: SoftState): void {
    this.soft = soft;
    if (soft.role === "LEADING" && soft.serving) {
      if (this.proposer === null) {
        this.proposer = new LeaderProposer(this.tree, this.config, this.o.port, this.clock, this.logger);
        // A new leader gives every session a full timeout: it does not know when they were last heard.
        const now = this.clock();
        for (const s of this.sessions.all()) this.sessions.touch(s.id, now);
      }
    } else {
      this.proposer = null;
      // Their clients were on learners that lose this leader too, or are dropped below.
      this.heldBack.clear();
    }
    if (!soft.serving) {
      this.pendingWrites.clear();
      this.pendingHandshakes.clear();
      this.pendingSyncs.clear();
      this.touched.clear();
      this.vouched.clear();
      this.o.events.servingLost();
    }
    this.logger.log("info", "serving state", { role: soft.role, leader: soft.leader, epoch: soft.epoch, serving: soft.serving });
    this.o.events.softStateChanged?.(soft);
  }

  onSyncs(done: readonly number[], failed: readonly number[]): void {
    for (const id of done) {
      const answer = this.pendingSyncs.get(id);
      this.pendingSyncs.delete(id);
      answer?.();
    }
    // A failed sync means the leader is gone; its client is dropped with the others.
    for (const id of failed) this.pendingSyncs.delete(id);
  }
}

/**
 * The request's values are views of its payload: the txn made from it copies them, and the
 * pending changes that also hold them last only until its commit.
 */
function readWriteRequest(request: ForwardedRequest, maxBuffer: number): WriteRequest | null {
  return readWrite(request.type, new JuteReader(request.payload, 0, request.payload.length, maxBuffer, true));
}

function intBytes(value: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeInt32BE(value);
  return b;
}

export function treeOptionsOf(config: ServerConfig): DataTreeOptions {
  return { auth: authOf(config), extendedTypesEnabled: config.extendedTypesEnabled, digestEnabled: config.digestEnabled };
}

/** The tree and sessions a replica starts with: empty, or a snapshot's (bytes as a SNAP carries them). */
export async function replicaStateFrom(
  snapshot: { zxid: bigint; data: Uint8Array } | null,
  config: ServerConfig,
): Promise<{ tree: DataTree; sessions: Map<bigint, number> }> {
  if (snapshot === null) return { tree: new DataTree(treeOptionsOf(config)), sessions: new Map() };
  return await treeFromSnapshotBytes(snapshot.data, snapshot.zxid, treeOptionsOf(config), config.juteMaxBuffer);
}
