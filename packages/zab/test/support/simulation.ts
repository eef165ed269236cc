import { type Rng, SeededRng, formatZxid, randomBelow } from "../../src/index.js";
import { Cluster, bytes } from "./cluster.js";
import { text } from "./format.js";
import { InvariantViolation } from "./invariants.js";

export interface SimulationSpec {
  readonly seed: number;
  readonly voters: number;
  readonly observers: number;
  readonly steps: number;
  /** A voter that stays down while the rest must converge: a minority never blocks progress. */
  readonly downAtEnd?: number;
  /**
   * Propose reconfigurations now and then. Not with downAtEnd: a reconfig left in flight
   * needs a quorum of its new configuration too, which one server down for good may deny
   * (in ZooKeeper as well), so such runs only check safety through the faulty phase.
   */
  readonly reconfigs?: boolean;
  /** Default 10 and 5; tighter limits mean more elections under the same faults. */
  readonly initLimit?: number;
  readonly syncLimit?: number;
}

/**
 * What a seed of the randomized sweep varies besides the schedule: derived from the
 * seed, so a replay needs only the seed. A third of the runs end with one voter down.
 */
export function variationForSeed(seed: number, voters: number): { initLimit: number; syncLimit: number; downAtEnd?: number } {
  const rng = new SeededRng(seed ^ 0x5bd1e995);
  const syncLimit = 2 + randomBelow(rng, 5);
  const initLimit = syncLimit + 2 + randomBelow(rng, 8);
  return randomBelow(rng, 3) === 0 ? { initLimit, syncLimit, downAtEnd: 1 + randomBelow(rng, voters) } : { initLimit, syncLimit };
}

export interface SimulationResult {
  readonly committed: number;
  readonly epochs: number;
  readonly delivered: ReadonlyMap<string, number>;
  /** Ticks from the last fault until every running node served under one leader. */
  readonly servingAfterTicks: number;
  /** Proposals refused because the zxid counter ran out, each forcing a new epoch. */
  readonly rollovers: number;
  /** Writes learners forwarded that their leader proposed. */
  readonly forwarded: number;
  /** Messages and commits handed on while their node's Ready was being persisted. */
  readonly expressed: number;
}

const QUEUED_MESSAGES_MAX = 3000;
const CONVERGE_ROUNDS_MAX = 400;
const STABILIZE_ROUNDS_MAX = 500;

/**
 * One seeded run: a faulty phase (loss, duplication, reordering, partitions, crashes
 * with torn persistence, compaction, clients proposing and syncing), then a healed
 * phase that must converge. Safety is checked on every Ready by the cluster's
 * InvariantChecker; convergence and durability are checked at the end. Throws with a
 * description on any violation.
 */
export function runSimulation(spec: SimulationSpec, trace: string[] | null = null): SimulationResult {
  const rng = new SeededRng(spec.seed);
  const cluster = new Cluster({
    voters: spec.voters,
    observers: spec.observers,
    seed: spec.seed,
    initLimit: spec.initLimit ?? 10,
    syncLimit: spec.syncLimit ?? 5,
    // Small windows so that SNAP and epoch changes happen within a short run.
    logRetainEntries: 8 + randomBelow(rng, 8),
    zxidCounterMax: 8 + randomBelow(rng, 24),
  });
  cluster.trace = trace;
  const ids = cluster.ids();
  let proposals = 0;
  let syncs = 0;
  let rollovers = 0;
  const onPropose = (reason: string | null) => {
    if (reason?.startsWith("zxid counter exhausted")) rollovers += 1;
  };
  for (let step = 0; step < spec.steps; step++) {
    faultyStep(
      cluster,
      rng,
      ids,
      () => `s${spec.seed}-p${proposals++}`,
      () => syncs++,
      onPropose,
      spec.reconfigs === true,
    );
  }
  const servingAfterTicks = converge(cluster, spec.seed, spec.downAtEnd ?? null);
  return {
    servingAfterTicks,
    committed: cluster.checker.committed.length,
    epochs: cluster.checker.established().size,
    delivered: cluster.delivered,
    rollovers,
    forwarded: cluster.forwardedWrites,
    expressed: cluster.expressed,
  };
}

function pick<T>(rng: Rng, list: readonly T[]): T | undefined {
  return list.length === 0 ? undefined : list[randomBelow(rng, list.length)];
}

function faultyStep(
  cluster: Cluster,
  rng: Rng,
  ids: readonly number[],
  nextData: () => string,
  nextSync: () => number,
  onPropose: (droppedReason: string | null) => void,
  reconfigs: boolean,
): void {
  const live = ids.filter((id) => cluster.node(id).peer !== null);
  const down = ids.filter((id) => cluster.node(id).peer === null);
  const queued = cluster.pendingPairs().reduce((n, k) => n + (cluster.queues.get(k)?.length ?? 0), 0);
  let roll = queued > QUEUED_MESSAGES_MAX ? randomBelow(rng, 400) : randomBelow(rng, 1000);
  // Message handling per node thins out as the cluster grows (more queues and nodes to
  // pick from) while ticks would not: beyond four nodes, turn ticks into work at the
  // same rate, or every exchange would outlast initLimit.
  if (roll >= 700 && roll < 800 && ids.length > 4 && randomBelow(rng, ids.length * ids.length) >= 16) {
    roll = randomBelow(rng, 700);
  }
  if (roll < 400) {
    const key = pick(rng, cluster.pendingPairs());
    if (key === undefined) return;
    const length = cluster.queues.get(key)?.length ?? 0;
    const fault = randomBelow(rng, 1000);
    if (fault < 8) cluster.drop(key);
    else if (fault < 16) cluster.deliver(key, 0, true);
    else if (fault < 24 && length > 1) cluster.deliver(key, 1 + randomBelow(rng, length - 1));
    else for (let i = 0; i < 3 && (cluster.queues.get(key)?.length ?? 0) > 0; i++) cluster.deliver(key);
  } else if (roll < 700) {
    const id = pick(rng, live);
    if (id === undefined) return;
    // Now and then the node dies in the middle of persisting: a torn write. A third of the
    // time the Ready stays in flight, as while a server's fsync runs, and what arrives meanwhile
    // is handed on as the core allows (express).
    cluster.processReady(id, randomBelow(rng, 300) === 0 ? randomBelow(rng, 4) : undefined, randomBelow(rng, 3) === 0);
  } else if (roll < 780) {
    for (const id of live) cluster.tick(id);
  } else if (roll < 800) {
    const id = pick(rng, live);
    if (id !== undefined) cluster.tick(id);
  } else if (roll < 950) {
    const id = pick(rng, live);
    // Now and then a reconfiguration: every node stays in, at least three vote.
    const data = reconfigs && randomBelow(rng, 20) === 0 ? randomReconfig(rng, ids) : nextData();
    const r = id === undefined ? undefined : cluster.submit(id, bytes(data))?.result;
    if (r !== undefined) onPropose(r.kind === "dropped" ? r.reason : null);
  } else if (roll < 970) {
    const id = pick(rng, live);
    if (id !== undefined) cluster.node(id).peer?.sync(nextSync());
  } else if (roll < 974) {
    const id = pick(rng, live);
    if (id === undefined) return;
    cluster.crash(id);
    // Half the time the survivors' transports notice the closed sockets at once.
    if (randomBelow(rng, 2) === 0) for (const other of live) if (other !== id) cluster.node(other).peer?.disconnected(id);
  } else if (roll < 984) {
    const id = pick(rng, down);
    if (id !== undefined) cluster.restart(id);
  } else if (roll < 987) {
    const sides = ids.map((id) => ({ id, side: randomBelow(rng, 2) }));
    cluster.partition([sides.filter((x) => x.side === 0).map((x) => x.id), sides.filter((x) => x.side === 1).map((x) => x.id)]);
  } else if (roll < 995) {
    cluster.heal();
  } else {
    const id = pick(rng, live);
    if (id !== undefined) cluster.compact(id);
  }
}

function stabilize(cluster: Cluster): void {
  const trail: string[] = [];
  for (let round = 0; round < STABILIZE_ROUNDS_MAX; round++) {
    let busy = false;
    for (const id of cluster.ids()) if (cluster.processReady(id).length > 0) busy = true;
    if (cluster.hasMessages()) {
      busy = true;
      const lines = cluster.deliverAll();
      if (round > STABILIZE_ROUNDS_MAX - 3) trail.push(...lines);
    }
    if (!busy) return;
  }
  throw new InvariantViolation(`the healed cluster keeps exchanging messages without settling; last: ${trail.slice(-12).join(" / ")}`);
}

/** "reconfig voters=... observers=..." over every node id, with three voters or more. */
function randomReconfig(rng: Rng, ids: readonly number[]): string {
  const shuffled = ids
    .map((id) => ({ id, r: rng.nextUint32() }))
    .sort((a, b) => a.r - b.r)
    .map((x) => x.id);
  const voterCount = 3 + randomBelow(rng, ids.length - 2);
  const voters = shuffled.slice(0, voterCount).sort((a, b) => a - b);
  const observers = shuffled.slice(voterCount).sort((a, b) => a - b);
  return `reconfig voters=${voters.join(",")} observers=${observers.join(",")}`;
}

/**
 * How long after the last fault every running node may take to serve under one leader. A
 * node gives up on a leader that is not established within initLimit ticks, and on a silent
 * one after syncLimit; a decision that stood on a vote that moved is undone as soon as the
 * moved vote arrives (no initLimit wait for a peer that will never lead). The rest is an
 * election (resends at most electionResendTicksMax apart, the finalize wait) and a sync, which
 * the healed network delivers within a tick: 20 ticks leave room for a couple of rounds.
 */
export function servingTicksBound(initLimit: number, syncLimit: number): number {
  return initLimit + syncLimit + 20;
}

/** Heals, then requires every running node to serve under one leader within the bound, commit, and agree; returns the ticks it took to serve. */
function converge(cluster: Cluster, seed: number, downAtEnd: number | null): number {
  cluster.heal();
  const up = cluster.ids().filter((id) => id !== downAtEnd);
  for (const id of up) cluster.restart(id);
  if (downAtEnd !== null) cluster.crash(downAtEnd);
  const finalData = `final-${seed}`;
  let proposedInEpoch = -1;
  let servingAfterTicks: number | null = null;
  const bound = servingTicksBound(cluster.options.initLimit ?? 10, cluster.options.syncLimit ?? 5);
  for (let round = 0; round < CONVERGE_ROUNDS_MAX; round++) {
    for (const id of up) cluster.tick(id);
    stabilize(cluster);
    const statuses = up.map((id) => (cluster.node(id).peer as NonNullable<ReturnType<typeof cluster.node>["peer"]>).status());
    const allServing = statuses.every((s) => s.serving);
    const leader = statuses.find((s) => s.role === "LEADING" && s.serving);
    if (!allServing || leader === undefined) continue;
    if (servingAfterTicks === null) {
      servingAfterTicks = round + 1;
      if (servingAfterTicks > bound) {
        throw new InvariantViolation(`every node served only ${servingAfterTicks} ticks after the last fault (bound ${bound} ticks)`);
      }
    }
    if (proposedInEpoch !== leader.epoch) {
      // An uncommitted proposal may legitimately vanish with its leader: propose again
      // to each new leader until one commits it.
      const r = cluster.node(leader.id).peer?.propose(bytes(finalData));
      if (r?.kind === "proposed") proposedInEpoch = leader.epoch;
      continue;
    }
    const done = up.every((id) => cluster.node(id).applied.some((e) => text(e.data) === finalData));
    if (!done) continue;
    checkConverged(cluster, up);
    return servingAfterTicks;
  }
  const states = cluster.ids().map((id) => {
    const s = cluster.node(id).peer?.status();
    if (s === undefined) return `${id} down`;
    const config = `config=${formatZxid(s.membership.version)}${s.pendingMembership === null ? "" : `+${formatZxid(s.pendingMembership.version)}`}`;
    return `${id} ${s.role}${s.serving ? "*" : ""} leader=${s.leader} epoch=${s.epoch} last=${formatZxid(s.lastZxid)} commit=${formatZxid(s.commitZxid)} ${config}`;
  });
  throw new InvariantViolation(`no convergence after healing: ${states.join("; ")}`);
}

function checkConverged(cluster: Cluster, up: readonly number[]): void {
  const committed = cluster.checker.committed;
  for (const id of up) {
    const applied = cluster.node(id).applied;
    if (applied.length !== committed.length) {
      throw new InvariantViolation(
        `node ${id} applied ${applied.length} entries, but ${committed.length} were committed somewhere (a committed entry was lost)`,
      );
    }
  }
}
