import type { HistoryEvent } from "@zkts/checker";
import { ErrorCode, GetDataRequest, GetDataResponse, JuteReader, JuteWriter, OpCode, SetDataRequest, SetDataResponse } from "@zkts/jute";
import { type ForwardedRequest, type Reply, readWrite } from "@zkts/server";
import type { SimMember } from "./member.js";

/**
 * How the simulated clients read. "linearizable": zkts's quorum-confirmed read (a sync that
 * the leader confirms with a quorum, then the read). "sync": ZooKeeper's sync, then the read;
 * not linearizable when a leader that was paused answers before it notices it was deposed.
 * "plain": ZooKeeper's ordinary read from the member's own tree, only sequentially
 * consistent. "none": writes only.
 */
export type ReadMode = "linearizable" | "sync" | "plain" | "none";

/** A request the client is waiting for. */
interface InFlight {
  readonly cxid: number;
  readonly key: string;
  readonly member: SimMember;
  readonly f: string;
}

export interface ClientWorld {
  now(): number;
  record(event: HistoryEvent): void;
  /** A fresh history process id: after an unknown outcome a process issues nothing more. */
  nextProcess(): number;
  trace(line: string): void;
}

/**
 * A simulated ZooKeeper client: one session at a time, attached to one member, one request
 * in flight. It talks to the member's Replica the way the server's connection code does
 * (touch the session, submit the write, wait for the answer) and records every write as
 * invoke/ok/fail/info for the checker. It gives up on a member after `opTimeoutMs` and moves
 * to another, keeping its session, as ZooKeeper clients do.
 */
export class SimClient {
  process: number;
  member: SimMember | null = null;
  sessionId: bigint | null = null;
  connecting = false;
  lastZxidSeen = 0n;
  private xid = 0;
  inFlight: InFlight | null = null;
  /** Writes this client saw take effect. */
  writesApplied = 0;
  private readonly knownVersion = new Map<string, number>();

  constructor(
    readonly id: number,
    private readonly world: ClientWorld,
  ) {
    this.process = world.nextProcess();
  }

  get busy(): boolean {
    return this.connecting || this.inFlight !== null;
  }

  /** Attaches to `member`: takes the session over when the member may serve it, or opens a new one. */
  connect(member: SimMember, timeoutMs: number): "attached" | "creating" | "refused" {
    if (this.sessionId !== null) {
      // A member behind what the client has seen must not serve it (it would go back in time).
      if (member.replica.tree.lastProcessedZxid < this.lastZxidSeen) return "refused";
      if (member.replica.sessionIsOpen(this.sessionId)) {
        member.replica.touchSession(this.sessionId);
        this.member = member;
        this.world.trace(`client ${this.id} moves session ${hexId(this.sessionId)} to member ${member.id}`);
        return "attached";
      }
      this.world.trace(`client ${this.id}: session ${hexId(this.sessionId)} is gone on member ${member.id}`);
      this.sessionId = null;
    }
    this.connecting = true;
    const taken = member.replica.createSession(timeoutMs, (id) => {
      if (!this.connecting) return;
      this.connecting = false;
      this.sessionId = id;
      this.member = member;
      this.lastZxidSeen = member.replica.tree.lastProcessedZxid;
      this.world.trace(`client ${this.id} opened session ${hexId(id)} on member ${member.id}`);
    });
    if (!taken) {
      this.connecting = false;
      return "refused";
    }
    this.member = member;
    return "creating";
  }

  /** The member dropped the connection (it stopped serving, crashed, or closed the session). */
  disconnected(sessionClosed: boolean): void {
    this.abandon("connection lost");
    this.member = null;
    this.connecting = false;
    if (sessionClosed) this.sessionId = null;
  }

  /**
   * The member and session a new request goes to, touched as the server touches a session on
   * each request; null when the client is busy or unattached, or when the member answers
   * SESSIONEXPIRED (then nothing was invoked and the client starts over).
   */
  private readySession(): { member: SimMember; sessionId: bigint } | null {
    const member = this.member;
    const sessionId = this.sessionId;
    if (member === null || sessionId === null || this.busy) return null;
    if (member.replica.touchSession(sessionId)) return { member, sessionId };
    this.world.trace(`client ${this.id}: session ${hexId(sessionId)} expired`);
    this.sessionId = null;
    this.member = null;
    return null;
  }

  /** Issues a setData on `key`: unconditional (version -1) or against the version it last saw. */
  setData(key: string, data: string, conditional: boolean): void {
    const session = this.readySession();
    if (session === null) return;
    const { member, sessionId } = session;
    const version = conditional ? (this.knownVersion.get(key) ?? 0) : -1;
    const cxid = ++this.xid;
    const w = new JuteWriter(64);
    SetDataRequest.write(w, { path: key, data: Buffer.from(data), version });
    const payload = w.toBuffer();
    const write = readWrite(OpCode.setData, new JuteReader(payload));
    const request: ForwardedRequest = { sessionId, cxid, type: OpCode.setData, payload, authInfo: [] };
    this.inFlight = { cxid, key, member, f: "setData" };
    this.record("invoke", key, { data, version });
    const taken = member.replica.submitWrite(request, write, (reply) => this.answered(cxid, reply));
    if (!taken) {
      // Neither proposed nor forwarded: it certainly did not happen. The server closes the connection.
      this.inFlight = null;
      this.record("fail", key, { error: "NOT_TAKEN" });
      this.member = null;
    }
  }

  /** Reads `key` the way `mode` says, recording the data and version it saw. */
  getData(key: string, mode: Exclude<ReadMode, "none">): void {
    const session = this.readySession();
    if (session === null) return;
    const { member, sessionId } = session;
    const cxid = ++this.xid;
    this.inFlight = { cxid, key, member, f: "getData" };
    this.record("invoke", key, null, "getData");
    const watcher = { sessionId, authInfo: [], notify: () => undefined };
    const read = (): void => {
      if (this.inFlight?.cxid !== cxid) return;
      const w = new JuteWriter(64);
      GetDataRequest.write(w, { path: key, watch: false });
      this.answered(cxid, member.replica.read(OpCode.getData, new JuteReader(w.toBuffer()), watcher));
    };
    if (mode === "plain") {
      read();
      return;
    }
    if (!member.replica.submitSync(read, { confirmQuorum: mode === "linearizable" })) {
      this.inFlight = null;
      this.record("fail", key, { error: "NOT_TAKEN" }, "getData");
      this.member = null;
    }
  }

  /** The request has been out for too long: its outcome is unknown, and the client moves on. */
  timedOut(cxid: number): void {
    if (this.inFlight?.cxid !== cxid) return;
    this.abandon("timeout");
    this.member = null;
  }

  private answered(cxid: number, reply: Reply): void {
    const pending = this.inFlight;
    if (pending === null || pending.cxid !== cxid) return;
    this.inFlight = null;
    if (reply.zxid > this.lastZxidSeen) this.lastZxidSeen = reply.zxid;
    if (pending.f === "getData") {
      if (reply.err !== 0) {
        this.record("fail", pending.key, { error: reply.err }, "getData");
        return;
      }
      const w = new JuteWriter(128);
      reply.body?.(w);
      const { data, stat } = GetDataResponse.read(new JuteReader(w.toBuffer()));
      this.record("ok", pending.key, { data: data === null ? null : data.toString("utf8"), version: stat.version }, "getData");
      return;
    }
    if (reply.err === ErrorCode.BADVERSION) {
      this.record("ok", pending.key, { error: "BADVERSION" });
      return;
    }
    if (reply.err !== 0) {
      this.record("fail", pending.key, { error: reply.err });
      return;
    }
    const w = new JuteWriter(128);
    reply.body?.(w);
    const { stat } = SetDataResponse.read(new JuteReader(w.toBuffer()));
    this.knownVersion.set(pending.key, stat.version);
    this.writesApplied++;
    this.record("ok", pending.key, { version: stat.version });
  }

  private abandon(why: string): void {
    const pending = this.inFlight;
    if (pending === null) return;
    this.inFlight = null;
    this.record("info", pending.key, { error: why }, pending.f);
    this.process = this.world.nextProcess();
  }

  private record(type: HistoryEvent["type"], key: string, value: unknown, f = "setData"): void {
    this.world.record({ process: this.process, type, f, key, value, time: this.world.now() * 1_000_000 });
  }
}

function hexId(id: bigint): string {
  return `0x${BigInt.asUintN(64, id).toString(16)}`;
}
