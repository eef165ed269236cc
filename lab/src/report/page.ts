// The report page: a header saying what ran and how it ended, then the checker's verdict, the
// plots, the timeline, the schedule that ran and links to the run's files. One file: styles inline, pictures as SVG,
// one small script for the copy button; nothing fetched.
import { REPORT_CSS } from "@zkts/checker";
import type { RunRecord } from "./run-record.js";
import { esc } from "./svg.js";

export interface PageParts {
  readonly verdict: string;
  readonly throughput: string;
  readonly latency: string;
  readonly timeline: string;
  /** The schedule table (schedule-table.ts). */
  readonly schedule: string;
}

export function reportPage(record: RunRecord, parts: PageParts): string {
  const { results } = record;
  const reconfigs = record.schedule.some((s) => s.action.do === "reconfig");
  const reconfigLegend = reconfigs
    ? `; dashed lines: reconfigs, <span class="key reconfig-ok">ok</span> <span class="key reconfig-failed">failed</span> <span class="key reconfig-unknown">unknown</span>`
    : "";
  const { options } = results;
  const title = `${options.workload} on ${options.target}, seed ${results.seed}: ${results.verdict}`;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${esc(title)}</title>
<style>${REPORT_CSS}${STYLE}</style></head>
<body>
<header>
<h1>${esc(options.workload)} on ${esc(options.target)} <span class="verdict ${esc(results.verdict)}" id="verdict">${esc(results.verdict)}</span></h1>
${facts(record)}
<p>Rerun: <button type="button" id="copy-rerun">copy</button></p>
<pre class="rerun" id="rerun">${esc(results.rerun)}</pre>
</header>
<section id="checker"><h2>Checker</h2>${parts.verdict}</section>
<section id="throughput"><h2>Throughput</h2>
<p class="legend"><span class="key ok">ok</span> <span class="key fail">fail</span> <span class="key info">info (unknown outcome)</span> completions per second; shaded: faults in force (hover for details)${reconfigLegend}</p>
${parts.throughput}</section>
<section id="latency"><h2>Latency</h2>
<p class="legend">dots: each completed op (<span class="key ok">ok</span> <span class="key fail">fail</span> <span class="key info">info</span>) at its completion;
lines: <span class="key p50">p50</span> <span class="key p99">p99</span> of the ok ops completed in each second; log scale${reconfigLegend}</p>
${parts.latency}</section>
<section id="timeline-section"><h2>Timeline</h2>
<p class="legend">one row per history process (a worker takes a new process after an unknown outcome); bars from invoke to completion:
<span class="key ok">ok</span> <span class="key fail">fail</span> <span class="key info">info</span> <span class="key open">never completed</span> <span class="key blocking">cannot be placed</span>${reconfigLegend}</p>
${parts.timeline}</section>
<section id="schedule"><h2>Schedule</h2>${parts.schedule}</section>
<section id="files"><h2>Files</h2><ul>${record.files.map((f) => `<li><a href="${esc(f)}">${esc(f)}</a></li>`).join("")}</ul></section>
<script>${COPY_SCRIPT}</script>
</body></html>
`;
}

function facts(record: RunRecord): string {
  const { results } = record;
  const { options, operations } = results;
  const rows: [string, string][] = [
    ["target", options.target],
    ["driver", options.driver],
    ["nodes", String(options.nodes)],
    ["workload", options.workload],
    ["reads", options.reads],
    ["nemesis", options.schedule !== undefined || options.nemesis.length === 0 ? `${record.schedule.length} scheduled action(s)` : options.nemesis.join(", ")],
    ["seed", String(results.seed)],
    ["duration", `${options.timeMs / 1000} s at ${options.rate} ops/s${options.clients === undefined ? "" : `, ${options.clients} clients`}`],
    ["operations", `${operations.ok} ok, ${operations.fail} fail, ${operations.info} info`],
    ["crashes", results.crashes.length === 0 ? "none" : results.crashes.join("; ")],
  ];
  const { membership } = results;
  if (membership !== undefined) {
    const { ok, failed, unknown } = membership.reconfigs;
    rows.push(["reconfigs", `${ok} ok, ${failed} failed, ${unknown} unknown; configuration ${membership.restored ? "restored" : "not restored"}`]);
  }
  return `<dl class="facts">${rows.map(([name, value]) => `<div><dt>${esc(name)}</dt><dd>${esc(value)}</dd></div>`).join("")}</dl>`;
}

// Copying needs a user's click; where the clipboard API is refused (some browsers on file://)
// the command is selected instead, ready for Ctrl+C.
const COPY_SCRIPT = `
document.getElementById("copy-rerun").addEventListener("click", function () {
  var text = document.getElementById("rerun").textContent;
  var select = function () { var r = document.createRange(); r.selectNodeContents(document.getElementById("rerun")); var s = getSelection(); s.removeAllRanges(); s.addRange(r); };
  if (navigator.clipboard) navigator.clipboard.writeText(text).catch(select); else select();
});`;

const STYLE = `
header h1{margin-bottom:.3em}
.verdict.valid{background:#2e7d32}.verdict.invalid{background:#c62828}
dl.facts{display:flex;flex-wrap:wrap;gap:.3em 1.6em;margin:.5em 0}dl.facts div{display:flex;gap:.4em}
dl.facts dt{color:#777}dl.facts dd{margin:0;font-weight:600}
pre.rerun{background:#f6f6f6;padding:.6em;white-space:pre-wrap;user-select:all}
section{margin-top:1.6em}
.note,.legend{color:#555}
.key{padding:0 .4em;border-radius:3px;color:#fff}
.key.ok{background:#2e7d32}.key.fail{background:#c62828}.key.info{background:#ef6c00}.key.open{background:#757575}
.key.blocking{background:#fff;color:#c62828;outline:2px solid #c62828}
.key.p50{background:#1565c0}.key.p99{background:#6a1b9a}
svg.plot{max-width:100%;height:auto;border:1px solid #ddd}
svg .grid{stroke:#eee}svg .tick{font:10px sans-serif;fill:#666}svg .axis-title{font:11px sans-serif;fill:#444}
.fault rect{fill:#ffcc80;opacity:.35}.fault.partition rect{fill:#ef9a9a}.fault.kill rect{fill:#b0bec5}
.fault.pause rect{fill:#ce93d8}.fault.links rect{fill:#fff59d}.fault.writes-off rect{fill:#c5e1a5}.fault.fill-disk rect{fill:#bcaaa4}
.fault text{font:10px sans-serif;fill:#444}
.reconfig line{stroke-width:1.5;stroke-dasharray:4 3}.reconfig path{stroke:none}
.reconfig text{font:10px sans-serif;paint-order:stroke;stroke:#fff;stroke-width:3px;stroke-linejoin:round}
.reconfig.ok line{stroke:#1b5e20}.reconfig.ok path,.reconfig.ok text{fill:#1b5e20}
.reconfig.failed line{stroke:#b71c1c}.reconfig.failed path,.reconfig.failed text{fill:#b71c1c}
.reconfig.unknown line{stroke:#e65100}.reconfig.unknown path,.reconfig.unknown text{fill:#e65100}
.reconfig.none line{stroke:#616161}.reconfig.none path,.reconfig.none text{fill:#616161}
.key.reconfig-ok{background:#1b5e20}.key.reconfig-failed{background:#b71c1c}.key.reconfig-unknown{background:#e65100}
table.schedule{border-collapse:collapse}table.schedule th{text-align:left;color:#555;font-weight:normal}
table.schedule td,table.schedule th{padding:.15em .8em .15em 0;vertical-align:top}
table.schedule td:first-child,table.schedule th:first-child{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
table.schedule tr.reconfig td{font-weight:600}
.outcome{padding:0 .4em;border-radius:3px;color:#fff}.outcome.ok{background:#2e7d32}.outcome.failed{background:#c62828}
.outcome.unknown{background:#ef6c00}.outcome.none{background:#757575}
polyline.series,polyline.quantile{fill:none;stroke-width:1.6}
.series.ok{stroke:#2e7d32}.series.fail{stroke:#c62828}.series.info{stroke:#ef6c00}
.quantile.p50{stroke:#1565c0}.quantile.p99{stroke:#6a1b9a}
.dot.ok{fill:#2e7d32;opacity:.45}.dot.fail{fill:#c62828;opacity:.7}.dot.info{fill:#ef6c00;opacity:.8}
.timeline-frame{display:flex;border:1px solid #ddd}
.timeline-scroll{overflow-x:auto;flex:1}
.timeline-labels .label{font:10px monospace;fill:#555}
rect.bar.ok{fill:#66bb6a}rect.bar.fail{fill:#ef5350}rect.bar.info{fill:#ffa726}rect.bar.open{fill:#9e9e9e}
rect.bar.blocking{stroke:#b71c1c;stroke-width:2;fill:#fff}
table.figures th{text-align:left;color:#555;font-weight:normal;padding-right:1em}
ul.problems{font-family:monospace}
`;
