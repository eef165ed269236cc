// The schedule that ran, as a table: every action at its offset, and for each reconfig how it
// ended (ok with the configuration it made, failed or unknown with the error), with the
// configuration at the start and at the end when the run changed the membership.
import { describeAction } from "../nemesis/faults.js";
import type { RunRecord } from "./run-record.js";
import { esc } from "./svg.js";

export function scheduleSection(record: RunRecord): string {
  const { membership } = record.results;
  const summary =
    membership === undefined
      ? ""
      : `<p class="membership" id="membership">Configuration at the start: <b>${esc(membership.original)}</b>; at the final reads: <b>${esc(membership.final ?? "not told by any member")}</b>, ` +
        `${membership.restored ? `<span class="outcome ok">restored</span>` : `<span class="outcome failed">not restored</span>`}. ` +
        `Reconfigs: ${membership.reconfigs.ok} ok, ${membership.reconfigs.failed} failed, ${membership.reconfigs.unknown} unknown.</p>`;
  if (record.schedule.length === 0) return `${summary}<p>No actions: the nemesis did nothing in this run.</p>`;
  const byOffset = [...record.schedule].sort((a, b) => a.atMs - b.atMs);
  const timeMs = record.results.options.timeMs;
  const rows = byOffset
    .map((entry) => {
      const at = `${(entry.atMs / 1000).toFixed(1)}${entry.atMs > timeMs ? " (after the workload)" : ""}`;
      if (entry.action.do !== "reconfig") return `<tr class="action"><td>${at}</td><td>${esc(describeAction(entry.action))}</td><td></td></tr>`;
      const result = entry.outcome?.result ?? "none";
      const outcome =
        entry.outcome === undefined
          ? `<span class="outcome none">none recorded</span>`
          : `<span class="outcome ${esc(entry.outcome.result)}">${esc(entry.outcome.result)}</span> ${esc(entry.outcome.detail)}`;
      return `<tr class="reconfig ${result}"><td>${at}</td><td>${esc(describeAction(entry.action))}</td><td>${outcome}</td></tr>`;
    })
    .join("");
  return (
    `${summary}<table class="schedule"><thead><tr><th>at (s)</th><th>action</th><th>outcome</th></tr></thead><tbody>${rows}</tbody></table>` +
    `<p class="note">Seconds from the start of the workload phase, as schedule.json records them; a replay runs the same actions at the same offsets.</p>`
  );
}
