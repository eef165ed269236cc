import { setTimeout as sleep } from "node:timers/promises";
import type { Cluster } from "../cluster/cluster.js";
import type { ScheduledAction } from "../run/run-options.js";
import type { SimRandom } from "../sim/random.js";
import { type ClientControls, type FaultAction, describeAction, performAction, resolveLockHolder } from "./faults.js";
import { FamilyRotation, type NemesisFamily, planFault } from "./planner.js";

export interface NemesisTiming {
  /** When the workload phase began (performance.now()). */
  readonly startedMs: number;
  /** When it ends; no action starts after it. */
  readonly deadlineMs: number;
}

/**
 * Carries out a nemesis and writes down what it did, with the offset at which each action
 * really happened: the schedule a replay runs again.
 */
export class NemesisRunner {
  readonly performed: ScheduledAction[] = [];
  /** Actions in force, for progress lines. */
  active: FaultAction | null = null;
  /** Members whose disks the nemesis filled and has not freed: the final heal frees them. */
  readonly disksFull = new Set<number>();

  constructor(
    private readonly cluster: Cluster,
    private readonly timing: NemesisTiming,
    private readonly progress: (line: string) => void,
    private readonly controls: ClientControls,
  ) {}

  /** Runs a fixed schedule (a replay or a scenario) at its offsets. */
  async runSchedule(schedule: readonly ScheduledAction[]): Promise<void> {
    for (const entry of [...schedule].sort((a, b) => a.atMs - b.atMs)) {
      const wait = this.timing.startedMs + entry.atMs - performance.now();
      if (wait > 0) await sleep(wait);
      if (performance.now() >= this.timing.deadlineMs) break;
      await this.perform(entry.action);
    }
  }

  /** Alternates calm and faults chosen from the seed until the deadline; ends healed. */
  async runRandom(families: readonly NemesisFamily[], random: SimRandom, calmMs: number, faultMs: number): Promise<void> {
    if (families.length === 0) return;
    const rotation = new FamilyRotation(families, random);
    while (performance.now() + calmMs + faultMs <= this.timing.deadlineMs) {
      await sleep(calmMs);
      const fault = await planFault(rotation.next(), this.cluster, random);
      await this.perform(fault.begin);
      await sleep(faultMs);
      await this.perform(fault.end);
    }
  }

  private async perform(planned: FaultAction): Promise<void> {
    const action = await resolveLockHolder(planned, this.controls);
    const atMs = Math.round(performance.now() - this.timing.startedMs);
    this.performed.push({ atMs, action });
    this.progress(`  ${(atMs / 1000).toFixed(1)} s: ${describeAction(action)}`);
    if (action.do !== "writes") this.active = action.do === "heal-links" || action.do === "start" || action.do === "resume" || action.do === "free-disk" ? null : action;
    if (action.do === "fill-disk") for (const m of action.members) this.disksFull.add(m);
    if (action.do === "free-disk") for (const m of action.members) this.disksFull.delete(m);
    await performAction(this.cluster, action, this.controls);
  }
}
