// Throughput and latency over the run, Jepsen's rate and latency plots: time in seconds from
// the start of the workload phase, fault windows shaded behind the data, reconfigs marked over it.
import type { LatencyBucket, ThroughputBucket } from "./buckets.js";
import type { FaultWindow } from "./fault-windows.js";
import type { ReconfigMark } from "./reconfig-marks.js";
import { type Scale, decadeTicks, faultShading, linearScale, linearTicks, logScale, px, reconfigMarkers } from "./svg.js";
import { type TimedOp, latencyMs } from "./timed-ops.js";

const WIDTH = 960;
const HEIGHT = 260;
const MARGIN = { left: 56, right: 12, top: 6, bottom: 30 };

/** The time span every plot of a report shares, on the history's clock. */
export interface TimeFrame {
  readonly fromNs: number;
  readonly toNs: number;
  /** Where second 0 is: the start of the workload phase. */
  readonly originNs: number;
}

interface Plot {
  readonly x: Scale;
  readonly top: number;
  readonly bottom: number;
}

function plotOf(frame: TimeFrame): Plot {
  return { x: linearScale([frame.fromNs, frame.toNs], [MARGIN.left, WIDTH - MARGIN.right]), top: MARGIN.top, bottom: HEIGHT - MARGIN.bottom };
}

function timeAxis(frame: TimeFrame, plot: Plot): string {
  const seconds = linearTicks([(frame.fromNs - frame.originNs) / 1e9, (frame.toNs - frame.originNs) / 1e9], 12);
  const ticks = seconds
    .map((s) => {
      const x = px(plot.x(frame.originNs + s * 1e9));
      return `<line class="grid" x1="${x}" x2="${x}" y1="${plot.top}" y2="${plot.bottom}"/><text class="tick" x="${x}" y="${plot.bottom + 14}" text-anchor="middle">${s}</text>`;
    })
    .join("");
  return `${ticks}<text class="axis-title" x="${WIDTH - MARGIN.right}" y="${HEIGHT - 2}" text-anchor="end">seconds since the workload began</text>`;
}

function valueAxis(ticks: readonly number[], y: Scale, format: (v: number) => string, title: string): string {
  const lines = ticks
    .map(
      (v) =>
        `<line class="grid" x1="${MARGIN.left}" x2="${WIDTH - MARGIN.right}" y1="${px(y(v))}" y2="${px(y(v))}"/><text class="tick" x="${MARGIN.left - 4}" y="${px(y(v) + 4)}" text-anchor="end">${format(v)}</text>`,
    )
    .join("");
  return `${lines}<text class="axis-title" transform="translate(12 ${HEIGHT / 2}) rotate(-90)" text-anchor="middle">${title}</text>`;
}

function svg(kind: string, body: string): string {
  return `<svg class="plot ${kind}" viewBox="0 0 ${WIDTH} ${HEIGHT}" width="${WIDTH}" height="${HEIGHT}" xmlns="http://www.w3.org/2000/svg">${body}</svg>`;
}

/** The reconfigs sent within the frame, drawn over the data. */
function marksIn(marks: readonly ReconfigMark[], frame: TimeFrame, plot: Plot): string {
  return reconfigMarkers(
    marks.filter((m) => m.atNs >= frame.fromNs && m.atNs <= frame.toNs),
    plot.x,
    plot.top,
    plot.bottom,
    WIDTH - MARGIN.right,
  );
}

/** Ops completed per second, one line per outcome. */
export function throughputPlot(
  buckets: readonly ThroughputBucket[],
  windows: readonly FaultWindow[],
  frame: TimeFrame,
  marks: readonly ReconfigMark[] = [],
): string {
  const plot = plotOf(frame);
  const peak = Math.max(1, ...buckets.map((b) => Math.max(b.ok, b.fail, b.info)));
  const y = linearScale([0, peak * 1.1], [plot.bottom, plot.top + 26]);
  // Each second's count is drawn at the middle of its second.
  const line = (outcome: "ok" | "fail" | "info") =>
    `<polyline class="series ${outcome}" points="${buckets.map((b) => `${px(plot.x(frame.originNs + (b.second + 0.5) * 1e9))},${px(y(b[outcome]))}`).join(" ")}"/>`;
  const body =
    faultShading(windows, plot.x, plot.top, plot.bottom) +
    valueAxis(linearTicks([0, peak * 1.1], 5), y, String, "ops/s") +
    timeAxis(frame, plot) +
    line("ok") +
    line("fail") +
    line("info") +
    marksIn(marks, frame, plot);
  return svg("throughput", body);
}

/**
 * Every completed op as a dot at its completion time and latency (log scale), coloured by
 * outcome, with the per-second p50 and p99 of the ok ops as lines.
 */
export function latencyPlot(
  ops: readonly TimedOp[],
  quantiles: readonly LatencyBucket[],
  windows: readonly FaultWindow[],
  frame: TimeFrame,
  marks: readonly ReconfigMark[] = [],
): string {
  const plot = plotOf(frame);
  const latencies = ops.map(latencyMs).filter((ms): ms is number => ms !== null);
  const low =
    10 **
    Math.floor(
      Math.log10(
        Math.max(
          0.01,
          latencies.reduce((a, b) => Math.min(a, b), 1),
        ),
      ),
    );
  const high = 10 ** Math.ceil(Math.log10(latencies.reduce((a, b) => Math.max(a, b), 10)));
  const y = logScale([low, high], [plot.bottom, plot.top + 26]);
  const dots = ops
    .filter((t) => t.endNs !== null)
    .map((t) => `<circle class="dot ${t.outcome}" cx="${px(plot.x(t.endNs!))}" cy="${px(y(latencyMs(t)!))}" r="1.6"/>`)
    .join("");
  // A second without an ok op breaks the line: drawing across it would invent latencies.
  const quantileLine = (name: "p50Ms" | "p99Ms") =>
    consecutiveRuns(quantiles)
      .map(
        (run) =>
          `<polyline class="quantile ${name === "p50Ms" ? "p50" : "p99"}" points="${run.map((q) => `${px(plot.x(frame.originNs + (q.second + 0.5) * 1e9))},${px(y(q[name]))}`).join(" ")}"/>`,
      )
      .join("");
  const format = (ms: number) => (ms >= 1000 ? `${ms / 1000} s` : `${ms} ms`);
  const body =
    faultShading(windows, plot.x, plot.top, plot.bottom) +
    valueAxis(decadeTicks(low, high), y, format, "latency") +
    timeAxis(frame, plot) +
    dots +
    quantileLine("p50Ms") +
    quantileLine("p99Ms") +
    marksIn(marks, frame, plot);
  return svg("latency", body);
}

/** Buckets split where a second is missing. */
export function consecutiveRuns<T extends { readonly second: number }>(buckets: readonly T[]): T[][] {
  const runs: T[][] = [];
  for (const bucket of buckets) {
    const run = runs[runs.length - 1];
    if (run !== undefined && run[run.length - 1]!.second === bucket.second - 1) run.push(bucket);
    else runs.push([bucket]);
  }
  return runs;
}
