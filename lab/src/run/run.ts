import { mkdir, writeFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { createClient } from "@zkts/client";
import { pairEvents } from "@zkts/checker";
import { type Cluster, allZkts } from "../cluster/cluster.js";
import { startContainerCluster } from "../cluster/containers.js";
import { startProcessCluster } from "../cluster/processes.js";
import { HistoryRecorder } from "../history/recorder.js";
import { describeAction, healEverything } from "../nemesis/faults.js";
import { NemesisRunner, type NemesisTiming } from "../nemesis/runner.js";
import { type Membership, describeMembership, reconfigZooCfg, sameMembers } from "../nemesis/membership.js";
import { readMembership } from "../nemesis/reconfigure.js";
import { waitUntilHealthy } from "../cluster/ensemble-health.js";
import { SimRandom } from "../sim/random.js";
import { registerWorkload } from "../workloads/register.js";
import { ephemeralsWorkload } from "../workloads/ephemeral.js";
import { setWorkload } from "../workloads/set.js";
import { uniqueIdsWorkload } from "../workloads/unique-ids.js";
import { counterWorkload } from "../workloads/counter.js";
import { queueWorkload } from "../workloads/queue.js";
import { lockWorkload } from "../workloads/lock.js";
import { watchesWorkload } from "../workloads/watches.js";
import { Worker } from "../workloads/worker.js";
import type { Workload, WorkloadVerdict } from "../workloads/workload.js";
import { writeReport } from "../report/write-report.js";
import type { RunResult, RunVerdict } from "./run-result.js";
import { junitXml } from "./junit.js";
import { runSimulated } from "./simulated-run.js";
import { swapMembers } from "./swap-members.js";
import { type RunOptions, type ScheduledAction, changesMembership, rerunCommand, runDefaults } from "./run-options.js";

export type { RunResult, RunVerdict } from "./run-result.js";

/**
 * One Jepsen-style run: start an ensemble with every link through Toxiproxy, run the workload
 * while the nemesis alternates faults and heals, then heal everything, wait a quiet period,
 * read the final state and check the history. Everything it did is written under `out`.
 */
export interface RunHooks {
  /**
   * A scenario's schedule and read-only members, resolved against the healthy cluster (who
   * leads) before the workload starts; written into results.json so a replay repeats them.
   */
  plan?(cluster: Cluster): Promise<{ schedule: ScheduledAction[]; readOnlyMembers: number[] }>;
}

export async function runLab(input: RunOptions, progress: (line: string) => void = () => undefined, hooks: RunHooks = {}): Promise<RunResult> {
  const options = runDefaults({ ...input, out: resolve(input.out) });
  await mkdir(options.out, { recursive: true });
  if (options.driver === "simulated") {
    const result = await runSimulated(options, progress);
    await writeOutputs(options, result);
    progress(`report: ${await writeReport(options.out).catch((err: unknown) => `not written (${(err as Error).message})`)}`);
    return result;
  }
  progress(
    `seed ${options.seed}: ${options.workload} on ${options.target} (${options.driver}, ${options.nodes} members), nemesis ${options.nemesis.join(",") || "none"}`,
  );
  const history = new HistoryRecorder(join(options.out, "history.jsonl"));
  const random = new SimRandom(options.seed);
  let cluster: Cluster | null = null;
  let schedule: ScheduledAction[] = [];
  const membershipChanges = changesMembership(options);
  /** The history's clock when the workload phase began: schedule offsets count from it. */
  let workloadStartNs = 0;
  try {
    progress("phase setup: starting the ensemble");
    cluster = await startCluster(options, membershipChanges);
    await cluster.waitHealthy(60_000);
    const originalMembership = membershipChanges ? await membershipAtStart(cluster) : null;
    if (originalMembership !== null) progress(`  configuration: ${describeMembership(originalMembership)}`);
    const workload = workloadOf(options);
    await setUp(cluster, workload, options.sessionTimeoutMs);

    const leaderAtStart = await cluster.leader();
    if (options.schedule !== undefined && options.leaderAtStart !== undefined && leaderAtStart !== null) {
      // A replay acts on the same roles: the recorded leader's faults go to today's leader.
      const moved = swapMembers(options.schedule, options.readOnlyMembers ?? [], options.leaderAtStart, leaderAtStart);
      options.schedule = moved.schedule;
      options.readOnlyMembers = moved.readOnlyMembers;
      if (options.leaderAtStart !== leaderAtStart) progress(`replay: the recorded leader zk${options.leaderAtStart} is zk${leaderAtStart} in this run`);
    }
    if (leaderAtStart !== null) options.leaderAtStart = leaderAtStart;
    const plan = options.schedule === undefined && hooks.plan ? await hooks.plan(cluster) : undefined;
    if (plan !== undefined) {
      options.schedule = plan.schedule;
      options.readOnlyMembers = plan.readOnlyMembers;
    }
    const planned = options.schedule;
    const readOnly = new Set(options.readOnlyMembers ?? []);
    const controls = { writesEnabled: true };
    const env = { history, opTimeoutMs: options.opTimeoutMs, sessionTimeoutMs: options.sessionTimeoutMs, readMode: options.reads, controls };
    const workers = Array.from({ length: options.clients }, (_, i) => {
      const member = cluster!.members[i % cluster!.members.length]!;
      return new Worker(i, member, cluster!.clientAddress(member), env, readOnly.has(member));
    });
    const workerRandom = workers.map(() => random.fork());
    const nemesisRandom = random.fork();

    progress(`phase workload: ${options.timeMs} ms at ${options.rate} ops/s`);
    const started = performance.now();
    workloadStartNs = history.now();
    const timing: NemesisTiming = {
      startedMs: started,
      deadlineMs: started + options.timeMs,
      ...(options.everyFamilyOnce === true ? { untilEveryFamilyMs: 3 * options.timeMs } : {}),
    };
    const nemesis = new NemesisRunner(cluster, timing, progress, controls, originalMembership);
    const ticker = setInterval(() => {
      const done = workers.reduce((n, w) => n + w.counts.ok + w.counts.fail + w.counts.info, 0);
      const seconds = (performance.now() - started) / 1000;
      const active = nemesis.active === null ? "none" : describeAction(nemesis.active);
      progress(`  ${seconds.toFixed(0)} s: ${(done / Math.max(seconds, 0.001)).toFixed(0)} ops/s, fault: ${active}`);
    }, 2000);
    const perWorkerIntervalMs = (1000 * options.clients) / options.rate;
    let nemesisDone = false;
    const loops = workers.map(async (worker, i) => {
      // A run that waits for every family keeps its workload going while the nemesis still runs.
      while (performance.now() < timing.deadlineMs || (timing.untilEveryFamilyMs !== undefined && !nemesisDone)) {
        const begun = performance.now();
        await workload.step(worker, workerRandom[i]!);
        const rest = perWorkerIntervalMs - (performance.now() - begun);
        if (rest > 0) await sleep(rest);
      }
    });
    const faults = (
      planned !== undefined ? nemesis.runSchedule(planned) : nemesis.runRandom(options.nemesis, nemesisRandom, options.calmMs, options.faultMs)
    ).finally(() => {
      nemesisDone = true;
    });
    try {
      await Promise.all([...loops, faults]);
    } finally {
      clearInterval(ticker);
    }
    schedule = nemesis.performed;

    progress("phase heal: every link healed, every member running");
    await healEverything(cluster, nemesis.disksFull);
    let finalMembers = cluster.members;
    let membership: RunResult["membership"];
    if (originalMembership !== null) {
      // A member left out of the configuration never serves: the heal puts every member back in its role first.
      const final = await nemesis.restoreMembership(MEMBERSHIP_RESTORE_MS);
      const restored = final !== null && sameMembers(final, originalMembership);
      if (!restored) progress(`  the configuration was not restored: ${final === null ? "no member told it" : describeMembership(final)}`);
      if (final !== null) finalMembers = cluster.members.filter((m) => final.roles.has(m));
      membership = {
        original: describeMembership(originalMembership),
        final: final === null ? null : describeMembership(final),
        restored,
        reconfigs: nemesis.reconfigOutcomes(),
      };
      progress(`  configuration: ${membership.final ?? "unknown"}; reconfigs ${JSON.stringify(membership.reconfigs)}`);
    }
    const c = cluster;
    const healthy =
      finalMembers.length === cluster.members.length
        ? cluster.waitHealthy(60_000)
        : waitUntilHealthy({ members: finalMembers, isRunning: (m) => c.isRunning(m), mode: (m) => c.mode(m) }, 60_000);
    await healthy.catch((err: unknown) => progress(`  the ensemble did not recover: ${(err as Error).message}`));
    progress(`phase quiet: ${options.quietMs} ms`);
    await sleep(options.quietMs);
    for (const w of workers) w.dropSession();

    progress(
      `phase final reads${finalMembers.length === cluster.members.length ? "" : ` on the members of the final configuration (${finalMembers.join(",")})`}`,
    );
    controls.writesEnabled = true;
    const finalWorkers = finalMembers.map((m, i) => new Worker(options.clients + i, m, cluster!.clientAddress(m), { ...env, opTimeoutMs: 10_000 }));
    await Promise.all(finalWorkers.map((w) => workload.finalReads(w)));
    for (const w of finalWorkers) w.dropSession();
    await history.close();

    progress("phase check");
    const check = workload.check(pairEvents(history.events), { timeoutMs: options.checkTimeoutMs });
    const verdict: RunVerdict = check.valid === true ? "valid" : check.valid === false ? "invalid" : "unknown";
    const counts = [...workers, ...finalWorkers].reduce(
      (sum, w) => ({ ok: sum.ok + w.counts.ok, fail: sum.fail + w.counts.fail, info: sum.info + w.counts.info }),
      { ok: 0, fail: 0, info: 0 },
    );
    const result: RunResult = {
      verdict,
      exitCode: verdict === "valid" ? 0 : verdict === "invalid" ? 1 : 2,
      out: options.out,
      check,
      schedule,
      operations: counts,
      crashes: cluster.crashes(),
      workloadStartNs,
      rerun: rerunCommand(options),
      ...(membership === undefined ? {} : { membership }),
    };
    await cluster.collectLogs(join(options.out, "logs"));
    await writeOutputs(options, result);
    progress(`report: ${await writeReport(options.out).catch((err: unknown) => `not written (${(err as Error).message})`)}`);
    for (const crash of result.crashes) progress(`crash: ${crash}`);
    progress(`verdict: ${verdict}${check.problems.length > 0 ? `\n  ${check.problems.slice(0, 10).join("\n  ")}` : ""}`);
    progress(`rerun: ${result.rerun}`);
    return result;
  } finally {
    await history.close().catch(() => undefined);
    await cluster?.close().catch(() => undefined);
  }
}

/** How long the heal may spend putting every member back in its original role. */
const MEMBERSHIP_RESTORE_MS = 30_000;

async function startCluster(options: ReturnType<typeof runDefaults>, membershipChanges: boolean): Promise<Cluster> {
  // Both targets get the same reconfig settings (reconfigEnabled, the lab's super user).
  const config = membershipChanges ? { ...reconfigZooCfg(), ...options.config } : options.config;
  switch (options.driver) {
    case "processes":
      return await startProcessCluster({
        target: options.target,
        voters: options.nodes,
        seed: options.seed,
        ...(options.toxiproxyUrl === undefined ? {} : { toxiproxyUrl: options.toxiproxyUrl }),
        dir: join(options.out, "members"),
        ...(options.diskMb === undefined ? {} : { diskMb: options.diskMb }),
        ...(config ? { config } : {}),
        ...(options.env ? { env: options.env } : {}),
        ...(membershipChanges ? { namedPeers: true } : {}),
      });
    case "containers":
      // Its Toxiproxy runs in a container on the cluster's network, so toxiproxyUrl is not used.
      return await startContainerCluster({
        target: options.target,
        voters: options.nodes,
        seed: options.seed,
        ...(config ? { config } : {}),
        ...(options.env ? { env: options.env } : {}),
        ...(membershipChanges ? { namedPeers: true } : {}),
      });
    default:
      throw new Error(`the ${options.driver} driver cannot run workloads yet`);
  }
}

function workloadOf(options: RunOptions): Workload {
  switch (options.workload) {
    case "register":
      if (options.reads === "linearizable" && !allZkts(options.target, options.nodes)) {
        throw new Error(`linearizable reads are zkts's extension; use --reads sync or plain against ${options.target}`);
      }
      return registerWorkload({
        readMode: options.reads,
        ...(options.keys === undefined ? {} : { keys: options.keys }),
        ...(options.judgeReadsLinearizably ? { judgeReadsLinearizably: true } : {}),
      });
    case "set":
      return setWorkload();
    case "ephemerals":
      return ephemeralsWorkload();
    case "unique-ids":
      return uniqueIdsWorkload();
    case "counter":
      return counterWorkload();
    case "queue":
      return queueWorkload();
    case "lock":
      return lockWorkload();
    case "watches":
      return watchesWorkload({ sessionTimeoutMs: runDefaults(options).sessionTimeoutMs });
  }
}

/** The configuration the members agree on once healthy (a sync, then /zookeeper/config). */
async function membershipAtStart(cluster: Cluster): Promise<Membership> {
  for (let attempt = 0; attempt < 10; attempt++) {
    const membership = await readMembership(cluster);
    if (membership !== null) return membership;
    await sleep(500);
  }
  throw new Error("no member told the ensemble's configuration (/zookeeper/config) within 10 tries");
}

async function setUp(cluster: Cluster, workload: Workload, sessionTimeoutMs: number): Promise<void> {
  const client = createClient(cluster.connectString(), { sessionTimeoutMs });
  try {
    await client.ready();
    await workload.setup(client);
  } finally {
    await client.close().catch(() => undefined);
  }
}

async function writeOutputs(options: ReturnType<typeof runDefaults>, result: RunResult): Promise<void> {
  const { out } = options;
  await writeFile(join(out, "schedule.json"), `${JSON.stringify(result.schedule, null, 2)}\n`);
  const results = {
    verdict: result.verdict,
    seed: options.seed,
    options: { ...options, schedule: undefined },
    check: result.check,
    operations: result.operations,
    crashes: result.crashes,
    workloadStartNs: result.workloadStartNs,
    faults: result.schedule.length,
    ...(result.membership === undefined ? {} : { membership: result.membership }),
    rerun: result.rerun,
  };
  await writeFile(join(out, "results.json"), `${JSON.stringify(results, null, 2)}\n`);
  await writeFile(join(out, "junit.xml"), junitXml(options, result.verdict, result.check));
}
