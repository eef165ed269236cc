// The history vocabulary shared by importers, the search, the workload checkers and reports.

export type ProcessId = number | string;

/**
 * invoke: the process started an operation. ok: it took effect with the given value.
 * fail: it certainly did not take effect. info: unknown, it may take effect at any point
 * after its invocation or never, and the process issues nothing more.
 */
export type EventType = "invoke" | "ok" | "fail" | "info";

export interface HistoryEvent {
  process: ProcessId;
  type: EventType;
  f: string;
  /** The object the operation acts on (a znode path, a kv key); absent for a single object. */
  key?: string;
  /** On invoke: the argument. On ok: the result (a read's value). */
  value: unknown;
  /** Nanoseconds on one monotonic clock. When absent, the event's position stands in. */
  time?: number;
  metadata?: Record<string, unknown>;
}

export type OperationStatus = "ok" | "fail" | "unknown";

/** An invocation paired with its completion. */
export interface Operation {
  /** Position in the history's operation list, stable across partitioning. */
  id: number;
  process: ProcessId;
  f: string;
  key: string | undefined;
  input: unknown;
  /** The completion's value; undefined when the outcome is unknown. */
  output: unknown;
  status: OperationStatus;
  /** Invocation time. */
  call: number;
  /** Completion time; +Infinity when the outcome is unknown (an open interval). */
  ret: number;
  /** Indexes of the invoke and completion events in the event list (-1: none). */
  invokeIndex: number;
  completeIndex: number;
  metadata?: Record<string, unknown>;
}

export interface History {
  events: HistoryEvent[];
  operations: Operation[];
  /** Problems that did not stop the import, such as an invoke on a busy process. */
  warnings: string[];
}

export class HistoryError extends Error {
  override name = "HistoryError";
}
