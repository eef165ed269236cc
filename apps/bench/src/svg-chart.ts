/**
 * A line chart as standalone SVG text: axes with ticks and labels, one polyline with point
 * markers per series, a legend. Plain text, no fonts or scripts to fetch, so a report's chart
 * opens anywhere and diffs as text. Pure: the same chart gives the same bytes.
 */
export interface ChartSeries {
  name: string;
  points: { x: number; y: number }[];
}

export interface LineChart {
  title: string;
  xLabel: string;
  yLabel: string;
  series: ChartSeries[];
  /** Where the x axis has its ticks; by default every x of the first series. */
  xTicks?: number[];
}

const WIDTH = 760;
const HEIGHT = 460;
const PLOT = { left: 90, right: 560, top: 60, bottom: 380 };
/** Distinct under the common colour-blindness kinds, one per series in turn. */
const COLOURS = ["#1f77b4", "#d62728", "#2ca02c", "#9467bd"];
const MARKERS = ["circle", "square"] as const;

export function lineChartSvg(chart: LineChart): string {
  const allPoints = chart.series.flatMap((s) => s.points);
  const xs = allPoints.map((p) => p.x);
  const xMin = Math.min(...xs, 0);
  const xMax = Math.max(...xs, xMin + 1);
  const yTicks = niceTicks(Math.max(...allPoints.map((p) => p.y), 1));
  const yMax = yTicks[yTicks.length - 1]!;
  const px = (x: number) => PLOT.left + ((x - xMin) / (xMax - xMin)) * (PLOT.right - PLOT.left);
  const py = (y: number) => PLOT.bottom - (Math.max(0, y) / yMax) * (PLOT.bottom - PLOT.top);
  const out: string[] = [
    `<?xml version="1.0" encoding="UTF-8"?>`,
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${HEIGHT}" viewBox="0 0 ${WIDTH} ${HEIGHT}" font-family="sans-serif" font-size="13">`,
    `<title>${escapeXml(chart.title)}</title>`,
    `<rect x="0" y="0" width="${WIDTH}" height="${HEIGHT}" fill="white"/>`,
    `<text x="${WIDTH / 2}" y="30" text-anchor="middle" font-size="16" font-weight="bold">${escapeXml(chart.title)}</text>`,
  ];
  // Grid and ticks first, so the series are drawn over them.
  for (const tick of yTicks) {
    const y = fmt(py(tick));
    out.push(`<line x1="${PLOT.left}" y1="${y}" x2="${PLOT.right}" y2="${y}" stroke="#dddddd"/>`);
    out.push(`<text x="${PLOT.left - 8}" y="${y}" text-anchor="end" dominant-baseline="middle">${formatTick(tick)}</text>`);
  }
  for (const tick of chart.xTicks ?? chart.series[0]?.points.map((p) => p.x) ?? []) {
    const x = fmt(px(tick));
    out.push(`<line x1="${x}" y1="${PLOT.bottom}" x2="${x}" y2="${PLOT.bottom + 5}" stroke="black"/>`);
    out.push(`<text x="${x}" y="${PLOT.bottom + 20}" text-anchor="middle">${formatTick(tick)}</text>`);
  }
  out.push(`<line x1="${PLOT.left}" y1="${PLOT.bottom}" x2="${PLOT.right}" y2="${PLOT.bottom}" stroke="black"/>`);
  out.push(`<line x1="${PLOT.left}" y1="${PLOT.top}" x2="${PLOT.left}" y2="${PLOT.bottom}" stroke="black"/>`);
  out.push(`<text x="${(PLOT.left + PLOT.right) / 2}" y="${PLOT.bottom + 48}" text-anchor="middle">${escapeXml(chart.xLabel)}</text>`);
  const yLabelY = (PLOT.top + PLOT.bottom) / 2;
  out.push(`<text x="24" y="${yLabelY}" text-anchor="middle" transform="rotate(-90 24 ${yLabelY})">${escapeXml(chart.yLabel)}</text>`);
  for (const [i, series] of chart.series.entries()) {
    const colour = COLOURS[i % COLOURS.length]!;
    const name = escapeXml(series.name);
    const path = series.points.map((p) => `${fmt(px(p.x))},${fmt(py(p.y))}`).join(" ");
    out.push(`<g data-series="${name}" fill="${colour}" stroke="${colour}">`);
    out.push(`<polyline points="${path}" fill="none" stroke-width="2"/>`);
    for (const p of series.points) {
      out.push(marker(MARKERS[i % MARKERS.length]!, px(p.x), py(p.y), "point", `${series.name}: ${formatTick(p.y)} at ${formatTick(p.x)}`));
    }
    out.push(`</g>`);
    // The legend, right of the plot, one row per series with its line and marker.
    const ly = PLOT.top + 10 + i * 24;
    out.push(`<g fill="${colour}" stroke="${colour}">`);
    out.push(`<line x1="${PLOT.right + 20}" y1="${ly}" x2="${PLOT.right + 50}" y2="${ly}" stroke-width="2"/>`);
    out.push(marker(MARKERS[i % MARKERS.length]!, PLOT.right + 35, ly, "legend", series.name));
    out.push(`</g>`);
    out.push(`<text x="${PLOT.right + 58}" y="${ly}" dominant-baseline="middle">${name}</text>`);
  }
  out.push(`</svg>`);
  return `${out.join("\n")}\n`;
}

function marker(kind: (typeof MARKERS)[number], x: number, y: number, role: "point" | "legend", label: string): string {
  const title = `<title>${escapeXml(label)}</title>`;
  if (kind === "circle") return `<circle class="${role}" cx="${fmt(x)}" cy="${fmt(y)}" r="4">${title}</circle>`;
  return `<rect class="${role}" x="${fmt(x - 4)}" y="${fmt(y - 4)}" width="8" height="8">${title}</rect>`;
}

/** Round tick values (1, 2 or 5 times a power of ten apart) from 0 to at least `max`, about+1 at most. */
export function niceTicks(max: number, about = 5): number[] {
  const power = 10 ** Math.floor(Math.log10(max / about));
  const step = [1, 2, 5, 10].map((m) => m * power).find((s) => Math.ceil(max / s) <= about + 1) ?? 10 * power;
  const ticks: number[] = [];
  for (let i = 0; ticks.length === 0 || ticks[ticks.length - 1]! < max; i++) ticks.push(Number((i * step).toPrecision(12)));
  return ticks;
}

function formatTick(value: number): string {
  if (Math.abs(value) >= 10_000) return `${Number((value / 1000).toPrecision(4))}k`;
  return String(Number(value.toPrecision(4)));
}

function fmt(value: number): string {
  return String(Math.round(value * 10) / 10);
}

function escapeXml(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
}
