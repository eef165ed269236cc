import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { latencyPerSecond, throughputPerSecond } from "./buckets.js";
import { faultWindows } from "./fault-windows.js";
import { reportPage } from "./page.js";
import { latencyPlot, throughputPlot, type TimeFrame } from "./plots.js";
import { reconfigMarks } from "./reconfig-marks.js";
import { scheduleSection } from "./schedule-table.js";
import { type RunRecord, readRunRecord } from "./run-record.js";
import { timedOperations } from "./timed-ops.js";
import { timelineHtml, timelineWindow } from "./timeline.js";
import { failingPartition, recheckRegister, verdictSection } from "./verdict.js";

/** Beyond this many ops the timeline shows a window of them (around the first violation, if any). */
export const TIMELINE_OPS_MAX = 3000;

/** Reads the run directory `dir` and writes its report to `dir/index.html`; returns that path. */
export async function writeReport(dir: string): Promise<string> {
  const record = await readRunRecord(dir);
  const path = join(dir, "index.html");
  await writeFile(path, renderReport(record));
  return path;
}

export function renderReport(record: RunRecord): string {
  const { results, events } = record;
  const ops = timedOperations(record.history);
  const times = events.map((e) => e.time ?? 0);
  const firstNs = times.reduce((a, b) => Math.min(a, b), Infinity);
  const lastNs = times.reduce((a, b) => Math.max(a, b), -Infinity);
  // Older results lack the workload's start: the first event is then the best guess.
  const originNs = results.workloadStartNs ?? (Number.isFinite(firstNs) ? firstNs : 0);
  const workloadEndNs = originNs + results.options.timeMs * 1e6;
  const windows = faultWindows(record.schedule, originNs, workloadEndNs);
  const marks = reconfigMarks(record.schedule, originNs);
  // The plots reach the last reconfig too (the heal's come after the workload phase).
  const frame: TimeFrame = {
    fromNs: Math.min(originNs, Number.isFinite(firstNs) ? firstNs : originNs),
    toNs: Math.max(workloadEndNs, Number.isFinite(lastNs) ? lastNs : workloadEndNs, ...marks.map((m) => m.atNs)),
    originNs,
  };
  const recheck = recheckRegister(record);
  const blocking = failingPartition(recheck)?.failure?.blocking ?? null;
  const center = blocking?.call ?? windows[0]?.startNs ?? null;
  const focus =
    blocking !== null ? `op ${blocking.id}, which cannot be placed` : windows[0] !== undefined ? `the first fault (${windows[0].label})` : "the start";
  return reportPage(record, {
    verdict: verdictSection(record, recheck),
    throughput: throughputPlot(throughputPerSecond(ops, originNs), windows, frame, marks),
    latency: latencyPlot(ops, latencyPerSecond(ops, originNs), windows, frame, marks),
    timeline: timelineHtml(timelineWindow(ops, center, TIMELINE_OPS_MAX), windows, originNs, blocking?.id ?? null, focus, marks),
    schedule: scheduleSection(record),
  });
}
