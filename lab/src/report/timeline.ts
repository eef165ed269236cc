// The per-process timeline (Jepsen's timeline.html): one row per history process, each op a bar
// from its invoke to its completion on a real time axis, coloured by outcome, with the fault
// windows shaded behind and each reconfig marked at its moment. Large histories show only a
// window of ops around a point of interest.
import type { FaultWindow } from "./fault-windows.js";
import type { ReconfigMark } from "./reconfig-marks.js";
import { esc, faultShading, linearScale, linearTicks, px, reconfigMarkers } from "./svg.js";
import { type TimedOp, latencyMs } from "./timed-ops.js";

/** The ops a timeline shows and the span of time it covers. */
export interface TimelineWindow {
  readonly ops: TimedOp[];
  readonly fromNs: number;
  readonly toNs: number;
  /** False when ops were left out to keep the page usable. */
  readonly whole: boolean;
}

/**
 * All ops when there are at most `maxOps`; otherwise the `maxOps` invoked nearest to
 * `centerNs` (the first violation, say) and every op that overlaps their span.
 */
export function timelineWindow(ops: readonly TimedOp[], centerNs: number | null, maxOps: number): TimelineWindow {
  const endOf = (t: TimedOp) => t.endNs ?? Infinity;
  if (ops.length === 0) return { ops: [], fromNs: 0, toNs: 0, whole: true };
  const lastEnd = (list: readonly TimedOp[]) => Math.max(...list.map((t) => (t.endNs === null ? t.startNs : t.endNs)));
  if (ops.length <= maxOps) {
    return { ops: [...ops], fromNs: Math.min(...ops.map((t) => t.startNs)), toNs: lastEnd(ops), whole: true };
  }
  const byStart = [...ops].sort((a, b) => a.startNs - b.startNs);
  const center =
    centerNs === null
      ? 0
      : Math.max(
          0,
          byStart.findIndex((t) => t.startNs >= centerNs),
        );
  const first = Math.min(Math.max(0, center - Math.floor(maxOps / 2)), byStart.length - maxOps);
  const chosen = byStart.slice(first, first + maxOps);
  const fromNs = chosen[0]!.startNs;
  const toNs = chosen[chosen.length - 1]!.startNs;
  const overlapping = byStart.filter((t) => t.startNs <= toNs && endOf(t) >= fromNs);
  return { ops: overlapping, fromNs, toNs: Math.max(toNs, ...chosen.map((t) => t.endNs ?? t.startNs)), whole: false };
}

const ROW_PX = 16;
/** Room above the rows for the time ticks and the fault labels below them. */
const AXIS_PX = 32;
const FAULT_TOP_PX = 16;
const LABEL_PX = 78;
const WIDTH_PX_MAX = 40_000;

/**
 * The timeline as HTML: process labels on the left, the bars in a horizontally scrolling
 * pane. The scale gives the median op about 6 px, within bounds that keep the page sane.
 */
export function timelineHtml(
  window: TimelineWindow,
  windows: readonly FaultWindow[],
  originNs: number,
  blockingOpId: number | null,
  focus: string,
  marks: readonly ReconfigMark[] = [],
): string {
  if (window.ops.length === 0) return `<p>No operations were recorded.</p>`;
  const processes = [...new Set(window.ops.map((t) => String(t.op.process)))].sort((a, b) => Number(a) - Number(b) || a.localeCompare(b));
  const row = new Map(processes.map((p, i) => [p, i]));
  const spanMs = Math.max(1, (window.toNs - window.fromNs) / 1e6);
  const latencies = window.ops
    .filter((t) => t.outcome === "ok")
    .map((t) => latencyMs(t)!)
    .sort((a, b) => a - b);
  const median = latencies[Math.floor(latencies.length / 2)] ?? 5;
  const pxPerMs = Math.min(4, Math.max(0.05, 6 / Math.max(median, 0.1)), WIDTH_PX_MAX / spanMs);
  const width = Math.ceil(spanMs * pxPerMs) + 20;
  const height = AXIS_PX + processes.length * ROW_PX + 4;
  const x = linearScale([window.fromNs, window.toNs], [4, width - 16]);

  const inView = windows.filter((w) => w.endNs >= window.fromNs && w.startNs <= window.toNs);
  const marksInView = marks.filter((m) => m.atNs >= window.fromNs && m.atNs <= window.toNs);
  const tickSeconds = linearTicks([(window.fromNs - originNs) / 1e9, (window.toNs - originNs) / 1e9], Math.max(2, Math.floor(width / 120)));
  // A tick at the very left edge would have its label cut in half.
  const ticks = tickSeconds
    .filter((s) => x(originNs + s * 1e9) >= 20)
    .map((s) => {
      const tx = px(x(originNs + s * 1e9));
      return `<line class="grid" x1="${tx}" x2="${tx}" y1="${FAULT_TOP_PX}" y2="${height}"/><text class="tick" x="${tx}" y="12" text-anchor="middle">${s} s</text>`;
    })
    .join("");
  const bars = window.ops
    .map((t) => {
      const x0 = x(t.startNs);
      const x1 = x(t.endNs ?? window.toNs);
      const y = AXIS_PX + row.get(String(t.op.process))! * ROW_PX + 2;
      const blocking = t.op.id === blockingOpId ? " blocking" : "";
      return `<rect class="bar ${t.outcome}${blocking}" x="${px(x0)}" y="${y}" width="${px(Math.max(1.5, x1 - x0))}" height="${ROW_PX - 4}"><title>${esc(describeTimedOp(t))}</title></rect>`;
    })
    .join("");
  const labels = processes.map((p, i) => `<text class="label" x="4" y="${AXIS_PX + i * ROW_PX + 13}">process ${esc(p)}</text>`).join("");
  const note = window.whole
    ? `${window.ops.length} ops, ${processes.length} processes.`
    : `${window.ops.length} ops around ${esc(focus)} (from ${secondsSince(window.fromNs, originNs)} s to ${secondsSince(window.toNs, originNs)} s); the rest are in history.jsonl.`;
  return (
    `<p class="note">${note} Hover a bar for its details.</p>` +
    `<div class="timeline-frame"><svg class="timeline-labels" width="${LABEL_PX}" height="${height}" xmlns="http://www.w3.org/2000/svg">${labels}</svg>` +
    `<div class="timeline-scroll"><svg class="timeline" width="${width}" height="${height}" xmlns="http://www.w3.org/2000/svg">` +
    `${faultShading(inView, x, FAULT_TOP_PX, height)}${ticks}${bars}${reconfigMarkers(marksInView, x, FAULT_TOP_PX, height, width)}</svg></div></div>`
  );
}

function secondsSince(timeNs: number, originNs: number): string {
  return ((timeNs - originNs) / 1e9).toFixed(2);
}

/** One op for a hover title: what was asked, what came back, how it ended and how long it took. */
export function describeTimedOp(t: TimedOp): string {
  const { op } = t;
  const key = op.key === undefined ? "" : ` ${op.key}`;
  const input = op.input === null || op.input === undefined ? "" : ` ${JSON.stringify(op.input)}`;
  const latency = latencyMs(t);
  const took = latency === null ? "never completed" : `${latency.toFixed(1)} ms`;
  const result = t.outcome === "ok" ? ` -> ${JSON.stringify(op.output)}` : "";
  const error = typeof op.metadata?.error === "string" ? ` (${op.metadata.error})` : "";
  return `op ${op.id}, process ${op.process}: ${op.f}${key}${input}${result}, ${t.outcome}${error}, ${took}`;
}
