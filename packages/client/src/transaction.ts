import { CreateMode, ErrorCode, Ids, OpCode, type ACL, type MultiOp, type MultiResult, type Stat } from "@zkts/jute";
import { ZkError } from "./errors.js";
import { validatePath, type Chroot } from "./paths.js";
import { isSequential, isTtl, type CreateOptions } from "./types.js";

export type OpResult = { type: "create"; path: string; stat: Stat | null } | { type: "delete" } | { type: "setData"; stat: Stat } | { type: "check" };

export type MultiReadOp = { type: "getData"; path: string } | { type: "getChildren"; path: string };
export type MultiReadResult = { data: Buffer; stat: Stat } | { children: string[] } | ZkError;

/** Collects write operations for one atomic multi; `commit()` sends them. */
export class Transaction {
  private readonly ops: MultiOp[] = [];

  constructor(
    private readonly chroot: Chroot,
    private readonly send: (ops: readonly MultiOp[]) => Promise<OpResult[]>,
  ) {}

  create(path: string, data: Buffer | string | null = null, options: CreateOptions = {}): this {
    const mode = options.mode ?? "PERSISTENT";
    validatePath(path, isSequential(mode));
    const request = {
      path: this.chroot.toServer(path),
      data: typeof data === "string" ? Buffer.from(data) : data,
      acl: (options.acl ?? Ids.OPEN_ACL_UNSAFE) as ACL[],
      flags: CreateMode[mode],
    };
    if (isTtl(mode)) {
      if (options.ttlMs === undefined) throw new ZkError(ErrorCode.BADARGUMENTS, { path, detail: `${mode} needs ttlMs` });
      this.ops.push({ type: OpCode.createTTL, request: { ...request, ttl: BigInt(options.ttlMs) } });
    } else {
      this.ops.push({ type: mode === "CONTAINER" ? OpCode.createContainer : OpCode.create2, request });
    }
    return this;
  }

  delete(path: string, version = -1): this {
    validatePath(path);
    this.ops.push({ type: OpCode.delete, request: { path: this.chroot.toServer(path), version } });
    return this;
  }

  setData(path: string, data: Buffer | string | null, version = -1): this {
    validatePath(path);
    const bytes = typeof data === "string" ? Buffer.from(data) : data;
    this.ops.push({ type: OpCode.setData, request: { path: this.chroot.toServer(path), data: bytes, version } });
    return this;
  }

  check(path: string, version: number): this {
    validatePath(path);
    this.ops.push({ type: OpCode.check, request: { path: this.chroot.toServer(path), version } });
    return this;
  }

  get size(): number {
    return this.ops.length;
  }

  commit(): Promise<OpResult[]> {
    return this.send(this.ops);
  }
}

/**
 * Turns a MultiResponse into results. A failed multi comes back with a zero reply code and an
 * error result per op; the first code other than 0 and RUNTIMEINCONSISTENCY is the cause.
 */
export function readResults(results: MultiResult[], chroot: Chroot, ops: readonly MultiOp[]): OpResult[] {
  const failedIndex = results.findIndex((r) => r.type === OpCode.error && r.err !== 0 && r.err !== ErrorCode.RUNTIMEINCONSISTENCY);
  const anyError = results.some((r) => r.type === OpCode.error);
  if (failedIndex >= 0 || anyError) {
    const index = failedIndex >= 0 ? failedIndex : results.findIndex((r) => r.type === OpCode.error);
    const failed = results[index]!;
    const code = failed.type === OpCode.error ? failed.err : ErrorCode.RUNTIMEINCONSISTENCY;
    const op = ops[index];
    const path = op === undefined || op.request.path === null ? undefined : chroot.toClient(op.request.path);
    throw new ZkError(code, {
      path,
      detail: `multi op ${index} failed; no op was applied`,
      failedOpIndex: index,
      opCodes: results.map((r) => (r.type === OpCode.error ? r.err : 0)),
    });
  }
  return results.map((r): OpResult => {
    switch (r.type) {
      case OpCode.create:
        return { type: "create", path: chroot.toClient(r.path), stat: null };
      case OpCode.create2:
        return { type: "create", path: chroot.toClient(r.path), stat: r.stat };
      case OpCode.delete:
        return { type: "delete" };
      case OpCode.setData:
        return { type: "setData", stat: r.stat };
      case OpCode.check:
        return { type: "check" };
      default:
        throw new ZkError(ErrorCode.MARSHALLINGERROR, { detail: `unexpected multi result type ${r.type}` });
    }
  });
}
