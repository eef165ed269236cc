import type { Cluster } from "../cluster/cluster.js";
import type { SimRandom } from "../sim/random.js";
import type { Fault, FaultAction } from "./faults.js";
import { bridge, isolate, majoritiesRing, oneWayDeaf, randomHalves } from "./grudges.js";

/** The fault families `--nemesis all` names; the random nemesis runs one of them at a time. */
export const NEMESIS_FAMILIES = ["partition", "kill", "pause", "latency", "bandwidth", "slicer", "reset-peer", "disk"] as const;
/**
 * Membership changes run beside the other families, while their faults are in force. Named
 * on its own (not part of `all`): it changes how the cluster names its members (named peers,
 * which the processes and containers drivers offer).
 */
export const RECONFIG_FAMILY = "reconfig";
export type FaultFamily = (typeof NEMESIS_FAMILIES)[number];
export type NemesisFamily = FaultFamily | typeof RECONFIG_FAMILY;

export function parseNemeses(text: string): NemesisFamily[] {
  const names = text
    .split(",")
    .map((n) => n.trim())
    .filter((n) => n !== "");
  if (names.length === 1 && names[0] === "none") return [];
  const known: readonly string[] = [...NEMESIS_FAMILIES, RECONFIG_FAMILY];
  for (const name of names) {
    if (name !== "all" && !known.includes(name)) throw new Error(`unknown nemesis "${name}": choose from ${known.join(", ")}, all or none`);
  }
  return [...new Set(names.flatMap((name) => (name === "all" ? [...NEMESIS_FAMILIES] : [name as NemesisFamily])))];
}

/**
 * Chooses the next fault of `family` from the seed and resolves its targets against the
 * cluster as it is now (which member leads), so the schedule that ran names members, not roles.
 */
export async function planFault(family: FaultFamily, cluster: Cluster, random: SimRandom): Promise<Fault> {
  const members = cluster.members;
  const leaderOr = async (fallback: number) => (await cluster.leader()) ?? fallback;
  const links = (begin: FaultAction): Fault => ({ family, begin, end: { do: "heal-links" } });
  switch (family) {
    case "partition": {
      const shape = random.pick(["random-halves", "isolate-one", "isolate-leader", "majorities-ring", "bridge", "one-way"] as const);
      const grudge =
        shape === "random-halves"
          ? randomHalves(members, random)
          : shape === "isolate-one"
            ? isolate(random.pick(members), members)
            : shape === "isolate-leader"
              ? isolate(await leaderOr(random.pick(members)), members)
              : shape === "majorities-ring"
                ? majoritiesRing(members, random)
                : shape === "bridge"
                  ? bridge(members, random)
                  : oneWayDeaf(await leaderOr(random.pick(members)), members);
      return links({ do: "partition", shape, grudge });
    }
    case "kill": {
      const targets = await pickMembers(random.pick(["one", "leader", "majority", "all"] as const), cluster, random);
      return { family, begin: { do: "kill", members: targets }, end: { do: "start", members: targets } };
    }
    case "pause": {
      const targets = await pickMembers(random.pick(["one", "leader"] as const), cluster, random);
      return { family, begin: { do: "pause", members: targets }, end: { do: "resume", members: targets } };
    }
    case "latency":
      return links({
        do: "links",
        shape: "one",
        members: [random.pick(members)],
        toxic: { type: "latency", latencyMs: random.between(20, 200), jitterMs: random.between(0, 50) },
      });
    case "bandwidth":
      return links({
        do: "links",
        shape: "leader",
        members: [await leaderOr(random.pick(members))],
        toxic: { type: "bandwidth", rateKBps: random.between(4, 64) },
      });
    case "slicer":
      return links({
        do: "links",
        shape: "one",
        members: [random.pick(members)],
        toxic: { type: "slicer", averageSize: random.between(1, 16), sizeVariation: 4, delayUs: random.between(0, 2000) },
      });
    case "disk": {
      const targets = await pickMembers(random.pick(["one", "leader"] as const), cluster, random);
      return { family, begin: { do: "fill-disk", members: targets }, end: { do: "free-disk", members: targets } };
    }
    case "reset-peer":
      return links({
        do: "links",
        shape: "leader",
        members: [await leaderOr(random.pick(members))],
        toxic: { type: "reset_peer", timeoutMs: random.between(0, 500) },
      });
  }
}

/**
 * Families in a seeded order, each once before any repeats, so a run with as many faults as
 * families exercises every one of them.
 */
export class FamilyRotation {
  private queue: FaultFamily[] = [];

  constructor(
    private readonly families: readonly FaultFamily[],
    private readonly random: SimRandom,
  ) {}

  next(): FaultFamily {
    if (this.queue.length === 0) {
      this.queue = [...this.families];
      for (let i = this.queue.length - 1; i > 0; i--) {
        const j = this.random.below(i + 1);
        [this.queue[i], this.queue[j]] = [this.queue[j]!, this.queue[i]!];
      }
    }
    return this.queue.shift()!;
  }
}

async function pickMembers(shape: "one" | "leader" | "majority" | "all", cluster: Cluster, random: SimRandom): Promise<number[]> {
  const voters = cluster.members;
  switch (shape) {
    case "one":
      return [random.pick(voters)];
    case "leader":
      return [(await cluster.leader()) ?? random.pick(voters)];
    case "majority": {
      const pool = [...voters];
      const out: number[] = [];
      while (out.length < Math.floor(voters.length / 2) + 1) out.push(...pool.splice(random.below(pool.length), 1));
      return out.sort((a, b) => a - b);
    }
    case "all":
      return [...voters];
  }
}
