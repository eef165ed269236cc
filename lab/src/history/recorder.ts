import { type WriteStream, createWriteStream } from "node:fs";
import type { EventType, HistoryEvent, ProcessId } from "@zkts/checker";

/**
 * Records a run's operations as Jepsen does: invoke, then ok, fail or info, each with a time
 * in nanoseconds since the run began on one monotonic clock. Each event is also appended to
 * history.jsonl as it happens, so a run that dies still leaves its history.
 */
export class HistoryRecorder {
  readonly events: HistoryEvent[] = [];
  private readonly origin = process.hrtime.bigint();
  private readonly out: WriteStream | null;
  private nextProcessId = 0;

  constructor(path: string | null) {
    this.out = path === null ? null : createWriteStream(path, { flags: "w" });
  }

  /** A fresh process: after an info a process never issues again, so its worker takes a new one. */
  newProcess(): number {
    return this.nextProcessId++;
  }

  /** Nanoseconds since the run began. */
  now(): number {
    return Number(process.hrtime.bigint() - this.origin);
  }

  record(process: ProcessId, type: EventType, f: string, key: string | undefined, value: unknown, metadata?: Record<string, unknown>): void {
    const event: HistoryEvent = { process, type, f, ...(key === undefined ? {} : { key }), value, time: this.now(), ...(metadata ? { metadata } : {}) };
    this.events.push(event);
    this.out?.write(`${JSON.stringify(event)}\n`);
  }

  async close(): Promise<void> {
    const out = this.out;
    if (out === null) return;
    await new Promise<void>((resolve) => out.end(resolve));
  }
}
