import {
  type ACL,
  AddWatchRequest,
  AuthPacket,
  CheckVersionRequest,
  CheckWatchesRequest,
  Create2Response,
  CreateRequest,
  CreateResponse,
  CreateTTLRequest,
  DeleteRequest,
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
  type JuteReader,
  type MultiOp,
  OpCode,
  ReconfigRequest,
  RemoveWatchesRequest,
  SetACLRequest,
  SetACLResponse,
  SetDataRequest,
  SetDataResponse,
  SetWatches,
  SetWatches2,
  SyncRequest,
  SyncResponse,
  WhoAmIResponse,
  Xid,
  errorCodeName,
  eventTypeName,
  keeperStateName,
  opCodeName,
  readMultiResponse,
  writeMultiRequest,
} from "@zkts/jute";
import { type ConnectOptions, type RawReply, RawSession, withTimeout } from "./raw-session.js";

export const OPEN_ACL: ACL[] = [{ perms: 31, id: { scheme: "world", id: "anyone" } }];

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** Decoders of each reply body, by request opcode, into plain values. */
const RESPONSE_DECODERS: Record<number, (r: JuteReader) => unknown> = {
  [OpCode.create]: (r) => CreateResponse.read(r),
  [OpCode.create2]: (r) => Create2Response.read(r),
  [OpCode.createTTL]: (r) => Create2Response.read(r),
  [OpCode.createContainer]: (r) => Create2Response.read(r),
  [OpCode.exists]: (r) => ExistsResponse.read(r),
  [OpCode.getData]: (r) => GetDataResponse.read(r),
  [OpCode.setData]: (r) => SetDataResponse.read(r),
  [OpCode.check]: (r) => SetDataResponse.read(r),
  [OpCode.getACL]: (r) => GetACLResponse.read(r),
  [OpCode.setACL]: (r) => SetACLResponse.read(r),
  [OpCode.getChildren]: (r) => GetChildrenResponse.read(r),
  [OpCode.getChildren2]: (r) => GetChildren2Response.read(r),
  [OpCode.sync]: (r) => SyncResponse.read(r),
  [OpCode.multi]: (r) => readMultiResponse(r),
  [OpCode.multiRead]: (r) => readMultiResponse(r),
  [OpCode.getEphemerals]: (r) => GetEphemeralsResponse.read(r),
  [OpCode.getAllChildrenNumber]: (r) => GetAllChildrenNumberResponse.read(r),
  [OpCode.addWatch]: (r) => ErrorResponse.read(r),
  [OpCode.whoAmI]: (r) => WhoAmIResponse.read(r),
  [OpCode.reconfig]: (r) => GetDataResponse.read(r),
};

/**
 * Opcodes whose error replies can carry a body: ZooKeeper answers a multi or multiRead that
 * fails on a null path with MARSHALLINGERROR and the results gathered so far.
 */
const ERROR_BODIES: ReadonlySet<number> = new Set([OpCode.multi, OpCode.multiRead]);

/**
 * Runs one scenario against one server and records what every session saw, normalised so
 * that the reference ZooKeeper's transcript and zkts's can be compared field by field:
 * zxids relative to the scenario's start, times as "T", session ids as session names,
 * child lists sorted (ZooKeeper returns them in hash order).
 */
export class Recorder {
  readonly transcript: Json[] = [];
  private readonly sessions = new Map<string, RawSession>();
  private readonly sessionNames = new Map<bigint, string>();
  private baseZxid = 0n;
  /** Sessions the scenario dropped without closing them. */
  private readonly orphans: { sessionId: bigint; passwd: Buffer }[] = [];

  constructor(readonly port: number) {}

  /** Marks the scenario start: zxids up to the current one are reported as "old". */
  async begin(): Promise<void> {
    const control = await RawSession.connect(this.port);
    const reply = await control.request(OpCode.exists, (w) => ExistsRequest.write(w, { path: "/", watch: false }));
    this.baseZxid = reply.zxid;
    await control.request(OpCode.closeSession, null);
    control.drop();
  }

  async open(name: string, options: ConnectOptions = {}): Promise<RawSession> {
    const session = await RawSession.connect(this.port, options);
    this.sessions.set(name, session);
    if (session.sessionId !== 0n && !this.sessionNames.has(session.sessionId)) {
      this.sessionNames.set(session.sessionId, name);
    }
    this.record({ session: name, op: "connect", timeOut: session.timeOut, sessionId: this.norm(session.sessionId, "sessionId") });
    return session;
  }

  session(name: string): RawSession {
    const s = this.sessions.get(name);
    if (s === undefined) throw new Error(`no session ${name}`);
    return s;
  }

  note(text: string): void {
    this.record({ note: text });
  }

  /** Sends a request on a session, records its events and reply, then lets others catch up. */
  async send(name: string, type: number, body: Parameters<RawSession["request"]>[1], label?: string): Promise<RawReply> {
    const s = this.session(name);
    const reply = await s.request(type, body);
    this.recordEvents(name, s);
    const decode = RESPONSE_DECODERS[type];
    const entry: Record<string, Json> = {
      session: name,
      op: label ?? opCodeName.get(type) ?? String(type),
      err: errorCodeName.get(reply.err) ?? reply.err,
      zxid: this.norm(reply.zxid, "zxid"),
    };
    if (reply.err === 0 && decode !== undefined && reply.body.remaining > 0) {
      entry.body = this.normalize(decode(reply.body)) as Json;
    } else if (ERROR_BODIES.has(type) && decode !== undefined && reply.body.remaining > 0) {
      entry.errorBody = this.normalize(decode(reply.body)) as Json;
    } else if (reply.body.remaining > 0) {
      entry.trailingBytes = reply.body.remaining;
    }
    this.record(entry);
    await this.barrier(name);
    return reply;
  }

  /** Pings every other open session so the events caused so far have reached them. */
  async barrier(except: string | null = null): Promise<void> {
    for (const [name, s] of this.sessions) {
      if (name === except || s.closed) continue;
      await s.request(OpCode.ping, null, Xid.ping);
      this.recordEvents(name, s);
    }
  }

  /** Waits (bounded) until a session has received `count` events, recording them. */
  async awaitEvents(name: string, count: number, timeoutMs = 15000): Promise<void> {
    const s = this.session(name);
    const deadline = Date.now() + timeoutMs;
    let seen = 0;
    while (seen < count && Date.now() < deadline && !s.closed) {
      await s.request(OpCode.ping, null, Xid.ping);
      seen += this.recordEvents(name, s);
      if (seen < count) await new Promise((r) => setTimeout(r, 100));
    }
    if (seen < count) this.record({ session: name, note: `only ${seen} of ${count} events arrived` });
  }

  private recordEvents(name: string, s: RawSession): number {
    const events = s.takeEvents();
    for (const e of events) {
      this.record({
        session: name,
        event: eventTypeName.get(e.type) ?? e.type,
        state: keeperStateName.get(e.state) ?? e.state,
        path: e.path,
      });
    }
    return events.length;
  }

  async close(name: string): Promise<void> {
    const s = this.session(name);
    const reply = await s.request(OpCode.closeSession, null);
    this.record({ session: name, op: "closeSession", err: errorCodeName.get(reply.err) ?? reply.err });
    await withTimeout(s.whenClosed(), 5000, "server to close the connection after closeSession");
    this.record({ session: name, note: "connection closed by server" });
    this.sessions.delete(name);
    await this.barrier();
  }

  drop(name: string): void {
    const session = this.session(name);
    if (session.sessionId !== 0n) this.orphans.push({ sessionId: session.sessionId, passwd: session.passwd });
    session.drop();
    this.sessions.delete(name);
  }

  /**
   * Closes the scenario's sessions, the dropped ones too: a dropped session would otherwise
   * expire seconds later in the middle of a later scenario, at a slightly different moment on
   * each server, and shift that scenario's zxids on one of them.
   */
  async finish(): Promise<void> {
    for (const [name, s] of this.sessions) {
      if (!s.closed) await s.request(OpCode.closeSession, null).catch(() => undefined);
      s.drop();
      this.sessions.delete(name);
    }
    for (const orphan of this.orphans.splice(0)) {
      const resumed = await RawSession.connect(this.port, { sessionId: orphan.sessionId, passwd: orphan.passwd }).catch(() => null);
      if (resumed === null) continue;
      // An expired session is answered with timeOut 0: nothing is left to close.
      if (resumed.timeOut > 0) await resumed.request(OpCode.closeSession, null).catch(() => undefined);
      resumed.drop();
    }
  }

  record(entry: Record<string, Json>): void {
    this.transcript.push(entry);
  }

  // ---- request helpers -----------------------------------------------------------------------

  create(s: string, path: string, data: Buffer | null, flags = 0, acl: ACL[] = OPEN_ACL, type: number = OpCode.create) {
    return this.send(s, type, (w) => CreateRequest.write(w, { path, data, acl, flags }));
  }
  create2(s: string, path: string, data: Buffer | null, flags = 0, acl: ACL[] = OPEN_ACL) {
    return this.create(s, path, data, flags, acl, OpCode.create2);
  }
  createContainer(s: string, path: string, data: Buffer | null) {
    return this.create(s, path, data, 4, OPEN_ACL, OpCode.createContainer);
  }
  createTTL(s: string, path: string, data: Buffer | null, flags: number, ttl: bigint) {
    return this.send(s, OpCode.createTTL, (w) => CreateTTLRequest.write(w, { path, data, acl: OPEN_ACL, flags, ttl }));
  }
  delete(s: string, path: string, version = -1) {
    return this.send(s, OpCode.delete, (w) => DeleteRequest.write(w, { path, version }));
  }
  exists(s: string, path: string, watch = false) {
    return this.send(s, OpCode.exists, (w) => ExistsRequest.write(w, { path, watch }));
  }
  getData(s: string, path: string, watch = false) {
    return this.send(s, OpCode.getData, (w) => GetDataRequest.write(w, { path, watch }));
  }
  setData(s: string, path: string, data: Buffer | null, version = -1) {
    return this.send(s, OpCode.setData, (w) => SetDataRequest.write(w, { path, data, version }));
  }
  getACL(s: string, path: string) {
    return this.send(s, OpCode.getACL, (w) => GetACLRequest.write(w, { path }));
  }
  setACL(s: string, path: string, acl: ACL[], version = -1) {
    return this.send(s, OpCode.setACL, (w) => SetACLRequest.write(w, { path, acl, version }));
  }
  getChildren(s: string, path: string, watch = false) {
    return this.send(s, OpCode.getChildren, (w) => GetChildrenRequest.write(w, { path, watch }));
  }
  getChildren2(s: string, path: string, watch = false) {
    return this.send(s, OpCode.getChildren2, (w) => GetChildren2Request.write(w, { path, watch }));
  }
  sync(s: string, path: string) {
    return this.send(s, OpCode.sync, (w) => SyncRequest.write(w, { path }));
  }
  check(s: string, path: string, version: number) {
    return this.send(s, OpCode.check, (w) => CheckVersionRequest.write(w, { path, version }));
  }
  multi(s: string, ops: MultiOp[]) {
    return this.send(s, OpCode.multi, (w) => writeMultiRequest(w, ops));
  }
  multiRead(s: string, ops: MultiOp[]) {
    return this.send(s, OpCode.multiRead, (w) => writeMultiRequest(w, ops));
  }
  checkWatches(s: string, path: string, type: number) {
    return this.send(s, OpCode.checkWatches, (w) => CheckWatchesRequest.write(w, { path, type }));
  }
  removeWatches(s: string, path: string, type: number) {
    return this.send(s, OpCode.removeWatches, (w) => RemoveWatchesRequest.write(w, { path, type }));
  }
  getEphemerals(s: string, prefixPath: string) {
    return this.send(s, OpCode.getEphemerals, (w) => GetEphemeralsRequest.write(w, { prefixPath }));
  }
  getAllChildrenNumber(s: string, path: string) {
    return this.send(s, OpCode.getAllChildrenNumber, (w) => GetAllChildrenNumberRequest.write(w, { path }));
  }
  addWatch(s: string, path: string, mode: number) {
    return this.send(s, OpCode.addWatch, (w) => AddWatchRequest.write(w, { path, mode }));
  }
  whoAmI(s: string) {
    return this.send(s, OpCode.whoAmI, null);
  }
  reconfig(s: string) {
    return this.send(s, OpCode.reconfig, (w) => ReconfigRequest.write(w, { joiningServers: null, leavingServers: "2", newMembers: null, curConfigId: -1n }));
  }
  async auth(s: string, scheme: string, credentials: string) {
    const session = this.session(s);
    const reply = await session.request(OpCode.auth, (w) => AuthPacket.write(w, { type: 0, scheme, auth: Buffer.from(credentials) }), Xid.auth);
    this.record({ session: s, op: "auth", scheme, err: errorCodeName.get(reply.err) ?? reply.err });
    return reply;
  }
  setWatches(s: string, relativeZxid: bigint, data: string[], exist: string[], child: string[]) {
    return this.send(s, OpCode.setWatches, (w) => SetWatches.write(w, { relativeZxid, dataWatches: data, existWatches: exist, childWatches: child }));
  }
  setWatches2(s: string, relativeZxid: bigint, persistent: string[], recursive: string[]) {
    return this.send(s, OpCode.setWatches2, (w) =>
      SetWatches2.write(w, {
        relativeZxid,
        dataWatches: [],
        existWatches: [],
        childWatches: [],
        persistentWatches: persistent,
        persistentRecursiveWatches: recursive,
      }),
    );
  }

  // ---- normalisation -------------------------------------------------------------------------

  private norm(value: bigint, key: string): Json {
    if (key === "ctime" || key === "mtime") return value === 0n ? 0 : "T";
    if (key === "ephemeralOwner" || key === "sessionId") {
      if (value === 0n) return 0;
      return this.sessionNames.get(value) ?? "other-session";
    }
    if (value === 0n || value === -1n) return Number(value);
    if (value > this.baseZxid) return `+${value - this.baseZxid}`;
    return "old";
  }

  private normalize(value: unknown, key = ""): unknown {
    if (typeof value === "bigint") return this.norm(value, key);
    if (Buffer.isBuffer(value)) {
      return value.length > 64 ? `<${value.length} bytes sha:${value.subarray(0, 8).toString("hex")}>` : value.toString("utf8");
    }
    if (Array.isArray(value)) {
      const items = value.map((v) => this.normalize(v, key));
      // Child lists, ephemerals and a connection's auth ids are sets in ZooKeeper, returned in
      // hash order; compare them as sets.
      if (key === "children" || key === "ephemerals") return items.sort();
      if (key === "clientInfo") return items.sort((x, y) => (JSON.stringify(x) < JSON.stringify(y) ? -1 : 1));
      return items;
    }
    if (value !== null && typeof value === "object") {
      const out: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(value)) out[k] = this.normalize(v, k);
      if (typeof out.type === "number" && key === "") out.type = opCodeName.get(out.type as number) ?? out.type;
      return out;
    }
    return value;
  }
}
