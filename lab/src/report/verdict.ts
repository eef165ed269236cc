// The checker's part of the report: its verdict, problems and figures as results.json has them,
// and for a register that is not linearizable the place where it stopped being so, found by
// checking the history again with the same model and operations the run's check used.
import {
  type CheckResult,
  type Operation,
  type PartitionResult,
  type ZnodeState,
  checkOperations,
  describeOp,
  failureDetailHtml,
  partitionTimelineHtml,
} from "@zkts/checker";
import { registerCheckInput } from "../workloads/register.js";
import type { RunRecord } from "./run-record.js";
import { esc } from "./svg.js";

/** Problems listed on the page; the rest are counted (results.json has them all). */
const PROBLEMS_SHOWN_MAX = 50;
/** Ops of the failing key shown on either side of the op that cannot be placed. */
const OPS_AROUND_BLOCKING = 20;
const PREFIX_TAIL = 12;

/**
 * The register check run again on the recorded history, when the run was judged invalid;
 * null for other workloads and verdicts. The search is deterministic, so it finds the
 * failure the run's check found; its budget is the run's.
 */
export function recheckRegister(record: RunRecord): CheckResult<ZnodeState> | null {
  const { options, verdict } = record.results;
  if (verdict !== "invalid" || options.workload !== "register") return null;
  const { model, operations } = registerCheckInput(record.history.operations, {
    readMode: options.reads,
    ...(options.judgeReadsLinearizably ? { judgeReadsLinearizably: true } : {}),
  });
  return checkOperations(model, operations, { timeoutMs: options.checkTimeoutMs ?? 30_000, clock: () => performance.now() });
}

/** The partition where the register stopped being linearizable, if the re-check found one. */
export function failingPartition(result: CheckResult<ZnodeState> | null): PartitionResult<ZnodeState> | undefined {
  return result?.partitions.find((p) => p.verdict === "not-linearizable" && p.failure !== undefined);
}

export function verdictSection(record: RunRecord, recheck: CheckResult<ZnodeState> | null): string {
  const { check } = record.results;
  const problems = check.problems
    .slice(0, PROBLEMS_SHOWN_MAX)
    .map((p) => `<li>${esc(p)}</li>`)
    .join("");
  const more = check.problems.length > PROBLEMS_SHOWN_MAX ? `<li>… ${check.problems.length - PROBLEMS_SHOWN_MAX} more in results.json</li>` : "";
  const figures = Object.entries(check.figures)
    .map(([name, value]) => `<tr><th>${esc(name)}</th><td>${esc(String(value))}</td></tr>`)
    .join("");
  const problemList =
    check.problems.length === 0 ? `<p>No problems found.</p>` : `<h3>Problems (${check.problems.length})</h3><ul class="problems">${problems}${more}</ul>`;
  return `<p>Checker: <b>${esc(check.checker)}</b>, verdict <span class="verdict ${record.results.verdict}">${esc(record.results.verdict)}</span></p>
${problemList}
<h3>Figures</h3><table class="figures">${figures}</table>
${failureSection(recheck)}`;
}

function failureSection(recheck: CheckResult<ZnodeState> | null): string {
  if (recheck === null) return "";
  const partition = failingPartition(recheck);
  if (partition === undefined) {
    return `<p class="note">Checking the register again found no op that cannot be placed (verdict ${esc(recheck.verdict)}): the problems above come from the other checks.</p>`;
  }
  const blocking = partition.failure!.blocking;
  const around = opsAround(partition.operations, blocking);
  const shown: PartitionResult<ZnodeState> = { ...partition, operations: around };
  return `<h3>Where the register ${esc(String(partition.key))} stops being linearizable</h3>
<p class="blocking-op">Cannot be placed: ${esc(describeOp(recheck.model, blocking))}</p>
<p class="note">The ${around.length} ops of this key nearest to it, in event order (the checker's own picture: green = in the
longest linearizable prefix, numbered in linearization order; red = the op that cannot be placed; dashed = unknown outcome).</p>
${partitionTimelineHtml(recheck.model, shown, [])}
${failureDetailHtml(recheck.model, partition, { prefixTail: PREFIX_TAIL })}`;
}

/** The ops invoked nearest before and after `blocking`, and every op still running when it was invoked. */
export function opsAround(operations: readonly Operation[], blocking: Operation): Operation[] {
  const byCall = [...operations].sort((a, b) => a.call - b.call || a.id - b.id);
  const index = byCall.indexOf(blocking);
  const near = new Set(byCall.slice(Math.max(0, index - OPS_AROUND_BLOCKING), index + OPS_AROUND_BLOCKING + 1));
  for (const op of byCall) if (op.call <= blocking.call && op.ret >= blocking.call) near.add(op);
  return byCall.filter((op) => near.has(op));
}
