// Small drawing helpers shared by the report's plots and timeline: scales, ticks and the
// shading of fault windows. Numbers are rounded so the page stays small.
import { escapeHtml } from "@zkts/checker";
import type { FaultWindow } from "./fault-windows.js";
import type { ReconfigMark } from "./reconfig-marks.js";

export type Scale = (value: number) => number;

export function linearScale(domain: readonly [number, number], range: readonly [number, number]): Scale {
  const [d0, d1] = domain;
  const [r0, r1] = range;
  const span = d1 - d0 || 1;
  return (value) => r0 + ((value - d0) / span) * (r1 - r0);
}

/** A log10 scale; values at or below the domain's lower end are drawn at it. */
export function logScale(domain: readonly [number, number], range: readonly [number, number]): Scale {
  const inner = linearScale([Math.log10(domain[0]), Math.log10(domain[1])], range);
  return (value) => inner(Math.log10(Math.max(value, domain[0])));
}

/** Round numbers (1, 2 or 5 times a power of ten) spaced so about `count` fit in the domain. */
export function linearTicks(domain: readonly [number, number], count: number): number[] {
  const [d0, d1] = domain;
  if (!(d1 > d0)) return [d0];
  const rough = (d1 - d0) / Math.max(1, count);
  const power = 10 ** Math.floor(Math.log10(rough));
  const step = [1, 2, 5, 10].map((m) => m * power).find((s) => s >= rough) ?? 10 * power;
  const ticks: number[] = [];
  for (let t = Math.ceil(d0 / step) * step; t <= d1 + step * 1e-9; t += step) ticks.push(Number(t.toFixed(9)));
  return ticks;
}

/** The powers of ten from `low` to `high`, both powers of ten. */
export function decadeTicks(low: number, high: number): number[] {
  const ticks: number[] = [];
  for (let e = Math.round(Math.log10(low)); e <= Math.round(Math.log10(high)); e++) ticks.push(10 ** e);
  return ticks;
}

export function px(value: number): string {
  return String(Math.round(value * 10) / 10);
}

export function esc(text: string): string {
  return escapeHtml(text);
}

/**
 * Shaded rectangles for the fault windows across a plot's height, each with its label at the
 * top (in lanes, so overlapping windows do not write over each other) and its full
 * description as a hover title.
 */
export function faultShading(windows: readonly FaultWindow[], x: Scale, top: number, bottom: number): string {
  const laneEnds: number[] = [];
  return windows
    .map((w) => {
      const x0 = x(w.startNs);
      const x1 = Math.max(x(w.endNs), x0 + 2);
      let lane = laneEnds.findIndex((end) => end <= x0);
      if (lane === -1) lane = laneEnds.length;
      // A label needs room past the window's own end too, so its lane stays taken until the text ends.
      laneEnds[lane] = Math.max(x1, x0 + 7 * w.label.length + 6);
      const until = w.endedByAction ? "" : " (until the final heal)";
      return (
        `<g class="fault ${w.kind}"><title>${esc(`${w.detail}${until}`)}</title>` +
        `<rect x="${px(x0)}" y="${px(top)}" width="${px(x1 - x0)}" height="${px(bottom - top)}"/>` +
        `<text x="${px(x0 + 3)}" y="${px(top + 11 + lane * 12)}">${esc(w.label)}</text></g>`
      );
    })
    .join("");
}

/**
 * A marker for each reconfig: a dashed line across the plot at the moment it was sent, a flag
 * at the top, and its label (what it changed and how it ended) at the bottom, in lanes rising
 * from there so close marks do not write over each other, and to the left of the line when
 * there is no room before `right`; hover for the action in full and its outcome. Coloured by
 * outcome (ok, failed, unknown, none recorded).
 */
export function reconfigMarkers(marks: readonly ReconfigMark[], x: Scale, top: number, bottom: number, right: number): string {
  const laneEnds: number[] = [];
  return marks
    .map((m) => {
      const at = x(m.atNs);
      const textPx = 6 * m.label.length;
      const leftward = at + 3 + textPx > right;
      const start = leftward ? at - 3 - textPx : at;
      let lane = laneEnds.findIndex((end) => end <= start);
      if (lane === -1) lane = laneEnds.length;
      laneEnds[lane] = leftward ? at + 8 : at + textPx + 8;
      const text = leftward ? `x="${px(at - 3)}" text-anchor="end"` : `x="${px(at + 3)}"`;
      return (
        `<g class="reconfig ${m.result}"><title>${esc(m.detail)}</title>` +
        `<line x1="${px(at)}" x2="${px(at)}" y1="${px(top)}" y2="${px(bottom)}"/>` +
        `<path d="M${px(at - 4)} ${px(top)}h8l-4 6z"/>` +
        `<text ${text} y="${px(bottom - 4 - lane * 12)}">${esc(m.label)}</text></g>`
      );
    })
    .join("");
}
