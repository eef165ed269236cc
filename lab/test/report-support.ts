import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { type HistoryEvent, pairEvents, toJsonLines } from "@zkts/checker";
import { junitXml } from "../src/run/junit.js";
import type { RunResult } from "../src/run/run-result.js";
import { type RunOptions, type ScheduledAction, rerunCommand } from "../src/run/run-options.js";
import { registerWorkload } from "../src/workloads/register.js";

const KEY = "/zkts-lab-register/r0";
const MS = 1e6;

/** An event on key r0 at `ms` milliseconds of the history's clock. */
export function event(process: number, type: HistoryEvent["type"], f: string, value: unknown, ms: number, metadata?: Record<string, unknown>): HistoryEvent {
  return { process, type, f, key: KEY, value, time: ms * MS, ...(metadata ? { metadata } : {}) };
}

/**
 * A register history that is not linearizable: process 1 reads the initial value after
 * process 0's write was acknowledged, while a kill of member 2 is in force.
 */
export function staleReadRun(): { events: HistoryEvent[]; schedule: ScheduledAction[]; workloadStartNs: number } {
  const events = [
    event(0, "invoke", "write", { data: "a", version: -1 }, 1000),
    event(0, "ok", "write", { version: 1 }, 1002),
    event(1, "invoke", "read", null, 1010),
    event(1, "ok", "read", { data: "init", version: 0 }, 1012),
    event(2, "invoke", "write", { data: "b", version: 1 }, 1500),
    event(2, "info", "write", { data: "b", version: 1 }, 3500, { error: "timeout" }),
    event(0, "invoke", "read", null, 2100),
    event(0, "fail", "read", null, 2200, { error: "CONNECTIONLOSS" }),
  ].sort((a, b) => a.time! - b.time!);
  const schedule: ScheduledAction[] = [
    { atMs: 400, action: { do: "kill", members: [2] } },
    { atMs: 1900, action: { do: "start", members: [2] } },
  ];
  return { events, schedule, workloadStartNs: 900 * MS };
}

/** A hand-made run whose nemesis reconfigs (with the other faults), as runLab records it. */
export interface HandMadeRun {
  events: HistoryEvent[];
  schedule: ScheduledAction[];
  workloadStartNs: number;
  nemesis?: RunOptions["nemesis"];
  membership?: RunResult["membership"];
}

/**
 * A valid register history under a partition and four reconfigs, one of each outcome and one
 * the heal made after the workload phase: a follower removed while cut off (ok), a voter
 * turned observer refused (failed), a timeout (unknown), and the heal's restore (ok).
 */
export function reconfigRun(): HandMadeRun {
  const events: HistoryEvent[] = [];
  // Process 0 writes a, b, c...; process 1 reads what was last acknowledged, 250 ms apart.
  for (let i = 0; i < 12; i++) {
    const ms = 1000 + i * 250;
    events.push(event(0, "invoke", "write", { data: `v${i}`, version: -1 }, ms), event(0, "ok", "write", { version: i + 1 }, ms + 20));
    events.push(event(1, "invoke", "read", null, ms + 100), event(1, "ok", "read", { data: `v${i}`, version: i + 1 }, ms + 110));
  }
  const schedule: ScheduledAction[] = [
    {
      atMs: 300,
      action: {
        do: "partition",
        shape: "isolate one",
        grudge: [
          [3, 1],
          [3, 2],
          [1, 3],
          [2, 3],
        ],
      },
    },
    {
      atMs: 700,
      action: { do: "reconfig", shape: "remove zk3 (not serving)", leaving: [3], joining: [] },
      outcome: { result: "ok", detail: "voters 1,2 (version 100000012)" },
    },
    { atMs: 1300, action: { do: "heal-links" } },
    {
      atMs: 1600,
      action: { do: "reconfig", shape: "zk2 to observer", leaving: [], joining: [{ member: 2, role: "observer" }] },
      outcome: { result: "failed", detail: "BADARGUMENTS" },
    },
    {
      atMs: 2400,
      action: { do: "reconfig", shape: "add zk3 back as participant", leaving: [], joining: [{ member: 3, role: "participant" }] },
      outcome: { result: "unknown", detail: "reconfig timed out after 5000 ms" },
    },
    {
      atMs: 3200,
      action: { do: "reconfig", shape: "restore zk3 as participant", leaving: [], joining: [{ member: 3, role: "participant" }] },
      outcome: { result: "ok", detail: "voters 1,2,3 (version 100000040)" },
    },
  ];
  return {
    events: events.sort((a, b) => a.time! - b.time!),
    schedule,
    workloadStartNs: 900 * MS,
    nemesis: ["partition", "reconfig"],
    membership: {
      original: "voters 1,2,3 (version 100000000)",
      final: "voters 1,2,3 (version 100000040)",
      restored: true,
      reconfigs: { ok: 2, failed: 1, unknown: 1 },
    },
  };
}

/**
 * Writes a run directory as runLab leaves it, for a history made by hand; the verdict and
 * the checker's findings come from the register workload's own check of that history.
 */
export function writeRunDirectory(dir: string, run: HandMadeRun): void {
  const options: RunOptions = {
    driver: "processes",
    target: "zookeeper",
    nodes: 3,
    workload: "register",
    reads: "sync",
    nemesis: run.nemesis ?? ["kill"],
    timeMs: 3000,
    rate: 10,
    seed: 11,
    out: dir,
  };
  const check = registerWorkload({ readMode: "sync", keys: 1 }).check(pairEvents(run.events), { timeoutMs: 10_000 });
  const verdict = check.valid === true ? "valid" : check.valid === false ? "invalid" : "unknown";
  const count = (type: string) => run.events.filter((e) => e.type === type).length;
  mkdirSync(join(dir, "logs"), { recursive: true });
  writeFileSync(join(dir, "history.jsonl"), toJsonLines(run.events));
  writeFileSync(join(dir, "schedule.json"), JSON.stringify(run.schedule));
  writeFileSync(
    join(dir, "results.json"),
    JSON.stringify({
      verdict,
      seed: options.seed,
      options,
      check,
      operations: { ok: count("ok"), fail: count("fail"), info: count("info") },
      crashes: [],
      workloadStartNs: run.workloadStartNs,
      faults: run.schedule.length,
      ...(run.membership === undefined ? {} : { membership: run.membership }),
      rerun: rerunCommand(options),
    }),
  );
  writeFileSync(join(dir, "junit.xml"), junitXml(options, verdict, check));
  for (const member of [1, 2, 3]) writeFileSync(join(dir, "logs", `zk${member}.log`), `{"message":"member ${member}"}\n`);
}
