import { type DriverName, type Target, allZkts, memberKind } from "../cluster/cluster.js";
import { type RunResult, runLab } from "../run/run.js";
import type { RunOptions } from "../run/run-options.js";
import { type UnsafeMode, withUnsafeMode } from "../run/unsafe.js";
import { resolveGroups, resolveSteps, rolesOf } from "./resolve.js";
import type { ReadMode } from "../workloads/worker.js";
import type { Scenario } from "./scenario.js";
import { SimRandom } from "../sim/random.js";

export interface ScenarioOutcome {
  readonly scenario: Scenario;
  readonly target: Target;
  readonly expected: "valid" | "invalid";
  readonly run: RunResult;
  /** True when the run's verdict is the one the scenario states for this target. */
  readonly asExpected: boolean;
}

export interface ScenarioRunOptions {
  target: Target;
  driver: DriverName;
  seed: number;
  out: string;
  toxiproxyUrl?: string;
  /** Overrides the read mode the scenario states for the target. */
  reads?: ReadMode;
  /** Runs zkts with this deliberate bug (the caller checked ZKTS_UNSAFE); see `catches`. */
  unsafe?: UnsafeMode;
}

export type Expectation = Scenario["expect"]["zkts"];

/**
 * What a scenario states for a target. A scenario states it for the two pure targets; a mixed
 * ensemble takes ZooKeeper's: only ZooKeeper's read modes exist on every member (zkts's
 * linearizable reads are its own), and with them zkts members answer reads as ZooKeeper's do
 * (locally, a sync not confirmed by a quorum), so the same outcome is expected.
 */
export function expectationFor(scenario: Scenario, target: Target): Expectation {
  if (allZkts(target, scenario.nodes)) return scenario.expect.zkts;
  const stated = scenario.expect.zookeeper;
  if (target === "zookeeper" || [...Array(scenario.nodes).keys()].every((i) => memberKind(target, i + 1) === "zookeeper")) return stated;
  return { ...stated, why: `as on ZooKeeper, whose read modes every member of a mixed ensemble serves: ${stated.why}` };
}

/** The run options a scenario stands for on one target. */
export function scenarioRunOptions(scenario: Scenario, options: ScenarioRunOptions): RunOptions {
  const expectation = expectationFor(scenario, options.target);
  const run: RunOptions = {
    driver: options.driver,
    target: options.target,
    nodes: scenario.nodes,
    workload: scenario.workload,
    reads: options.reads ?? expectation.reads,
    nemesis: [],
    timeMs: scenario.timeMs,
    rate: scenario.rate ?? 200,
    seed: options.seed,
    out: options.out,
    ...(scenario.clients === undefined ? {} : { clients: scenario.clients }),
    ...(scenario.keys === undefined ? {} : { keys: scenario.keys }),
    ...(scenario.sessionTimeoutMs === undefined ? {} : { sessionTimeoutMs: scenario.sessionTimeoutMs }),
    ...(scenario.opTimeoutMs === undefined ? {} : { opTimeoutMs: scenario.opTimeoutMs }),
    ...(scenario.config === undefined ? {} : { config: scenario.config }),
    ...(scenario.diskMb === undefined ? {} : { diskMb: scenario.diskMb }),
    ...(scenario.judgeReadsLinearizably ? { judgeReadsLinearizably: true } : {}),
    ...(scenario.steps.some((s) => s.do === "reconfig") ? { membershipChanges: true } : {}),
    ...(options.toxiproxyUrl === undefined ? {} : { toxiproxyUrl: options.toxiproxyUrl }),
  };
  return options.unsafe === undefined ? run : withUnsafeMode(run, options.unsafe);
}

/** Runs a scenario on one target and compares the verdict with the one the scenario expects there. */
export async function runScenario(
  scenario: Scenario,
  options: ScenarioRunOptions,
  progress: (line: string) => void = () => undefined,
): Promise<ScenarioOutcome> {
  const expectation = expectationOf(scenario, options);
  progress(`scenario ${scenario.name} on ${options.target}: expecting ${expectation.verdict} (${expectation.why})`);
  const run = await runLab(scenarioRunOptions(scenario, options), progress, {
    plan: async (cluster) => {
      const roles = await rolesOf(cluster);
      return {
        schedule: resolveSteps(scenario.steps, roles, new SimRandom(options.seed)),
        readOnlyMembers: resolveGroups([scenario.readOnlyClientsOn ?? []], roles)[0]!,
      };
    },
  });
  const asExpected = run.verdict === expectation.verdict;
  progress(`scenario ${scenario.name} on ${options.target}: ${run.verdict}, ${asExpected ? "as expected" : `expected ${expectation.verdict}`}`);
  return { scenario, target: options.target, expected: expectation.verdict, run, asExpected };
}

/** What the scenario states for the target, unless an unsafe mode it catches is on: then invalid. */
function expectationOf(scenario: Scenario, options: ScenarioRunOptions): { verdict: "valid" | "invalid"; why: string } {
  const stated = expectationFor(scenario, options.target);
  if (options.unsafe === undefined) return stated;
  if (scenario.catches?.includes(options.unsafe)) return { verdict: "invalid", why: `it catches the unsafe mode ${options.unsafe}` };
  return { verdict: stated.verdict, why: `${stated.why}; the scenario does not claim to catch the unsafe mode ${options.unsafe}` };
}
