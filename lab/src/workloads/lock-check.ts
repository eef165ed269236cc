import { type Operation, checkMutualExclusion } from "@zkts/checker";
import type { WorkloadVerdict } from "./workload.js";

/** What a guarded write stores in the resource and returns. */
export interface GuardedWrite {
  readonly node: string;
  readonly token: string;
  readonly worker: number;
  /** The resource's version after the write: the order in which the guarded writes took effect. */
  readonly version?: number;
}

/**
 * Judges a fenced lock's history.
 *
 * Every successful guarded write set the resource at the version it had read, so the versions
 * they return are the order in which they took effect, with no timing guesswork. A hold (one
 * lock node) spans, in that order, from its first successful write to its last: two holds'
 * spans must not overlap (checkMutualExclusion over those spans: a stale holder that wrote
 * between another holder's writes is an overlap), and along that order the tokens (the lock
 * nodes' czxids) never go back. In real time too: a write never carries a token older than
 * one that was acknowledged before it was invoked.
 *
 * Figures: how many holds the clients believed they had at once (acquire to release, which
 * fencing exists to survive), and how many writes fencing refused.
 */
export function checkFencedLock(operations: readonly Operation[]): WorkloadVerdict {
  const writes = operations
    .filter((op) => op.f === "write" && op.status === "ok")
    .map((op) => ({ op, write: op.output as GuardedWrite & { version: number } }));
  const problems: string[] = [];

  const byVersion = new Map<number, Operation[]>();
  for (const { op, write } of writes) byVersion.set(write.version, [...(byVersion.get(write.version) ?? []), op]);
  for (const [version, ops] of byVersion) {
    if (ops.length > 1) problems.push(`guarded writes ${ops.map((o) => o.id).join(", ")} all set the resource to version ${version}`);
  }

  const exclusion = checkMutualExclusion(spansInVersionOrder(writes));
  for (const [a, b] of exclusion.detail.overlaps) {
    problems.push(
      `the guarded writes of lock node ${String(a.process)} (versions ${a.from}-${a.to}) and ${String(b.process)} (versions ${b.from}-${b.to}) interleave`,
    );
  }

  const ordered = [...writes].sort((a, b) => a.write.version - b.write.version);
  for (let i = 1; i < ordered.length; i++) {
    const before = ordered[i - 1]!;
    const after = ordered[i]!;
    if (BigInt(after.write.token) < BigInt(before.write.token)) {
      problems.push(
        `write ${after.op.id} (version ${after.write.version}) carries token ${after.write.token}, older than ${before.write.token} of write ${before.op.id} (version ${before.write.version})`,
      );
    }
  }
  problems.push(...tokensGoBackInRealTime(writes));

  const beliefs = checkMutualExclusion(believedHolds(operations));
  const attempts = operations.filter((op) => op.f === "write");
  return {
    valid: problems.length === 0,
    checker: "fenced lock: guarded writes of two holds never interleave, tokens never go back",
    problems,
    figures: {
      acquired: operations.filter((op) => op.f === "acquire" && op.status === "ok").length,
      guardedWrites: writes.length,
      holdsThatWrote: new Set(writes.map((w) => w.write.node)).size,
      fenced: attempts.filter((op) => op.status === "fail" && String(op.metadata?.error ?? "").startsWith("fenced")).length,
      writesUnknown: attempts.filter((op) => op.status === "unknown").length,
      overlappingBeliefs: beliefs.detail.overlaps.length,
    },
  };
}

/** Each hold as an acquire at its first write's version and a release at its last, one process per lock node. */
function spansInVersionOrder(writes: readonly { op: Operation; write: GuardedWrite & { version: number } }[]): Operation[] {
  const spans = new Map<string, { from: number; to: number }>();
  for (const { write } of writes) {
    const span = spans.get(write.node);
    spans.set(
      write.node,
      span === undefined ? { from: write.version, to: write.version } : { from: Math.min(span.from, write.version), to: Math.max(span.to, write.version) },
    );
  }
  return [...spans].flatMap(([node, span], i) => [
    synthetic(i * 2, node, "acquire", span.from, span.from),
    synthetic(i * 2 + 1, node, "release", span.to, span.to),
  ]);
}

/** What clients believed: from an acquire's return to the invocation of that node's release (or the end). */
function believedHolds(operations: readonly Operation[]): Operation[] {
  const releases = new Map<string, Operation>();
  for (const op of operations) if (op.f === "release") releases.set(String(op.input), op);
  const end = Math.max(0, ...operations.map((op) => (Number.isFinite(op.ret) ? op.ret : op.call)));
  return operations
    .filter((op) => op.f === "acquire" && op.status === "ok")
    .flatMap((op, i) => {
      const node = (op.output as { node: string }).node;
      const releaseCall = releases.get(node)?.call ?? end;
      return [synthetic(i * 2, node, "acquire", op.call, op.ret), synthetic(i * 2 + 1, node, "release", releaseCall, releaseCall)];
    });
}

function synthetic(id: number, node: string, f: string, call: number, ret: number): Operation {
  return { id, process: node, f, key: "lock", input: null, output: null, status: "ok", call, ret, invokeIndex: -1, completeIndex: -1 };
}

/** A write's token is never older than that of a write acknowledged before it was invoked. */
function tokensGoBackInRealTime(writes: readonly { op: Operation; write: GuardedWrite }[]): string[] {
  const byReturn = [...writes].sort((a, b) => a.op.ret - b.op.ret);
  const byCall = [...writes].sort((a, b) => a.op.call - b.op.call);
  const problems: string[] = [];
  let newest: { op: Operation; write: GuardedWrite } | undefined;
  let next = 0;
  for (const w of byCall) {
    while (next < byReturn.length && byReturn[next]!.op.ret < w.op.call) {
      const done = byReturn[next++]!;
      if (newest === undefined || BigInt(done.write.token) > BigInt(newest.write.token)) newest = done;
    }
    if (newest !== undefined && BigInt(w.write.token) < BigInt(newest.write.token)) {
      problems.push(
        `write ${w.op.id} carries token ${w.write.token}, older than ${newest.write.token} of write ${newest.op.id}, acknowledged before it was invoked`,
      );
    }
  }
  return problems;
}
