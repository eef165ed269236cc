import type { Cluster } from "../cluster/cluster.js";
import type { FaultAction } from "../nemesis/faults.js";
import { bridge, cut, majoritiesRing, randomHalves } from "../nemesis/grudges.js";
import type { SimRandom } from "../sim/random.js";
import type { ScheduledAction } from "../run/run-options.js";
import type { RoleName, ScenarioStep } from "./scenario.js";

/** Who holds each role, fixed when the workload starts: the scenario then acts on members, not roles. */
export interface Roles {
  readonly leader: number;
  /** Every other member, by id. */
  readonly followers: readonly number[];
  readonly members: readonly number[];
}

export async function rolesOf(cluster: Cluster): Promise<Roles> {
  const leader = await cluster.leader();
  if (leader === null) throw new Error("the scenario needs a leader to name roles, and no member leads");
  return { leader, followers: cluster.members.filter((m) => m !== leader), members: cluster.members };
}

/** Turns a scenario's steps into the schedule a run performs; shapes are drawn from `random`. */
export function resolveSteps(steps: readonly ScenarioStep[], roles: Roles, random: SimRandom): ScheduledAction[] {
  return steps.map((step) => ({ atMs: step.at, action: resolveStep(step, roles, random) }));
}

function resolveStep(step: ScenarioStep, roles: Roles, random: SimRandom): FaultAction {
  switch (step.do) {
    case "partition-shape": {
      const shapes = { "random-halves": randomHalves, "majorities-ring": majoritiesRing, bridge };
      return { do: "partition", shape: step.shape, grudge: shapes[step.shape](roles.members, random) };
    }
    case "partition": {
      const groups = resolveGroups(step.groups, roles);
      const grudge = groups.flatMap((a, i) => groups.slice(i + 1).flatMap((b) => cut(a, b)));
      return { do: "partition", shape: step.groups.map((g) => g.join("+")).join(" | "), grudge };
    }
    case "partition-one-way": {
      const [deaf, to] = resolveGroups([step.deaf, step.to], roles);
      return {
        do: "partition",
        shape: `${step.deaf.join("+")} deaf to ${step.to.join("+")}`,
        grudge: deaf!.flatMap((r) => to!.filter((s) => s !== r).map((s) => [r, s] as [number, number])),
      };
    }
    case "links":
      return { do: "links", shape: step.members.join("+"), members: resolveGroups([step.members], roles)[0]!, toxic: step.toxic };
    case "client-links": {
      const named = step.members.filter((m) => m !== "lock-holder");
      const members = named.length === 0 ? [] : resolveGroups([named], roles)[0]!;
      return {
        do: "links",
        clients: true,
        shape: step.members.join("+"),
        members,
        toxic: step.toxic,
        ...(step.members.includes("lock-holder") ? { toLockHolder: true } : {}),
      };
    }
    case "heal":
      return { do: "heal-links" };
    case "reconfig": {
      const [leaving, voters, observers] = resolveGroups([step.remove ?? [], step.add ?? [], step.observe ?? []], roles);
      const words = [
        ...(step.remove ?? []).map((r) => `remove ${r}`),
        ...(step.add ?? []).map((r) => `add ${r}`),
        ...(step.observe ?? []).map((r) => `${r} to observer`),
      ];
      return {
        do: "reconfig",
        shape: words.join(", "),
        leaving: leaving!,
        joining: [
          ...voters!.map((member) => ({ member, role: "participant" as const })),
          ...observers!.map((member) => ({ member, role: "observer" as const })),
        ],
      };
    }
    case "writes":
      return { do: "writes", enabled: step.enabled };
    default:
      return { do: step.do, members: resolveGroups([step.members], roles)[0]! };
  }
}

/** Resolves the role names of several groups; `rest` is everyone the other groups leave out. */
export function resolveGroups(groups: readonly RoleName[][], roles: Roles): number[][] {
  const named = groups.map((g) => g.filter((r) => r !== "rest").flatMap((r) => resolveRole(r, roles)));
  const taken = new Set(named.flat());
  return groups.map((g, i) => {
    const members = new Set(named[i]);
    if (g.includes("rest")) for (const m of roles.members) if (!taken.has(m)) members.add(m);
    return [...members].sort((a, b) => a - b);
  });
}

function resolveRole(role: RoleName, roles: Roles): number[] {
  if (role === "leader") return [roles.leader];
  if (role === "all") return [...roles.members];
  const follower = /^follower(\d+)$/.exec(role);
  if (follower) {
    const member = roles.followers[Number(follower[1]) - 1];
    if (member === undefined) throw new Error(`${role}: there are only ${roles.followers.length} followers`);
    return [member];
  }
  const id = /^zk(\d+)$/.exec(role);
  if (id && roles.members.includes(Number(id[1]))) return [Number(id[1])];
  throw new Error(`unknown role "${role}" (leader, followerN, zkN, rest, all)`);
}
