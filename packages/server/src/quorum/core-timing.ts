import type { PeerOptions } from "@zkts/zab";

/** The zab core's tick in a server, about this long: much finer than a usual tickTime. */
const CORE_TICK_MS_TARGET = 50;
/** ZooKeeper's finalizeWait: how long a quorum's agreement waits for a better vote. */
const FINALIZE_WAIT_MS = 200;
/** Notification resends start at the finalize wait and double up to this while nothing settles. */
const ELECTION_RESEND_MS_MAX = 1600;

/**
 * The leader's bound on proposals awaiting their commit, the core's proposalsOutstandingMax.
 * Past it the replica holds requests back (up to 100,000) and proposes them as commits come
 * in, so a burst is delayed, never refused.
 */
export const PROPOSALS_OUTSTANDING_MAX = 500;

export interface CoreTiming {
  /** How often the server ticks the core. */
  readonly coreTickMs: number;
  /** The core's limits: times in its own ticks, and the bound on proposals in flight. */
  readonly limits: Pick<
    PeerOptions,
    "initLimit" | "syncLimit" | "pingIntervalTicks" | "finalizeWaitTicks" | "electionResendTicksMin" | "electionResendTicksMax" | "proposalsOutstandingMax"
  >;
}

/**
 * The core counts time in ticks; zoo.cfg counts initLimit and syncLimit in tickTimes. Ticking
 * the core once per tickTime would make every election wait (the finalize wait, notification
 * resends, a learner's repeated FOLLOWERINFO) a whole tickTime, 2 s in a common zoo.cfg,
 * where ZooKeeper waits 200 ms. So a tickTime is cut into whole core ticks of about 50 ms:
 * initLimit and syncLimit keep their length in milliseconds, the leader pings every half
 * tickTime (as ZooKeeper's leader does), and the election waits ZooKeeper's times.
 */
export function coreTimingOf(tickTimeMs: number, initLimit: number, syncLimit: number): CoreTiming {
  const ticksPerTickTime = Math.max(1, Math.round(tickTimeMs / CORE_TICK_MS_TARGET));
  const coreTickMs = tickTimeMs / ticksPerTickTime;
  const ticksOf = (ms: number) => Math.max(1, Math.round(ms / coreTickMs));
  const resendMin = ticksOf(FINALIZE_WAIT_MS);
  return {
    coreTickMs,
    limits: {
      initLimit: initLimit * ticksPerTickTime,
      syncLimit: syncLimit * ticksPerTickTime,
      pingIntervalTicks: Math.max(1, Math.floor(ticksPerTickTime / 2)),
      finalizeWaitTicks: ticksOf(FINALIZE_WAIT_MS),
      electionResendTicksMin: resendMin,
      electionResendTicksMax: Math.max(resendMin, ticksOf(ELECTION_RESEND_MS_MAX)),
      proposalsOutstandingMax: PROPOSALS_OUTSTANDING_MAX,
    },
  };
}
