// A self-contained HTML page for one checked history: for every partition (key) a timeline
// with one row per process, and on a failure the longest linearizable prefix in order, the op
// that cannot be placed and the model state at that point. No scripts or external files.
import type { Operation } from "../history/types.js";
import type { Model } from "../models/model.js";
import type { CheckResult, PartitionResult } from "../search/check.js";
import { describeOp, partitionLabel, textSummary, VERDICT_TEXT } from "./text.js";

export interface HtmlOptions {
  title?: string;
  /** Timelines of partitions larger than this are left out to keep the page small. */
  maxOpsPerTimeline?: number;
}

const ROW_PX = 22;
const COLUMN_PX = 18;
const LABEL_PX = 90;

export function htmlReport<S>(result: CheckResult<S>, options: HtmlOptions = {}): string {
  const title = options.title ?? "linearizability check";
  const maxOps = options.maxOpsPerTimeline ?? 2000;
  // Failing and unknown partitions first: they are what a reader came for.
  const rank = { "not-linearizable": 0, unknown: 1, linearizable: 2, skipped: 3 } as const;
  const partitions = [...result.partitions].sort((a, b) => rank[a.verdict] - rank[b.verdict]);
  const dropped = new Map<string | undefined, Operation[]>();
  for (const op of result.dropped) dropped.set(op.key, [...(dropped.get(op.key) ?? []), op]);
  const single = result.partitions.length === 1 && result.partitions[0]!.key === undefined;
  const droppedOf = (p: PartitionResult<S>): Operation[] => (single ? result.dropped : (dropped.get(p.key) ?? []));
  const sections = partitions.map((p) => partitionSection(result.model, p, droppedOf(p), maxOps)).join("\n");
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(title)}</title>
<style>${REPORT_CSS}</style></head>
<body>
<h1>${escapeHtml(title)} <span class="verdict ${result.verdict}">${VERDICT_TEXT[result.verdict]}</span></h1>
<pre class="summary">${escapeHtml(textSummary(result))}</pre>
<p class="legend"><span class="op ok">ok</span> <span class="op unknown">unknown outcome</span>
<span class="op prefix">in the longest linearizable prefix (number = position)</span>
<span class="op blocking">cannot be placed</span>
<span class="op dropped">left out (failed, or a read with unknown result)</span>. Hover an op for details. Time runs left to right
in event order; the scale is the order of events, not their durations.</p>
${sections}
</body></html>
`;
}

function partitionSection<S>(model: Model<S>, partition: PartitionResult<S>, dropped: Operation[], maxOps: number): string {
  const heading = `<h2>${escapeHtml(partitionLabel(partition.key))} <span class="verdict ${partition.verdict}">${partition.verdict}</span> <small>${partition.operations.length} ops</small></h2>`;
  const timeline =
    partition.operations.length <= maxOps ? partitionTimelineHtml(model, partition, dropped) : `<p>timeline left out: ${partition.operations.length} ops</p>`;
  return `<section>${heading}${timeline}${failureDetailHtml(model, partition)}</section>`;
}

/**
 * One partition's timeline in event order, one row per process, with the longest linearizable
 * prefix numbered and the op that cannot be placed marked. Pages that show only the ops
 * around a failure pass a partition whose `operations` hold just those.
 */
export function partitionTimelineHtml<S>(model: Model<S>, partition: PartitionResult<S>, dropped: Operation[]): string {
  const ops = [...partition.operations, ...dropped];
  const left = new Set(dropped);
  // Columns are distinct finite times, so the picture shows order and overlap clearly.
  const times = [...new Set(ops.flatMap((op) => (op.ret === Infinity ? [op.call] : [op.call, op.ret])))].sort((a, b) => a - b);
  const column = new Map(times.map((time, i) => [time, i]));
  const processes = [...new Set(ops.map((op) => String(op.process)))].sort((a, b) => Number(a) - Number(b) || a.localeCompare(b));
  const row = new Map(processes.map((p, i) => [p, i]));
  const position = new Map<Operation, number>();
  partition.failure?.prefix.forEach((op, i) => position.set(op, i + 1));
  const blocking = partition.failure?.blocking;
  const width = LABEL_PX + (times.length + 2) * COLUMN_PX;
  const height = processes.length * ROW_PX + 4;

  const labels = processes.map((p, i) => `<text x="4" y="${i * ROW_PX + 15}" class="label">process ${escapeHtml(p)}</text>`).join("");
  const bars = ops
    .map((op) => {
      const x = LABEL_PX + column.get(op.call)! * COLUMN_PX;
      const end = op.ret === Infinity ? width - 4 : LABEL_PX + column.get(op.ret)! * COLUMN_PX + COLUMN_PX - 2;
      const y = row.get(String(op.process))! * ROW_PX + 2;
      const order = position.get(op);
      const kind = op === blocking ? "blocking" : order !== undefined ? "prefix" : left.has(op) ? "dropped" : op.status === "unknown" ? "unknown" : "ok";
      const text = order !== undefined ? `${order}: ${model.describeOperation(op)}` : model.describeOperation(op);
      return (
        `<g class="op ${kind}"><title>${escapeHtml(describeOp(model, op))}</title>` +
        `<rect x="${x}" y="${y}" width="${Math.max(4, end - x)}" height="${ROW_PX - 4}" rx="3"/>` +
        `<text x="${x + 3}" y="${y + 13}">${escapeHtml(clip(text, Math.floor((end - x) / 6)))}</text></g>`
      );
    })
    .join("");
  return `<div class="timeline"><svg width="${width}" height="${height}" xmlns="http://www.w3.org/2000/svg">${labels}${bars}</svg></div>`;
}

export interface FailureDetailOptions {
  /** List only the last this many ops of the prefix (those just before the op that cannot be placed). */
  prefixTail?: number;
}

/** The longest linearizable prefix with the model state after each op, and the op that cannot be placed. */
export function failureDetailHtml<S>(model: Model<S>, partition: PartitionResult<S>, options: FailureDetailOptions = {}): string {
  const failure = partition.failure;
  if (partition.verdict !== "not-linearizable" || !failure) return "";
  const shown = Math.min(failure.prefix.length, options.prefixTail ?? failure.prefix.length);
  const first = failure.prefix.length - shown;
  const initial =
    first === 0
      ? `<li class="initial">initial state ⇒ <code>${escapeHtml(model.describeState(model.init()))}</code></li>`
      : `<li class="initial">… ${first} earlier op(s)</li>`;
  const steps = failure.prefix
    .slice(first)
    .map((op, i) => `<li>${escapeHtml(describeOp(model, op))} ⇒ <code>${escapeHtml(model.describeState(failure.states[first + i]!))}</code></li>`)
    .join("");
  return `<h3>Longest linearizable prefix (${failure.prefix.length} ops)</h3><ol start="${first}">${initial}${steps}</ol>
<h3>Cannot be placed</h3><p class="blocking-op">${escapeHtml(describeOp(model, failure.blocking))}</p>
<p>Model state there: <code>${escapeHtml(model.describeState(failure.stateAtFailure))}</code>. No order of the
remaining concurrent ops lets this op take effect before it returned.</p>`;
}

function clip(text: string, max: number): string {
  if (max <= 1) return "";
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

/** Text made safe for HTML content and attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** The page's style sheet; pages that embed the fragments above include it. */
export const REPORT_CSS = `
body{font:14px/1.4 system-ui,sans-serif;margin:1.5em;color:#222}
h1 small,h2 small{color:#777;font-weight:normal}
.verdict{font-size:.8em;padding:.1em .5em;border-radius:.3em;color:#fff;background:#777}
.verdict.linearizable{background:#2e7d32}.verdict.not-linearizable{background:#c62828}.verdict.unknown{background:#ef6c00}
pre.summary{background:#f6f6f6;padding:.8em;overflow:auto}
.timeline{overflow-x:auto;border:1px solid #ddd;margin:.5em 0}
svg text{font:11px monospace}svg .label{fill:#555}
.op rect{fill:#90caf9;stroke:#1e88e5}.op.unknown rect{fill:#fff3e0;stroke:#ef6c00;stroke-dasharray:4 2}
.op.prefix rect{fill:#a5d6a7;stroke:#2e7d32}.op.dropped rect{fill:#eee;stroke:#aaa}.op.dropped text{fill:#888}.op.blocking rect{fill:#ef9a9a;stroke:#c62828;stroke-width:2}
span.op{padding:0 .4em;border:1px solid;border-radius:3px}
span.op.ok{background:#90caf9}span.op.unknown{background:#fff3e0;border-style:dashed}
span.op.prefix{background:#a5d6a7}span.op.dropped{background:#eee;color:#888}span.op.blocking{background:#ef9a9a}
ol li.initial{list-style:none;color:#555}.blocking-op{font-weight:bold;color:#c62828}
`;
