// Turns a flat event list into operations: each invoke is matched with the next completion
// of the same process.
import { HistoryError, type History, type HistoryEvent, type Operation, type ProcessId } from "./types.js";

export function pairEvents(events: HistoryEvent[]): History {
  const timed = events.filter((event) => event.time !== undefined).length;
  if (timed !== 0 && timed !== events.length) {
    throw new HistoryError(`${timed} of ${events.length} events have a time; give all or none`);
  }
  const timeOf = (index: number): number => (timed === 0 ? index : (events[index]!.time as number));

  const operations: Operation[] = [];
  const warnings: string[] = [];
  const pending = new Map<ProcessId, Operation>();
  const crashed = new Set<ProcessId>();

  events.forEach((event, index) => {
    if (event.type === "invoke") {
      const open = pending.get(event.process);
      if (open) {
        // The process moved on without a completion: treat the earlier op as crashed,
        // which claims nothing about whether it took effect.
        warnings.push(`event ${index}: process ${event.process} invoked while op ${open.id} was pending`);
      }
      if (crashed.has(event.process)) {
        warnings.push(`event ${index}: process ${event.process} invoked after an info completion`);
      }
      const operation: Operation = {
        id: operations.length,
        process: event.process,
        f: event.f,
        key: event.key,
        input: event.value,
        output: undefined,
        status: "unknown",
        call: timeOf(index),
        ret: Infinity,
        invokeIndex: index,
        completeIndex: -1,
      };
      if (event.metadata) operation.metadata = event.metadata;
      operations.push(operation);
      pending.set(event.process, operation);
      return;
    }
    const operation = pending.get(event.process);
    if (!operation) {
      throw new HistoryError(`event ${index}: ${event.type} from process ${event.process} with no pending invoke`);
    }
    pending.delete(event.process);
    operation.completeIndex = index;
    if (event.f !== operation.f) {
      warnings.push(`event ${index}: completion f ${event.f} differs from invoke f ${operation.f}`);
    }
    if (event.metadata) operation.metadata = { ...operation.metadata, ...event.metadata };
    if (event.type === "info") {
      crashed.add(event.process);
      return;
    }
    operation.status = event.type;
    operation.output = event.value;
    operation.ret = timeOf(index);
    if (operation.ret < operation.call) {
      throw new HistoryError(`event ${index}: completion time precedes its invocation`);
    }
  });
  return { events, operations, warnings };
}
