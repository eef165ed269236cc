// A grow-only set: adds, then reads of the whole set. The final read, the last ok read that
// began after every add had begun and every acknowledged add had returned, must hold every
// acknowledged add and nothing that was never added. Earlier reads are not judged, since
// ZooKeeper reads may be stale: a read during the adds that lacks one proves nothing, so a
// history whose only reads came before its last add has no final read at all.
import type { Operation } from "../history/types.js";
import type { WorkloadResult } from "./result.js";

export interface SetMembershipDetail {
  /** The read judged: the last ok read that began after the adds (undefined when none did). */
  finalRead: Operation | undefined;
  /** Acknowledged adds missing from the final read. */
  lost: unknown[];
  /** Elements read that no add ever tried. */
  unexpected: unknown[];
  /** Adds with an unknown outcome that did show up. */
  recovered: unknown[];
  acknowledged: number;
}

/** The problem a history without a final read gets: its acknowledged adds were never read back. */
export const NO_FINAL_READ = "no read succeeded after the last add: the acknowledged adds were never read back";

export function checkSetMembership(operations: readonly Operation[]): WorkloadResult<SetMembershipDetail> {
  const key = (value: unknown): string => JSON.stringify(value ?? null);
  const acknowledged = new Map<string, unknown>();
  const attempted = new Map<string, unknown>();
  for (const op of operations) {
    if (op.f !== "add" || op.status === "fail") continue;
    attempted.set(key(op.input), op.input);
    if (op.status === "ok") acknowledged.set(key(op.input), op.input);
  }
  let addsOver = -Infinity;
  for (const op of operations) {
    if (op.f !== "add" || op.status === "fail") continue;
    addsOver = Math.max(addsOver, op.call, op.status === "ok" ? op.ret : -Infinity);
  }
  let finalRead: Operation | undefined;
  for (const op of operations) {
    if (op.f === "read" && op.status === "ok" && op.call > addsOver && (!finalRead || op.call > finalRead.call)) finalRead = op;
  }
  const read = new Map<string, unknown>((Array.isArray(finalRead?.output) ? finalRead.output : []).map((v: unknown) => [key(v), v]));
  const lost = finalRead === undefined ? [] : [...acknowledged].filter(([k]) => !read.has(k)).map(([, v]) => v);
  const unexpected = [...read].filter(([k]) => !attempted.has(k)).map(([, v]) => v);
  const recovered = [...read].filter(([k]) => attempted.has(k) && !acknowledged.has(k)).map(([, v]) => v);
  const problems: string[] = [];
  if (!finalRead && acknowledged.size > 0) problems.push(NO_FINAL_READ);
  if (lost.length > 0) problems.push(`${lost.length} acknowledged adds lost: ${lost.map((v) => JSON.stringify(v)).join(" ")}`);
  if (unexpected.length > 0) problems.push(`${unexpected.length} elements never added: ${unexpected.map((v) => JSON.stringify(v)).join(" ")}`);
  return {
    checker: "set-membership",
    valid: problems.length === 0,
    problems,
    detail: { finalRead, lost, unexpected, recovered, acknowledged: acknowledged.size },
  };
}
