// Generates histories that are linearizable by construction: processes invoke random ops on
// keyed CAS registers, each op takes effect at one instant between its invocation and its
// completion (applied to a sequential register), and completions are recorded. Some ops end
// as info: those may take effect before the info is recorded, after it, or never, and their
// process is replaced by a fresh one, as Jepsen does. Used by property tests and benchmarks.
import type { HistoryEvent } from "../history/types.js";
import { randomInt, type Random } from "../util/random.js";

export interface SimulationOptions {
  random: Random;
  operations: number;
  processes: number;
  keys: number;
  /** Distinct values written. */
  values?: number;
  /** Chance that a completed op is reported as info instead of ok/fail. */
  unknownRate?: number;
  /** Omit keys from events (a single register). */
  singleKey?: boolean;
}

interface Running {
  process: number;
  f: "read" | "write" | "cas";
  key: string;
  input: unknown;
  applied: boolean;
  output: unknown;
  /** cas that found another value: it had no effect and completes as fail. */
  refused: boolean;
  crashed: boolean;
}

export function simulateCasRegisterHistory(options: SimulationOptions): HistoryEvent[] {
  const { random, operations, processes } = options;
  const values = options.values ?? 5;
  const unknownRate = options.unknownRate ?? 0;
  const registers = new Map<string, unknown>();
  const events: HistoryEvent[] = [];
  const idle: number[] = Array.from({ length: processes }, (_, i) => i);
  let nextProcess = processes;
  const running: Running[] = [];
  let invoked = 0;
  let time = 0;

  const keyOf = (): string => `k${randomInt(random, options.keys)}`;
  const record = (process: number, type: HistoryEvent["type"], f: string, key: string, value: unknown): void => {
    const event: HistoryEvent = { process, type, f, value, time: (time += 1 + randomInt(random, 3)) };
    if (!options.singleKey) event.key = key;
    events.push(event);
  };
  const apply = (op: Running): void => {
    const current = registers.get(op.key) ?? null;
    op.applied = true;
    if (op.f === "read") op.output = current;
    else if (op.f === "write") {
      registers.set(op.key, op.input);
      op.output = op.input;
    } else {
      const [expected, next] = op.input as [unknown, unknown];
      op.refused = current !== expected;
      if (!op.refused) registers.set(op.key, next);
      op.output = op.input;
    }
  };

  while (invoked < operations || running.some((op) => !op.crashed || !op.applied)) {
    const choice = random();
    if (choice < 0.35 && invoked < operations && idle.length > 0) {
      const process = idle.splice(randomInt(random, idle.length), 1)[0]!;
      const kind = random();
      const f = kind < 0.4 ? "read" : kind < 0.7 ? "write" : "cas";
      const input = f === "read" ? null : f === "write" ? randomInt(random, values) : [randomInt(random, values), randomInt(random, values)];
      const op: Running = { process, f, key: keyOf(), input, applied: false, output: undefined, refused: false, crashed: false };
      running.push(op);
      invoked++;
      record(process, "invoke", f, op.key, input);
      continue;
    }
    if (running.length === 0) continue;
    const index = randomInt(random, running.length);
    const op = running[index]!;
    if (!op.applied && (choice < 0.7 || op.crashed)) {
      // A crashed op may still take effect later, or never.
      if (op.crashed && random() < 0.5) running.splice(index, 1);
      else apply(op);
      if (op.crashed && op.applied) running.splice(index, 1);
      continue;
    }
    if (op.crashed) continue;
    if (random() < unknownRate) {
      op.crashed = true;
      record(op.process, "info", op.f, op.key, null);
      idle.push(nextProcess++);
      if (op.applied) running.splice(index, 1);
      continue;
    }
    if (!op.applied) continue;
    running.splice(index, 1);
    record(op.process, op.refused ? "fail" : "ok", op.f, op.key, op.output);
    idle.push(op.process);
  }
  return events;
}
