/**
 * Shared fixtures: a harness that drives a DataTree and a Preparer the way the server does
 * (prepare with a fresh zxid, later apply, then retire the change records), request builders,
 * a recording watcher and the ACL lists the tests use.
 */
import { type ACL, CreateMode, type Id, type MultiOp, OpCode, type TxnBody, type TxnHeader } from "@zkts/jute";
import { DataTree, type PrepConfig, Preparer, type TxnResult, type WatchedEvent, type Watcher, type WriteRequest, digestOf } from "../src/index.js";

export const OPEN_ACL: ACL[] = [{ perms: 31, id: { scheme: "world", id: "anyone" } }];
export const ALICE_PASSWORD = "alice:secret";
export const ALICE_DIGEST = digestOf(ALICE_PASSWORD);
export const ALICE_IDS: Id[] = [{ scheme: "digest", id: ALICE_DIGEST }];
export const ALICE_ONLY_ACL: ACL[] = [{ perms: 31, id: { scheme: "digest", id: ALICE_DIGEST } }];
export const CREATOR_ALL_ACL: ACL[] = [{ perms: 31, id: { scheme: "auth", id: "" } }];

export const S1 = 0x1001n;
export const S2 = 0x1002n;

export function buf(text: string | null): Buffer | null {
  return text === null ? null : Buffer.from(text, "utf8");
}

export interface CreateOptions {
  data?: string | null;
  acl?: ACL[];
  mode?: number;
  ttl?: bigint;
}

/** A create write with the opcode a client would use for the mode. */
export function createOp(path: string, options: CreateOptions = {}): WriteRequest & MultiOp {
  const mode = options.mode ?? CreateMode.PERSISTENT;
  const data = buf(options.data === undefined ? "" : options.data);
  const acl = options.acl ?? OPEN_ACL;
  if (mode === CreateMode.PERSISTENT_WITH_TTL || mode === CreateMode.PERSISTENT_SEQUENTIAL_WITH_TTL) {
    return { type: OpCode.createTTL, request: { path, data, acl, flags: mode, ttl: options.ttl ?? 1000n } };
  }
  if (mode === CreateMode.CONTAINER) return { type: OpCode.createContainer, request: { path, data, acl, flags: mode } };
  return { type: OpCode.create2, request: { path, data, acl, flags: mode } };
}

export function deleteOp(path: string, version = -1): WriteRequest & MultiOp {
  return { type: OpCode.delete, request: { path, version } };
}

export function setDataOp(path: string, data: string | null, version = -1): WriteRequest & MultiOp {
  return { type: OpCode.setData, request: { path, data: buf(data), version } };
}

export function checkOp(path: string, version: number): WriteRequest & MultiOp {
  return { type: OpCode.check, request: { path, version } };
}

export function setAclOp(path: string, acl: ACL[], version = -1): WriteRequest {
  return { type: OpCode.setACL, request: { path, acl, version } };
}

export function multiOp(...ops: MultiOp[]): WriteRequest {
  return { type: OpCode.multi, ops };
}

export interface Prepared {
  header: TxnHeader;
  body: TxnBody;
}

export interface Outcome {
  body: TxnBody;
  result: TxnResult;
  /** The code the client would see: the prep failure, or the apply result. */
  err: number;
}

export interface SessionInfo {
  sessionId: bigint;
  authInfo: readonly Id[];
}

export const ANON_S1: SessionInfo = { sessionId: S1, authInfo: [] };

export const DEFAULT_PREP_CONFIG: PrepConfig = {
  auth: {},
  extendedTypesEnabled: true,
  enforceQuota: false,
  reconfigEnabled: false,
};

/**
 * The server's write path without I/O: `prepare` hands out increasing zxids and keeps the
 * transaction pending; `apply` applies pending transactions in order and retires their
 * change records, as the server's txn pipeline does after persisting a batch.
 */
export class Harness {
  readonly tree: DataTree;
  readonly preparer: Preparer;
  private zxid = 0n;
  private readonly pending: Prepared[] = [];
  /** Every transaction applied so far, in order, for replay into a second tree. */
  readonly log: Prepared[] = [];

  constructor(config: Partial<PrepConfig> = {}) {
    const full = { ...DEFAULT_PREP_CONFIG, ...config };
    this.tree = new DataTree({ auth: full.auth, extendedTypesEnabled: full.extendedTypesEnabled });
    this.preparer = new Preparer(this.tree, full);
  }

  get lastZxid(): bigint {
    return this.zxid;
  }

  prepare(write: WriteRequest, session: SessionInfo = ANON_S1): Prepared {
    const zxid = ++this.zxid;
    const time = zxid * 1000n;
    const body = this.preparer.prepare(write, { sessionId: session.sessionId, authInfo: session.authInfo, zxid, time });
    // The header carries the body's type, as the server's pipeline writes it (an error txn for a
    // failed write), so the log can be decoded.
    const prepared = { header: { clientId: session.sessionId, cxid: Number(zxid), zxid, time, type: body.type }, body };
    this.pending.push(prepared);
    return prepared;
  }

  prepareClose(sessionId: bigint): Prepared {
    const zxid = ++this.zxid;
    const time = zxid * 1000n;
    const body = this.preparer.prepareCloseSession(sessionId, zxid);
    const prepared = { header: { clientId: sessionId, cxid: 0, zxid, time, type: OpCode.closeSession }, body };
    this.pending.push(prepared);
    return prepared;
  }

  /** Applies the oldest pending transaction. */
  applyNext(): Outcome {
    const next = this.pending.shift();
    if (next === undefined) throw new Error("nothing pending");
    const result = this.tree.applyTxn(next.header, next.body);
    this.preparer.applied(next.header.zxid);
    this.log.push(next);
    return { body: next.body, result, err: next.body.type === OpCode.error ? next.body.txn.err : result.err };
  }

  applyAll(): Outcome[] {
    const out: Outcome[] = [];
    while (this.pending.length > 0) out.push(this.applyNext());
    return out;
  }

  get pendingCount(): number {
    return this.pending.length;
  }

  /** Prepares and applies one write with nothing else in flight. */
  run(write: WriteRequest, session: SessionInfo = ANON_S1): Outcome {
    if (this.pending.length > 0) throw new Error("run() needs an empty pipeline");
    this.prepare(write, session);
    return this.applyNext();
  }

  /** Runs a write that must succeed and returns its result. */
  ok(write: WriteRequest, session: SessionInfo = ANON_S1): TxnResult {
    const outcome = this.run(write, session);
    if (outcome.err !== 0) throw new Error(`expected success, got ${outcome.err} for ${JSON.stringify(write, replacer)}`);
    return outcome.result;
  }

  close(sessionId: bigint): Outcome {
    this.prepareClose(sessionId);
    return this.applyNext();
  }
}

function replacer(_key: string, value: unknown): unknown {
  return typeof value === "bigint" ? `${value}n` : value;
}

/** A watcher that records what it is sent. */
export class RecordingWatcher implements Watcher {
  readonly events: WatchedEvent[] = [];
  constructor(
    readonly sessionId: bigint = S1,
    readonly authInfo: readonly Id[] = [],
  ) {}

  notify(event: WatchedEvent): void {
    this.events.push(event);
  }

  /** Events as "Type path" strings, then forgets them. */
  take(): string[] {
    const out = this.events.map((e) => `${EVENT_NAMES[e.type] ?? e.type} ${e.path}`);
    this.events.length = 0;
    return out;
  }
}

const EVENT_NAMES: Record<number, string> = {
  1: "NodeCreated",
  2: "NodeDeleted",
  3: "NodeDataChanged",
  4: "NodeChildrenChanged",
};

/**
 * Seeds for the randomized tests: DATATREE_TEST_SEED reruns a failure exactly; otherwise a
 * fresh seed is drawn and printed.
 */
export function testSeed(label: string): number {
  const fromEnv = process.env.DATATREE_TEST_SEED;
  const seed = fromEnv !== undefined && fromEnv !== "" ? Number(fromEnv) >>> 0 : (Date.now() ^ (process.pid << 10)) >>> 0;
  console.log(`[${label}] seed=${seed} (rerun with DATATREE_TEST_SEED=${seed})`);
  return seed;
}
