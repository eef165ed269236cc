import type { Logger } from "../logger.js";

export const PROGRESS_INTERVAL_MS_DEFAULT = 5000;

export interface ProgressLogOptions {
  logger: Logger;
  /** What is being done, as the log lines name it: "loading snapshot", "replaying the log". */
  task: string;
  /** What is counted: "znodes", "txns". */
  unit: string;
  /** The count expected at the end, when known. */
  total: number | null;
  /** Fields repeated on every line (the file, the zxid). */
  fields?: Record<string, unknown>;
  intervalMs?: number;
  now?: () => number;
}

const MB = 1024 * 1024;

/**
 * Progress of long storage work (recovery, snapshot writing) as log lines every `intervalMs`:
 * how many items and bytes so far, of how many, at what rate. Work that ends within one
 * interval logs only its closing line, so small data directories stay quiet.
 */
export class ProgressLog {
  private readonly now: () => number;
  private readonly intervalMs: number;
  private readonly started: number;
  private lastLine: number;
  private items = 0;
  private bytes = 0;

  constructor(private readonly options: ProgressLogOptions) {
    this.now = options.now ?? (() => performance.now());
    this.intervalMs = options.intervalMs ?? PROGRESS_INTERVAL_MS_DEFAULT;
    this.started = this.now();
    this.lastLine = this.started;
  }

  /** Counts `items` more items of `bytes` in all; logs a line when an interval has passed. */
  add(items: number, bytes: number): void {
    this.items += items;
    this.bytes += bytes;
    const now = this.now();
    if (now - this.lastLine < this.intervalMs) return;
    this.lastLine = now;
    this.options.logger.log("info", `${this.options.task}: in progress`, this.figures(now));
  }

  /** The closing line: totals and average rates. */
  finish(extra: Record<string, unknown> = {}): void {
    this.options.logger.log("info", `${this.options.task}: done`, { ...this.figures(this.now()), ...extra });
  }

  private figures(now: number): Record<string, unknown> {
    const seconds = Math.max(now - this.started, 1) / 1000;
    const { unit, total } = this.options;
    return {
      ...this.options.fields,
      [unit]: this.items,
      ...(total !== null ? { [`${unit}Total`]: total, percent: total === 0 ? 100 : Math.round((this.items / total) * 1000) / 10 } : {}),
      [`${unit}PerSec`]: Math.round(this.items / seconds),
      mb: round2(this.bytes / MB),
      mbPerSec: round2(this.bytes / MB / seconds),
      elapsedMs: Math.round(now - this.started),
    };
  }
}

function round2(value: number): number {
  return Math.round(value * 100) / 100;
}

/** Turns running totals (what writeSnapshot reports) into the increments a ProgressLog counts. */
export function fromTotals(progress: ProgressLog): (totals: { nodes: number; bytes: number }) => void {
  let last = { nodes: 0, bytes: 0 };
  return (totals) => {
    progress.add(totals.nodes - last.nodes, totals.bytes - last.bytes);
    last = totals;
  };
}
