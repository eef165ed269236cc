import { DIGEST_VERSION, type DataTree, DigestForecast, Preparer, type WriteRequest, hasSyncedQuorum } from "@zkts/datatree";
import { ErrorCode, JuteReader, JuteWriter, OpCode, type TxnBody, type TxnEntry, type TxnHeader, writeTxnEntry } from "@zkts/jute";
import type { ServerConfig } from "../config.js";
import type { Logger } from "../logger.js";
import type { ForwardedRequest } from "./quorum-codec.js";
import type { QuorumPort } from "./quorum-port.js";
import { authOf } from "../auth-config.js";

/**
 * A forwarded request whose record the leader cannot read. ZooKeeper's PrepRequestProcessor
 * turns that into an error txn of MARSHALLINGERROR, which commits like any other, so the
 * member holding the client's session answers the client with that error.
 */
export const UNREADABLE_REQUEST = { type: OpCode.error, err: ErrorCode.MARSHALLINGERROR } as const;

/** What the leader proposes for a request: its write, an unreadable one's error, or null for a session txn. */
export type LeaderWrite = WriteRequest | typeof UNREADABLE_REQUEST | null;

/**
 * The established leader's half of the write path (ZooKeeper's PrepRequestProcessor on the
 * leader): turns a client request, local or forwarded, into a transaction against the tree
 * and every write still in flight, under the zxid the zab core gives it, and proposes it. One
 * exists per leadership, so change records of proposals a previous leadership never committed
 * cannot leak into this one.
 */
export class LeaderProposer {
  private readonly preparer: Preparer;
  private readonly digests: DigestForecast;
  /**
   * The transactions this leadership proposed, as built, until they are applied: the leader
   * applies each as it built it instead of decoding the bytes it encoded a moment before.
   */
  private readonly built = new Map<bigint, TxnEntry>();

  constructor(
    private readonly tree: DataTree,
    config: ServerConfig,
    private readonly port: QuorumPort,
    private readonly clock: () => number,
    private readonly logger: Logger,
  ) {
    this.digests = new DigestForecast(tree);
    this.preparer = new Preparer(tree, {
      auth: authOf(config),
      extendedTypesEnabled: config.extendedTypesEnabled,
      enforceQuota: config.enforceQuota,
      reconfigEnabled: config.reconfigEnabled,
      reconfigLeader: {
        standaloneEnabled: true,
        // ZooKeeper: the last configuration seen is not the one in force yet.
        reconfigInProgress: () => port.status().pendingMembership !== null,
        hasSyncedQuorumOf: (next) => {
          const status = port.status();
          return hasSyncedQuorum(next, [status.id, ...status.syncedFollowerIds]);
        },
      },
    });
  }

  /** The txn at `zxid` was applied: its change records are in the tree now. */
  applied(zxid: bigint): void {
    this.preparer.applied(zxid);
    this.digests.applied(zxid);
  }

  /** The transaction proposed at `zxid` as this leadership built it, once; undefined for any other. */
  takeBuilt(zxid: bigint): TxnEntry | undefined {
    const entry = this.built.get(zxid);
    if (entry !== undefined) this.built.delete(zxid);
    return entry;
  }

  /**
   * True while the core's bound on proposals in flight is reached. The caller then holds
   * requests back instead of proposing: the core would refuse them, and a refused forwarded
   * request could never be answered.
   */
  get busy(): boolean {
    return this.port.proposalsFull();
  }

  /** False when the core refused the proposal (it no longer leads). */
  propose(request: ForwardedRequest, write: LeaderWrite): boolean {
    // Only the session txns are made from the request alone.
    const isSessionTxn = request.type === OpCode.createSession || request.type === OpCode.closeSession;
    if (!isSessionTxn && write === null) return false;
    let builtZxid: bigint | null = null;
    const result = this.port.propose((zxid) => {
      builtZxid = zxid;
      return this.txnOf(request, write, zxid);
    });
    if (result.kind !== "proposed") {
      // Built and then refused (a reconfig the core will not take): it is never applied.
      if (builtZxid !== null) this.built.delete(builtZxid);
      this.logger.log("warn", "proposal refused", { result });
      return false;
    }
    return true;
  }

  /** The transaction for `request` at `zxid`, the zxid the core gives it. */
  private txnOf(request: ForwardedRequest, write: LeaderWrite, zxid: bigint): Uint8Array {
    const time = BigInt(this.clock());
    let body: TxnBody;
    if (request.type === OpCode.createSession) {
      body = { type: OpCode.createSession, txn: { timeOut: new JuteReader(request.payload).readInt() } };
    } else if (request.type === OpCode.closeSession) {
      body = this.preparer.prepareCloseSession(request.sessionId, zxid);
    } else if (write?.type === OpCode.error) {
      body = { type: OpCode.error, txn: { err: write.err } };
    } else if (write !== null) {
      body = this.preparer.prepare(write, { sessionId: request.sessionId, authInfo: request.authInfo, zxid, time });
    } else {
      throw new Error(`request of type ${request.type} proposed without its write`);
    }
    const header: TxnHeader = { clientId: request.sessionId, cxid: request.cxid, zxid, time, type: body.type };
    // Room for the request's own bytes (a setData's value, a create's data) and the header.
    const w = new JuteWriter(256 + request.payload.length);
    // The proposal carries the digest the tree will have after it (ZooKeeper's TxnDigest), which
    // each member compares with its own when it applies the txn.
    const digest = this.tree.digestEnabled ? { version: DIGEST_VERSION, treeDigest: this.digests.forecast(header, body) } : null;
    const entry = { header, body, digest };
    writeTxnEntry(w, entry);
    this.built.set(zxid, entry);
    // The writer is not used again, so its bytes need no copy.
    return w.view();
  }
}
