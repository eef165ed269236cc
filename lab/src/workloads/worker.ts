import { ZkError, type ZkClient, createClient } from "@zkts/client";
import type { HistoryRecorder } from "../history/recorder.js";

/** How a workload reads: see lab/README.md ("reads in three modes"). */
export type ReadMode = "plain" | "sync" | "linearizable";

/** What every worker of a run shares. */
export interface WorkerEnvironment {
  readonly history: HistoryRecorder;
  /** Every op gets this long before its outcome is recorded as unknown (info). */
  readonly opTimeoutMs: number;
  readonly sessionTimeoutMs: number;
  readonly readMode: ReadMode;
  /**
   * Switched by the schedule: while writesEnabled is false, workers only read. The lock
   * workload keeps lockHolderMember, so a scenario can fault the lock holder's link.
   */
  readonly controls: { writesEnabled: boolean; lockHolderMember?: number | null };
}

/** zkts's per-session option that has the server confirm every data read with a quorum. */
const LINEARIZABLE_READS = { scheme: "zkts", auth: "linearizable-reads" } as const;

/** Thrown out of an action to record a definite failure with a reason (`fail`). */
export class DefiniteFailure extends Error {}

/**
 * What an action is told about the operation it carries out. An action can outlive its
 * operation: when the op timeout fires, the outcome is recorded as unknown and the worker
 * moves on, while the action's requests may still be waiting for a reconnect. Anything the
 * action writes that names an operation must name `process`, never the worker's current
 * one, and once `signal` is aborted it must not start another write.
 */
export interface OperationContext {
  /** The history process the operation was invoked under. */
  readonly process: number;
  /** Aborted when the operation's outcome has been recorded. */
  readonly signal: AbortSignal;
}

/** The reason an abandoned action is stopped with. */
export class OperationAbandoned extends Error {}

/**
 * One client process of a run: a ZooKeeper session bound to one member (as Jepsen binds a
 * client to a node), issuing one operation at a time and recording each. After an unknown
 * outcome the worker takes a fresh history process, as a crashed Jepsen process is replaced.
 */
export class Worker {
  process: number;
  client: ZkClient | null = null;
  /** The znode versions this worker last saw, for compare-and-set. */
  readonly versions = new Map<string, number>();
  /** Completed operations, by outcome. */
  readonly counts = { ok: 0, fail: 0, info: 0 };

  constructor(
    readonly index: number,
    readonly member: number,
    private readonly address: string,
    readonly env: WorkerEnvironment,
    /** A reader only (a scenario's clients on members that must not take writes). */
    readonly readOnly = false,
  ) {
    this.process = env.history.newProcess();
  }

  /** Whether this worker may write now. */
  get mayWrite(): boolean {
    return !this.readOnly && this.env.controls.writesEnabled;
  }

  /**
   * The worker's session, opened on first use and reopened after it expired. A client whose
   * first connect timed out is kept and used by the next operation once it connects, so the
   * linearizable-reads option is given to the client when it is made: it then goes out ahead
   * of any request on every connection. Added after the connect instead, a connect that timed
   * out skipped it and the session's reads were plain while the checker judged them as
   * linearizable (a stale read in register seed 31).
   */
  async session(): Promise<ZkClient> {
    if (this.client !== null && !["closed", "expired", "authFailed"].includes(this.client.state)) return this.client;
    const auth = this.env.readMode === "linearizable" ? [LINEARIZABLE_READS] : [];
    const client = createClient(this.address, { sessionTimeoutMs: this.env.sessionTimeoutMs, auth });
    this.client = client;
    await withTimeout(client.ready(), this.env.opTimeoutMs, "connect");
    return client;
  }

  /**
   * Runs one operation: records the invoke, then ok with what `action` returns, fail when it
   * certainly did not happen, or info when it may have. Reads never take effect, so a read
   * whose answer is unknown is a fail (Jepsen's advice: crashed reads only widen the search).
   */
  async perform(
    f: string,
    key: string | undefined,
    value: unknown,
    readOnly: boolean,
    action: (client: ZkClient, operation: OperationContext) => Promise<unknown>,
    metadata?: Record<string, unknown>,
  ): Promise<void> {
    const history = this.env.history;
    const process = this.process;
    history.record(process, "invoke", f, key, value, metadata);
    let sent = false;
    const recorded = new AbortController();
    try {
      const client = await this.session();
      sent = true;
      const result = await withTimeout(action(client, { process, signal: recorded.signal }), this.env.opTimeoutMs, f);
      history.record(process, "ok", f, key, result, { session: client.sessionId.toString(16) });
      this.counts.ok++;
    } catch (err) {
      const unknown = sent && !readOnly && !(err instanceof DefiniteFailure) && outcomeMayBeUnknown(err);
      history.record(process, unknown ? "info" : "fail", f, key, value, { error: describe(err) });
      if (unknown) {
        this.counts.info++;
        this.process = history.newProcess();
      } else {
        this.counts.fail++;
      }
      if (isSessionGone(err)) this.dropSession();
    } finally {
      recorded.abort(new OperationAbandoned(`${f} of process ${process} already recorded`));
    }
  }

  /** Abandons the session (after expiry, or at the end); never waits on a dead link. */
  dropSession(): void {
    const client = this.client;
    this.client = null;
    if (client !== null) void client.close().catch(() => undefined);
  }
}

export class OperationTimeout extends Error {}

export function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new OperationTimeout(`${what} got no answer within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** A ZooKeeper error that says the server refused the request is definite; anything else may have happened. */
function outcomeMayBeUnknown(err: unknown): boolean {
  if (err instanceof OperationTimeout) return true;
  if (err instanceof ZkError) return err.outcomeUnknown || err.codeName === "CONNECTIONLOSS" || err.codeName === "OPERATIONTIMEOUT";
  return true;
}

function isSessionGone(err: unknown): boolean {
  return err instanceof ZkError && (err.codeName === "SESSIONEXPIRED" || err.codeName === "AUTHFAILED" || err.codeName === "SESSIONMOVED");
}

function describe(err: unknown): string {
  if (err instanceof ZkError) return err.codeName;
  if (err instanceof OperationTimeout) return "timeout";
  return err instanceof Error ? err.message : String(err);
}
