import type { History, Operation } from "@zkts/checker";

/** How an operation ended, as the history recorded it; "open" when it never completed. */
export type Outcome = "ok" | "fail" | "info" | "open";

/** An operation with the times of its invoke and completion on the history's clock. */
export interface TimedOp {
  readonly op: Operation;
  readonly startNs: number;
  /** null for an open op: no completion was recorded. */
  readonly endNs: number | null;
  readonly outcome: Outcome;
}

/**
 * The operations of a history with real completion times. The checker gives an op of unknown
 * outcome an endless interval, which is right for the search; a picture wants the time its
 * info completion was recorded (the client gave up then).
 */
export function timedOperations(history: History): TimedOp[] {
  return history.operations.map((op) => {
    const completion = op.completeIndex >= 0 ? history.events[op.completeIndex] : undefined;
    const endNs = completion?.time ?? null;
    const outcome: Outcome = completion === undefined ? "open" : op.status === "unknown" ? "info" : op.status;
    return { op, startNs: op.call, endNs, outcome };
  });
}

/** Milliseconds from invoke to completion; null for an open op. */
export function latencyMs(timed: TimedOp): number | null {
  return timed.endNs === null ? null : (timed.endNs - timed.startNs) / 1e6;
}
