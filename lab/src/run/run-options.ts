import type { DriverName, Target } from "../cluster/cluster.js";
import type { FaultAction } from "../nemesis/faults.js";
import type { NemesisFamily } from "../nemesis/planner.js";
import type { ActionOutcome } from "../nemesis/reconfigure.js";
import type { ReadMode } from "../workloads/worker.js";

export const WORKLOADS = ["register", "set", "ephemerals", "unique-ids", "counter", "queue", "lock", "watches"] as const;
export type WorkloadName = (typeof WORKLOADS)[number];

/** One action of a schedule, at its offset from the start of the workload phase. */
export interface ScheduledAction {
  readonly atMs: number;
  readonly action: FaultAction;
  /** What became of an action the cluster decides (a reconfig): written by the run, ignored by a replay. */
  readonly outcome?: ActionOutcome;
}

/** A run is defined by these: the same options and seed ask for the same run. */
export interface RunOptions {
  driver: DriverName;
  target: Target;
  /** Voting members. */
  nodes: number;
  workload: WorkloadName;
  reads: ReadMode;
  nemesis: NemesisFamily[];
  /** Length of the workload phase under faults. */
  timeMs: number;
  /** Operations per second over all workers. */
  rate: number;
  seed: number;
  /** Directory for history.jsonl, schedule.json, results.json, junit.xml and logs. */
  out: string;
  /** Concurrent client workers; default 2 per member. */
  clients?: number;
  /** Time an operation gets before its outcome is unknown; default 2000 ms. */
  opTimeoutMs?: number;
  sessionTimeoutMs?: number;
  /**
   * With the random nemesis: the workload phase goes on past `timeMs`, one fault at a time,
   * until every family has had a turn (at most three times `timeMs` in all).
   */
  everyFamilyOnce?: boolean;
  /** Calm between faults and the length of each fault; defaults 2000 and 3000 ms. */
  calmMs?: number;
  faultMs?: number;
  /** After the heal, before the final reads; default 2000 ms. */
  quietMs?: number;
  /** Budget of the linearizability search; default 30000 ms. */
  checkTimeoutMs?: number;
  /** Use this Toxiproxy server instead of starting the lab's own. */
  toxiproxyUrl?: string;
  /** Replay or scenario: run exactly these actions instead of choosing faults from the seed. */
  schedule?: ScheduledAction[];
  /** Znodes of the register workload; default 3. */
  keys?: number;
  /** The member that led when the workload began; a replay maps it to the member leading then. */
  leaderAtStart?: number;
  /** Members whose clients only read (a scenario's choice). */
  readOnlyMembers?: number[];
  /** Register: judge plain reads as part of the register too. */
  judgeReadsLinearizably?: boolean;
  /** Extra zoo.cfg keys for every member. */
  config?: Record<string, string>;
  /** Each member's data on a disk of its own of this many MiB (processes driver, root): needed by disk faults; default 64 with the disk nemesis. */
  diskMb?: number;
  /** Extra environment for every member process. */
  env?: Record<string, string>;
  /** The schedule (a scenario's, resolved once the cluster runs) will reconfig: see changesMembership. */
  membershipChanges?: boolean;
}

/**
 * Whether the run changes the membership (the reconfig nemesis, or a schedule with a
 * reconfig): its members are then named through per-member hosts files and accept the lab's
 * reconfigs, from the start.
 */
export function changesMembership(options: Pick<RunOptions, "nemesis" | "schedule" | "membershipChanges">): boolean {
  return options.membershipChanges === true || options.nemesis.includes("reconfig") || (options.schedule ?? []).some((s) => s.action.do === "reconfig");
}

export function runDefaults(
  options: RunOptions,
): Required<
  Omit<
    RunOptions,
    | "toxiproxyUrl"
    | "schedule"
    | "config"
    | "env"
    | "diskMb"
    | "keys"
    | "judgeReadsLinearizably"
    | "readOnlyMembers"
    | "leaderAtStart"
    | "membershipChanges"
    | "everyFamilyOnce"
  >
> &
  RunOptions {
  return {
    clients: options.nodes * 2,
    opTimeoutMs: 2000,
    sessionTimeoutMs: 4000,
    calmMs: 2000,
    faultMs: 3000,
    quietMs: 2000,
    checkTimeoutMs: 30_000,
    ...options,
    ...(options.diskMb === undefined && options.nemesis.includes("disk") ? { diskMb: 64 } : {}),
  };
}

/** The command line that runs these options again. */
export function rerunCommand(options: RunOptions): string {
  const parts = [
    "npx zkts-lab run",
    `--driver ${options.driver}`,
    `--target ${options.target}`,
    `--nodes ${options.nodes}`,
    `--workload ${options.workload}`,
    `--reads ${options.reads}`,
    `--nemesis ${options.nemesis.length === 0 ? "none" : options.nemesis.join(",")}`,
    `--time ${options.timeMs}ms`,
    `--rate ${options.rate}`,
    `--seed ${options.seed}`,
    `--out ${options.out}`,
    ...(options.config?.["zkts.unsafe"] === undefined ? [] : [`--unsafe ${options.config["zkts.unsafe"]}`]),
  ];
  return parts.join(" ");
}
