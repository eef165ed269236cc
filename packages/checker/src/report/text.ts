// A short plain-text account of a check, for terminals and CI logs.
import type { Operation } from "../history/types.js";
import type { CheckResult, PartitionResult } from "../search/check.js";
import type { Model } from "../models/model.js";

export const VERDICT_TEXT = {
  linearizable: "linearizable",
  "not-linearizable": "NOT linearizable",
  unknown: "unknown",
} as const;

export function describeOp<S>(model: Model<S>, op: Operation): string {
  const end = op.ret === Infinity ? "∞" : String(op.ret);
  return `op ${op.id} (process ${op.process}) ${model.describeOperation(op)} [${op.call}, ${end}]`;
}

export function partitionLabel(key: string | undefined): string {
  return key === undefined ? "(single object)" : `key ${JSON.stringify(key)}`;
}

export function textSummary<S>(result: CheckResult<S>): string {
  const lines: string[] = [];
  const why = result.reason ? ` (${result.reason === "timeout" ? "time limit reached" : "memory limit reached"})` : "";
  lines.push(`verdict: ${VERDICT_TEXT[result.verdict]}${why}`);
  const checked = result.partitions.reduce((sum, p) => sum + p.operations.length, 0);
  const failed = result.dropped.filter((op) => op.status === "fail").length;
  lines.push(
    `model ${result.model.name}: ${checked} ops in ${result.partitions.length} partition(s); ` +
      `left out ${failed} failed op(s) and ${result.dropped.length - failed} read(s) with unknown result`,
  );
  for (const partition of result.partitions) {
    if (partition.verdict === "not-linearizable" || partition.verdict === "unknown") {
      lines.push(...partitionLines(result.model, partition));
    }
  }
  const skipped = result.partitions.filter((p) => p.verdict === "skipped").length;
  if (skipped > 0) lines.push(`${skipped} partition(s) not checked after the verdict was reached`);
  return lines.join("\n") + "\n";
}

function partitionLines<S>(model: Model<S>, partition: PartitionResult<S>): string[] {
  const lines = [`${partitionLabel(partition.key)}: ${partition.verdict} (${partition.operations.length} ops)`];
  const failure = partition.failure;
  if (partition.verdict === "not-linearizable" && failure) {
    lines.push(`  longest linearizable prefix: ${failure.prefix.length} op(s)`);
    const tail = failure.prefix.slice(-3);
    if (failure.prefix.length > tail.length) lines.push("    …");
    tail.forEach((op, i) => {
      const state = failure.states[failure.prefix.length - tail.length + i]!;
      lines.push(`    ${describeOp(model, op)}  ⇒ ${model.describeState(state)}`);
    });
    lines.push(`  cannot place: ${describeOp(model, failure.blocking)}`);
    lines.push(`  model state there: ${model.describeState(failure.stateAtFailure)}`);
  }
  if (partition.stats) {
    lines.push(`  search: ${partition.stats.steps} steps, ${partition.stats.configurations} configurations cached`);
  }
  return lines;
}
