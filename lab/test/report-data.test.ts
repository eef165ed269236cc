import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pairEvents } from "@zkts/checker";
import { afterAll, describe, expect, it } from "vitest";
import { latencyPerSecond, nearestRank, throughputPerSecond } from "../src/report/buckets.js";
import { faultWindows } from "../src/report/fault-windows.js";
import { consecutiveRuns } from "../src/report/plots.js";
import { reconfigMarks } from "../src/report/reconfig-marks.js";
import { timedOperations } from "../src/report/timed-ops.js";
import { timelineWindow } from "../src/report/timeline.js";
import { writeReport } from "../src/report/write-report.js";
import type { ScheduledAction } from "../src/run/run-options.js";
import { event, reconfigRun, staleReadRun, writeRunDirectory } from "./report-support.js";

const MS = 1e6;
const START_NS = 5_000 * MS;

describe("fault windows from a schedule", () => {
  const grudge: [number, number][] = [
    [1, 2],
    [2, 1],
  ];
  const schedule: ScheduledAction[] = [
    { atMs: 1000, action: { do: "partition", shape: "halves", grudge } },
    { atMs: 1500, action: { do: "links", shape: "one", members: [3], toxic: { type: "latency", latencyMs: 50, jitterMs: 5 } } },
    { atMs: 3000, action: { do: "heal-links" } },
    { atMs: 4000, action: { do: "kill", members: [1, 2] } },
    { atMs: 4500, action: { do: "start", members: [1] } },
    { atMs: 5000, action: { do: "pause", members: [3] } },
    { atMs: 6000, action: { do: "start", members: [2] } },
    { atMs: 6500, action: { do: "writes", enabled: false } },
    { atMs: 7000, action: { do: "resume", members: [3] } },
    { atMs: 7500, action: { do: "writes", enabled: true } },
    { atMs: 8000, action: { do: "pause", members: [1] } },
  ];
  // Given out of order: windows follow the offsets, not the listing.
  const windows = faultWindows([...schedule].reverse(), START_NS, START_NS + 9000 * MS);
  const span = (w: { startNs: number; endNs: number }) => [(w.startNs - START_NS) / MS, (w.endNs - START_NS) / MS];

  it("a partition and a link fault both end at the next heal-links", () => {
    expect(windows.filter((w) => w.kind === "partition" || w.kind === "links").map(span)).toEqual([
      [1000, 3000],
      [1500, 3000],
    ]);
    expect(windows[0]!.label).toBe("partition halves");
    expect(windows[1]!.label).toBe("latency one");
  });

  it("a kill lasts until every member it killed is started again, a pause until every member is resumed", () => {
    const kill = windows.find((w) => w.kind === "kill")!;
    expect(span(kill)).toEqual([4000, 6000]);
    expect(kill.label).toBe("kill 1,2");
    expect(kill.endedByAction).toBe(true);
    expect(windows.filter((w) => w.kind === "pause").map(span)).toEqual([
      [5000, 7000],
      [8000, 9000],
    ]);
  });

  it("a fault nothing ends lasts until the workload phase ends; writes off is a window of its own", () => {
    const open = windows.find((w) => w.kind === "pause" && !w.endedByAction)!;
    expect(open.detail).toBe("pause 1");
    expect(span(windows.find((w) => w.kind === "writes-off")!)).toEqual([6500, 7500]);
    expect(windows.map((w) => w.kind)).toEqual(["partition", "links", "kill", "pause", "writes-off", "pause"]);
  });
});

describe("reconfig marks from a schedule", () => {
  const run = reconfigRun();
  const marks = reconfigMarks([...run.schedule].reverse(), START_NS);

  it("one mark per reconfig, at its offset, saying what it changed and how it ended", () => {
    expect(marks.map((m) => [(m.atNs - START_NS) / MS, m.label])).toEqual([
      [700, "reconfig -zk3: ok"],
      [1600, "reconfig +zk2 observer: failed"],
      [2400, "reconfig +zk3: unknown"],
      [3200, "reconfig +zk3: ok"],
    ]);
    expect(marks.map((m) => m.result)).toEqual(["ok", "failed", "unknown", "ok"]);
    expect(marks[1]!.detail).toBe("reconfig zk2 to observer: +zk2 (observer): failed (BADARGUMENTS)");
  });

  it("a reconfig without a recorded outcome is marked as such; other actions make no mark and no fault window", () => {
    const [bare] = reconfigMarks([{ atMs: 10, action: { do: "reconfig", shape: "remove zk1", leaving: [1], joining: [] } }], 0);
    expect(bare).toMatchObject({ result: "none", label: "reconfig -zk1: ?", detail: "reconfig remove zk1: -zk1: no outcome recorded" });
    expect(faultWindows(run.schedule, START_NS, START_NS + 3000 * MS).map((w) => w.kind)).toEqual(["partition"]);
  });
});

describe("per-second buckets", () => {
  // Offsets in ms from the workload's start (5000 ms on the history's clock).
  const at = (ms: number) => 5000 + ms;
  const events = [
    event(0, "invoke", "read", null, at(100)),
    event(0, "ok", "read", { data: "init", version: 0 }, at(110)), // 10 ms, second 0
    event(1, "invoke", "read", null, at(200)),
    event(1, "ok", "read", { data: "init", version: 0 }, at(230)), // 30 ms, second 0
    event(2, "invoke", "write", { data: "x", version: -1 }, at(900)),
    event(2, "info", "write", { data: "x", version: -1 }, at(2900), { error: "timeout" }), // second 2
    event(0, "invoke", "read", null, at(950)),
    event(0, "fail", "read", null, at(1050), { error: "CONNECTIONLOSS" }), // second 1
    event(1, "invoke", "write", { data: "y", version: -1 }, at(3100)),
    event(1, "ok", "write", { version: 1 }, at(3300)), // 200 ms, second 3
    event(3, "invoke", "read", null, at(3400)), // never completes
  ].sort((a, b) => a.time! - b.time!);
  const ops = timedOperations(pairEvents(events));

  it("an unknown outcome ends when its info was recorded; an op with no completion stays open", () => {
    expect(ops.map((t) => t.outcome)).toEqual(["ok", "ok", "info", "fail", "ok", "open"]);
    const info = ops.find((t) => t.outcome === "info")!;
    expect((info.endNs! - info.startNs) / MS).toBe(2000);
    expect(ops.find((t) => t.outcome === "open")!.endNs).toBeNull();
  });

  it("throughput counts completions by outcome in every second from the first to the last, zeros included", () => {
    expect(throughputPerSecond(ops, START_NS)).toEqual([
      { second: 0, ok: 2, fail: 0, info: 0 },
      { second: 1, ok: 0, fail: 1, info: 0 },
      { second: 2, ok: 0, fail: 0, info: 1 },
      { second: 3, ok: 1, fail: 0, info: 0 },
    ]);
    expect(throughputPerSecond([], START_NS)).toEqual([]);
  });

  it("latency quantiles are of the ok ops completed in each second, by nearest rank", () => {
    expect(latencyPerSecond(ops, START_NS)).toEqual([
      { second: 0, count: 2, p50Ms: 10, p99Ms: 30 },
      { second: 3, count: 1, p50Ms: 200, p99Ms: 200 },
    ]);
    const hundred = Array.from({ length: 100 }, (_, i) => i + 1);
    expect([nearestRank(hundred, 0.5), nearestRank(hundred, 0.99), nearestRank(hundred, 1)]).toEqual([50, 99, 100]);
    expect(consecutiveRuns(latencyPerSecond(ops, START_NS)).map((run) => run.map((b) => b.second))).toEqual([[0], [3]]);
  });

  it("a large history's timeline is a window of ops around the point of interest", () => {
    const many = Array.from({ length: 100 }, (_, i) => [
      event(i % 4, "invoke", "read", null, i * 10),
      event(i % 4, "ok", "read", { data: "init", version: 0 }, i * 10 + 5),
    ]).flat();
    const all = timedOperations(pairEvents(many));
    expect(timelineWindow(all, null, 100).whole).toBe(true);
    const window = timelineWindow(all, 500 * MS, 20);
    expect(window.whole).toBe(false);
    expect(window.ops.map((t) => t.op.id)).toEqual(Array.from({ length: 20 }, (_, i) => 40 + i));
    // Near the end the window slides back rather than shrinking.
    expect(timelineWindow(all, 990 * MS, 20).ops.map((t) => t.op.id)[0]).toBe(80);
  });
});

describe("writeReport on a hand-made run directory", () => {
  const dir = mkdtempSync(join(tmpdir(), "zkts-lab-report-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("shows an invalid register with the op that cannot be placed, and fetches nothing", async () => {
    writeRunDirectory(dir, staleReadRun());
    const html = readFileSync(await writeReport(dir), "utf8");
    expect(html).toContain('id="verdict">invalid<');
    expect(html).toMatch(/Cannot be placed: op 1 \(process 1\) read/);
    expect(html).toContain('class="bar ok blocking"');
    expect(html).toContain('<g class="fault kill"><title>kill 2</title>');
    for (const file of ["history.jsonl", "schedule.json", "results.json", "junit.xml", "logs/zk1.log", "logs/zk3.log"])
      expect(html).toContain(`href="${file}"`);
    // Self-contained: no stylesheet, script or image from anywhere else.
    expect(html).not.toMatch(/<link|src=|url\(|@import/);
    expect(html).not.toMatch(/https?:\/\/(?!www\.w3\.org\/2000\/svg)/);
  });

  it("marks every reconfig on both plots and the timeline, and lists it with its outcome in the schedule table", async () => {
    const reconfigDir = mkdtempSync(join(tmpdir(), "zkts-lab-report-reconfig-"));
    try {
      writeRunDirectory(reconfigDir, reconfigRun());
      const html = readFileSync(await writeReport(reconfigDir), "utf8");
      expect(html).toContain('id="verdict">valid<');
      // Each outcome marked on the throughput plot, the latency plot and the timeline.
      const marked = (result: string, label: string) =>
        html
          .split(`<g class="reconfig ${result}">`)
          .slice(1)
          .filter((g) => g.includes(`>${label}</text>`)).length;
      expect(marked("ok", "reconfig -zk3: ok")).toBe(3);
      expect(marked("failed", "reconfig +zk2 observer: failed")).toBe(3);
      expect(marked("unknown", "reconfig +zk3: unknown")).toBe(3);
      // The heal's restore came after the workload phase and the last op: on the plots, whose time axis reaches it, not on the timeline.
      expect(marked("ok", "reconfig +zk3: ok")).toBe(2);
      expect(html).toContain("<title>reconfig zk2 to observer: +zk2 (observer): failed (BADARGUMENTS)</title>");
      // The schedule table: every action, the reconfigs with their outcomes.
      const table = html.substring(html.indexOf('<section id="schedule">'), html.indexOf('<section id="files">'));
      expect(table.match(/<tr class="action">/g)).toHaveLength(2);
      expect(table).toContain(
        '<tr class="reconfig ok"><td>0.7</td><td>reconfig remove zk3 (not serving): -zk3</td><td><span class="outcome ok">ok</span> voters 1,2 (version 100000012)</td></tr>',
      );
      expect(table).toContain('<tr class="reconfig failed"><td>1.6</td>');
      expect(table).toContain('<span class="outcome unknown">unknown</span> reconfig timed out after 5000 ms');
      expect(table).toContain("<td>3.2 (after the workload)</td><td>reconfig restore zk3 as participant: +zk3</td>");
      expect(table).toMatch(/Configuration at the start: <b>voters 1,2,3 \(version 100000000\)<\/b>.*restored.*Reconfigs: 2 ok, 1 failed, 1 unknown/);
      expect(html).toContain("<dt>reconfigs</dt><dd>2 ok, 1 failed, 1 unknown; configuration restored</dd>");
    } finally {
      rmSync(reconfigDir, { recursive: true, force: true });
    }
  });

  it("a run without reconfigs has no marks and says so in no legend", async () => {
    const html = readFileSync(await writeReport(dir), "utf8");
    expect(html).not.toContain('class="reconfig');
    expect(html).not.toContain("dashed lines: reconfigs");
    expect(html).toContain('<section id="schedule"><h2>Schedule</h2><table class="schedule">');
  });
});
