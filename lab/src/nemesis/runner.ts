import { setTimeout as sleep } from "node:timers/promises";
import type { Cluster } from "../cluster/cluster.js";
import type { ScheduledAction } from "../run/run-options.js";
import type { SimRandom } from "../sim/random.js";
import { type ClientControls, type FaultAction, describeAction, performAction, resolveLockHolder } from "./faults.js";
import { type Membership, describeMembership, plannedChange, restoringChange, sameMembers } from "./membership.js";
import { FamilyRotation, type FaultFamily, type NemesisFamily, RECONFIG_FAMILY, planFault } from "./planner.js";
import { RECONFIG_TIMEOUT_MS, readMembership } from "./reconfigure.js";

export interface NemesisTiming {
  /** When the workload phase began (performance.now()). */
  readonly startedMs: number;
  /**
   * When it ends; no action starts after it. The random nemesis may move it later when the run
   * asks for every family once (see `untilEveryFamily`); the workload reads it as it goes.
   */
  deadlineMs: number;
  /**
   * Go on past the deadline, one fault at a time, until every family has started once: a run
   * that must show each family, on a machine slow enough that the time ran out first. Never
   * past this many ms after the start.
   */
  untilEveryFamilyMs?: number;
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
    /** The configuration when the workload began, in runs that change the membership. */
    private readonly originalMembership: Membership | null = null,
  ) {}

  /** Runs a fixed schedule (a replay or a scenario) at its offsets. */
  async runSchedule(schedule: readonly ScheduledAction[]): Promise<void> {
    // A reconfig can take seconds to be answered under faults; the steps after it keep their offsets.
    const reconfigs: Promise<void>[] = [];
    for (const entry of [...schedule].sort((a, b) => a.atMs - b.atMs)) {
      const wait = this.timing.startedMs + entry.atMs - performance.now();
      if (wait > 0) await sleep(wait);
      if (performance.now() >= this.timing.deadlineMs) break;
      if (entry.action.do === "reconfig") reconfigs.push(this.perform(entry.action));
      else await this.perform(entry.action);
    }
    await Promise.all(reconfigs);
  }

  /**
   * Alternates calm and faults chosen from the seed until the deadline; ends healed. With the
   * reconfig family, membership changes run beside the other faults, on their own clock, so
   * they land while partitions, kills and pauses are in force.
   */
  async runRandom(families: readonly NemesisFamily[], random: SimRandom, calmMs: number, faultMs: number): Promise<void> {
    const faults = families.filter((f): f is FaultFamily => f !== RECONFIG_FAMILY);
    const reconfigRandom = families.includes(RECONFIG_FAMILY) ? random.fork() : null;
    await Promise.all([
      faults.length === 0 ? undefined : this.runFaults(faults, random, calmMs, faultMs),
      reconfigRandom === null ? undefined : this.runMembershipChanges(reconfigRandom, calmMs, faultMs),
    ]);
  }

  private async runFaults(families: readonly FaultFamily[], random: SimRandom, calmMs: number, faultMs: number): Promise<void> {
    const rotation = new FamilyRotation(families, random);
    const unstarted = new Set(families);
    const limit = this.timing.untilEveryFamilyMs;
    const another = () => {
      const now = performance.now();
      if (now + calmMs + faultMs <= this.timing.deadlineMs) return true;
      if (limit === undefined || unstarted.size === 0 || now >= this.timing.startedMs + limit) return false;
      this.timing.deadlineMs = now + calmMs + faultMs;
      return true;
    };
    while (another()) {
      const family = rotation.next();
      unstarted.delete(family);
      await sleep(calmMs);
      const fault = await planFault(family, this.cluster, random);
      await this.perform(fault.begin);
      await sleep(faultMs);
      await this.perform(fault.end);
    }
  }

  /** A change every calm-to-calm+fault ms: a member out of its original role is put back first, else one voter leaves or becomes an observer. */
  private async runMembershipChanges(random: SimRandom, calmMs: number, faultMs: number): Promise<void> {
    const original = this.requireOriginalMembership();
    let lastSeen = original;
    while (performance.now() + calmMs + faultMs <= this.timing.deadlineMs) {
      await sleep(random.between(calmMs, calmMs + faultMs));
      // Without an answer (no quorum now) the change is planned from the configuration last
      // seen and tried all the same: a reconfig that fails or whose outcome is unknown is part
      // of what the run exercises. It names the version it was planned from, so if that
      // configuration is stale (an earlier change whose outcome was unknown took effect) the
      // ensemble refuses it, and no run passes through fewer voters than planned.
      const current = await readMembership(this.cluster, RECONFIG_TIMEOUT_MS / 2);
      if (current !== null) lastSeen = current;
      else this.progress(`  ${this.offsetSeconds()} s: no member told the configuration in time; planning from ${describeMembership(lastSeen)}`);
      const modes = await Promise.all(this.cluster.members.map((m) => this.cluster.mode(m)));
      const notServing = this.cluster.members.filter((_, i) => modes[i] === null);
      const leader = this.cluster.members.find((_, i) => modes[i] === "leader") ?? null;
      const change = plannedChange(lastSeen, original, random, leader, notServing);
      if (change !== null) await this.perform({ do: "reconfig", ...change });
    }
  }

  /**
   * After the heal: reconfigs until the configuration is the original one again (every member
   * back in its role), or `timeoutMs` passes; returns the configuration the members agree on
   * then (null if none answered).
   */
  async restoreMembership(timeoutMs: number): Promise<Membership | null> {
    const original = this.requireOriginalMembership();
    const deadline = performance.now() + timeoutMs;
    let current = await readMembership(this.cluster);
    while (performance.now() < deadline && (current === null || !sameMembers(current, original))) {
      const change = current === null ? null : restoringChange(current, original);
      if (change !== null) await this.perform({ do: "reconfig", ...change });
      else await sleep(500);
      current = await readMembership(this.cluster);
    }
    return current;
  }

  private requireOriginalMembership(): Membership {
    if (this.originalMembership === null) throw new Error("membership changes need the configuration the run began with");
    return this.originalMembership;
  }

  private offsetSeconds(): string {
    return ((performance.now() - this.timing.startedMs) / 1000).toFixed(1);
  }

  private async perform(planned: FaultAction): Promise<void> {
    const action = await resolveLockHolder(planned, this.controls);
    const atMs = Math.round(performance.now() - this.timing.startedMs);
    const index = this.performed.push({ atMs, action }) - 1;
    this.progress(`  ${(atMs / 1000).toFixed(1)} s: ${describeAction(action)}`);
    // A reconfig is not a fault that stays in force: the fault shown stays the one before it.
    if (action.do !== "writes" && action.do !== "reconfig")
      this.active = action.do === "heal-links" || action.do === "start" || action.do === "resume" || action.do === "free-disk" ? null : action;
    if (action.do === "fill-disk") for (const m of action.members) this.disksFull.add(m);
    if (action.do === "free-disk") for (const m of action.members) this.disksFull.delete(m);
    const outcome = await performAction(this.cluster, action, this.controls);
    if (outcome !== undefined) {
      this.performed[index] = { atMs, action, outcome };
      this.progress(`  ${this.offsetSeconds()} s: ${describeAction(action)}: ${outcome.result} (${outcome.detail})`);
    }
  }

  /** How the reconfigs the nemesis made ended. */
  reconfigOutcomes(): { ok: number; failed: number; unknown: number } {
    const counts = { ok: 0, failed: 0, unknown: 0 };
    for (const entry of this.performed) if (entry.action.do === "reconfig" && entry.outcome !== undefined) counts[entry.outcome.result]++;
    return counts;
  }
}
