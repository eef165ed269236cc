// The lab's own history format: JSON Lines, one event per line.
//   {"process":0,"type":"invoke","f":"write","key":"/a","value":3,"time":1200}
// time is in nanoseconds; it may be a string when it exceeds 2^53, and is then rebased to the
// earliest time. Fields other than the known ones are kept as metadata.
import { HistoryError, type EventType, type HistoryEvent } from "./types.js";

const TYPES = new Set<string>(["invoke", "ok", "fail", "info"]);
const KNOWN = new Set(["process", "type", "f", "key", "value", "time", "metadata"]);

export function parseJsonLines(text: string): HistoryEvent[] {
  const events: HistoryEvent[] = [];
  const rawTimes: (number | string | undefined)[] = [];
  text.split("\n").forEach((line, index) => {
    if (line.trim() === "") return;
    let record: Record<string, unknown>;
    try {
      record = JSON.parse(line) as Record<string, unknown>;
    } catch (error) {
      throw new HistoryError(`line ${index + 1}: ${(error as Error).message}`);
    }
    events.push(toEvent(record, index + 1));
    rawTimes.push(record.time as number | string | undefined);
  });
  assignTimes(events, rawTimes);
  return events;
}

function toEvent(record: Record<string, unknown>, line: number): HistoryEvent {
  const { process, type, f, key } = record;
  if (typeof process !== "number" && typeof process !== "string") {
    throw new HistoryError(`line ${line}: process must be a number or string`);
  }
  if (typeof type !== "string" || !TYPES.has(type)) {
    throw new HistoryError(`line ${line}: type must be invoke, ok, fail or info`);
  }
  if (typeof f !== "string") throw new HistoryError(`line ${line}: f must be a string`);
  const event: HistoryEvent = { process, type: type as EventType, f, value: record.value ?? null };
  if (key !== undefined && key !== null) event.key = String(key);
  const extra = Object.entries(record).filter(([name]) => !KNOWN.has(name));
  const metadata = { ...(record.metadata as Record<string, unknown> | undefined), ...Object.fromEntries(extra) };
  if (Object.keys(metadata).length > 0) event.metadata = metadata;
  return event;
}

function assignTimes(events: HistoryEvent[], rawTimes: (number | string | undefined)[]): void {
  const needsBigInt = rawTimes.some((time) => typeof time === "string" || (typeof time === "number" && !Number.isSafeInteger(time) && Number.isInteger(time)));
  if (!needsBigInt) {
    rawTimes.forEach((time, index) => {
      if (time !== undefined) events[index]!.time = time as number;
    });
    return;
  }
  const big = rawTimes.map((time) => (time === undefined ? undefined : BigInt(time)));
  let base: bigint | undefined;
  for (const time of big) if (time !== undefined && (base === undefined || time < base)) base = time;
  big.forEach((time, index) => {
    if (time !== undefined) events[index]!.time = Number(time - base!);
  });
}

export function toJsonLines(events: HistoryEvent[]): string {
  return events.map((event) => JSON.stringify(event)).join("\n") + (events.length > 0 ? "\n" : "");
}
