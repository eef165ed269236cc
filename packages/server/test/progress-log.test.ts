import { describe, expect, it } from "vitest";
import type { LogLevel, Logger } from "../src/logger.js";
import { fromTotals, ProgressLog } from "../src/persistence/progress-log.js";

interface Line {
  level: LogLevel;
  message: string;
  fields: Record<string, unknown>;
}

function recordingLogger(): { logger: Logger; lines: Line[] } {
  const lines: Line[] = [];
  return { lines, logger: { log: (level, message, fields = {}) => lines.push({ level, message, fields }) } };
}

describe("ProgressLog", () => {
  it("logs a line each interval with counts, percent and rates, and a closing line", () => {
    const { logger, lines } = recordingLogger();
    let now = 1000;
    const progress = new ProgressLog({
      logger,
      task: "loading snapshot",
      unit: "znodes",
      total: 400,
      fields: { snapshot: "s" },
      intervalMs: 1000,
      now: () => now,
    });
    for (let i = 0; i < 400; i++) {
      now += 10; // 100 znodes a second, each of 10 KiB
      progress.add(1, 10 * 1024);
    }
    progress.finish();
    const inProgress = lines.filter((l) => l.message === "loading snapshot: in progress");
    expect(inProgress.map((l) => l.fields.znodes)).toEqual([100, 200, 300, 400]);
    expect(inProgress[0]!.fields).toEqual({
      snapshot: "s",
      znodes: 100,
      znodesTotal: 400,
      percent: 25,
      znodesPerSec: 100,
      mb: 0.98,
      mbPerSec: 0.98,
      elapsedMs: 1000,
    });
    expect(lines.at(-1)).toEqual({
      level: "info",
      message: "loading snapshot: done",
      fields: { snapshot: "s", znodes: 400, znodesTotal: 400, percent: 100, znodesPerSec: 100, mb: 3.91, mbPerSec: 0.98, elapsedMs: 4000 },
    });
  });

  it("stays quiet within one interval, and turns running totals into increments", () => {
    const { logger, lines } = recordingLogger();
    let now = 0;
    const progress = new ProgressLog({ logger, task: "writing snapshot", unit: "znodes", total: null, intervalMs: 5000, now: () => now });
    const report = fromTotals(progress);
    report({ nodes: 256, bytes: 1000 });
    now = 4999;
    report({ nodes: 512, bytes: 2000 });
    expect(lines).toEqual([]);
    now = 5000;
    report({ nodes: 768, bytes: 3000 });
    expect(lines).toHaveLength(1);
    expect(lines[0]!.fields).toMatchObject({ znodes: 768, elapsedMs: 5000 });
    expect(lines[0]!.fields).not.toHaveProperty("percent");
  });
});
