import { readFile, readdir } from "node:fs/promises";
import { join } from "node:path";
import { type History, type HistoryEvent, pairEvents, parseJsonLines } from "@zkts/checker";
import type { RunResult, RunVerdict } from "../run/run-result.js";
import type { RunOptions, ScheduledAction } from "../run/run-options.js";
import type { WorkloadVerdict } from "../workloads/workload.js";

/** results.json as runLab writes it (options with their defaults filled in). */
export interface RecordedResults {
  readonly verdict: RunVerdict;
  readonly seed: number;
  readonly options: RunOptions & Partial<Record<"clients" | "opTimeoutMs" | "checkTimeoutMs", number>>;
  readonly check: WorkloadVerdict;
  readonly operations: { ok: number; fail: number; info: number };
  readonly crashes: string[];
  /** The history's clock (ns) when the workload phase began; older results lack it. */
  readonly workloadStartNs?: number;
  readonly rerun: string;
  /** Runs that changed the membership: the configuration at the start and the end, and the reconfigs by outcome. */
  readonly membership?: RunResult["membership"];
}

/** Everything a run directory holds that its report shows. */
export interface RunRecord {
  readonly dir: string;
  readonly results: RecordedResults;
  readonly schedule: ScheduledAction[];
  readonly events: HistoryEvent[];
  readonly history: History;
  /** Files of the directory a report links to, relative to it, in the order shown. */
  readonly files: string[];
}

const LINKED_FILES = ["history.jsonl", "schedule.json", "results.json", "junit.xml"];

export async function readRunRecord(dir: string): Promise<RunRecord> {
  const results = JSON.parse(await readFile(join(dir, "results.json"), "utf8")) as RecordedResults;
  const schedule = JSON.parse(await readFile(join(dir, "schedule.json"), "utf8")) as ScheduledAction[];
  const events = parseJsonLines(await readFile(join(dir, "history.jsonl"), "utf8"));
  const present = new Set(await readdir(dir));
  const logs = present.has("logs") ? (await readdir(join(dir, "logs"))).sort(byMemberNumber).map((name) => `logs/${name}`) : [];
  return {
    dir,
    results,
    schedule,
    events,
    history: pairEvents(events),
    files: [...LINKED_FILES.filter((name) => present.has(name)), ...logs],
  };
}

/** zk2.log before zk10.log. */
function byMemberNumber(a: string, b: string): number {
  const number = (name: string) => Number(/\d+/.exec(name)?.[0] ?? Number.NaN);
  return number(a) - number(b) || a.localeCompare(b);
}
