// Builds operations by hand for model and workload tests.
import type { Operation, OperationStatus, ProcessId } from "../../src/index.js";

let nextId = 0;

export function op(
  f: string,
  input: unknown,
  output: unknown,
  call: number,
  ret: number,
  extra: { process?: ProcessId; key?: string; status?: OperationStatus } = {},
): Operation {
  const status = extra.status ?? "ok";
  return {
    id: nextId++,
    process: extra.process ?? 0,
    f,
    key: extra.key,
    input,
    output: status === "unknown" ? undefined : output,
    status,
    call,
    ret: status === "unknown" ? Infinity : ret,
    invokeIndex: -1,
    completeIndex: -1,
  };
}
