// Queue order without a search: every dequeued value must have been enqueued, none dequeued
// twice, and FIFO respected: if enqueue(a) returned before enqueue(b) was invoked, then b must
// not be dequeued (returned) before the dequeue of a was invoked. When the history ends with
// the queue drained, every acknowledged enqueue must also have left it (else it was lost),
// unless the caller knows it was taken by a dequeue whose outcome is unknown.
import type { Operation } from "../history/types.js";
import { describeValue } from "../util/values.js";
import type { WorkloadResult } from "./result.js";

export interface QueueOrderDetail {
  unexpected: Operation[];
  duplicated: Operation[];
  /** Pairs [a, b]: a was enqueued first, yet b left the queue before a's dequeue began. */
  reordered: [Operation, Operation][];
  /** Acknowledged enqueues that never left the queue (checked only when it was drained). */
  lost: Operation[];
}

export interface QueueOrderOptions {
  /** The history ends with the queue drained: an acknowledged enqueue never dequeued is lost. */
  drained?: boolean;
  /** Values known to have left the queue by dequeues whose outcome is unknown (not lost). */
  takenByUnknownDequeues?: readonly unknown[];
}

interface Trip {
  enqueue: Operation;
  dequeue: Operation;
}

export function checkQueueOrder(operations: readonly Operation[], options: QueueOrderOptions = {}): WorkloadResult<QueueOrderDetail> {
  const key = (value: unknown): string => JSON.stringify(value ?? null);
  const enqueues = new Map<string, Operation>();
  for (const op of operations) if (op.f === "enqueue" && op.status !== "fail") enqueues.set(key(op.input), op);

  const unexpected: Operation[] = [];
  const duplicated: Operation[] = [];
  const trips: Trip[] = [];
  const dequeued = new Set<string>();
  for (const op of operations) {
    if (op.f !== "dequeue" || op.status !== "ok" || op.output === null || op.output === undefined) continue;
    const k = key(op.output);
    const enqueue = enqueues.get(k);
    if (!enqueue) unexpected.push(op);
    else if (dequeued.has(k)) duplicated.push(op);
    else trips.push({ enqueue, dequeue: op });
    dequeued.add(k);
  }
  const reordered = findReorderings(trips);
  const taken = new Set((options.takenByUnknownDequeues ?? []).map(key));
  const lost = options.drained
    ? operations.filter((op) => op.f === "enqueue" && op.status === "ok" && !dequeued.has(key(op.input)) && !taken.has(key(op.input)))
    : [];
  const problems = [
    ...unexpected.map((op) => `dequeue ${op.id} returned ${describeValue(op.output)}, never enqueued`),
    ...duplicated.map((op) => `dequeue ${op.id} returned ${describeValue(op.output)} a second time`),
    ...reordered.map(([a, b]) => `${describeValue(a.input)} was enqueued before ${describeValue(b.input)} but dequeued after it`),
    ...lost.map((op) => `${describeValue(op.input)} was enqueued (op ${op.id}) and never left the queue`),
  ];
  return { checker: "queue-order", valid: problems.length === 0, problems, detail: { unexpected, duplicated, reordered, lost } };
}

/**
 * O(n log n): visit values by enqueue invocation; the candidates a that certainly precede b
 * are those whose enqueue returned before b's enqueue call. Among them, the one whose dequeue
 * began latest is the only one that needs comparing with b's dequeue return.
 */
function findReorderings(trips: Trip[]): [Operation, Operation][] {
  const byReturn = [...trips].sort((x, y) => x.enqueue.ret - y.enqueue.ret);
  const byCall = [...trips].sort((x, y) => x.enqueue.call - y.enqueue.call);
  const found: [Operation, Operation][] = [];
  let latest: Trip | undefined;
  let next = 0;
  for (const b of byCall) {
    while (next < byReturn.length && byReturn[next]!.enqueue.ret < b.enqueue.call) {
      const a = byReturn[next++]!;
      if (!latest || a.dequeue.call > latest.dequeue.call) latest = a;
    }
    if (latest && b.dequeue.ret < latest.dequeue.call) found.push([latest.enqueue, b.enqueue]);
  }
  return found;
}
