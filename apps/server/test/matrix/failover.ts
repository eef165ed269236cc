import type { EnsembleMember, RunningEnsemble } from "@zkts/testkit";
import type { Cell, ProgramOutput } from "./cell.js";

/** Cluster settings of the ensemble column's ensembles (both kinds get the same). */
export const FAILOVER_ENSEMBLE_OPTIONS = {
  voters: 3,
  // A tick of 200 ms keeps elections short; the programs ask for 10 s sessions, which a 200 ms
  // tick would clamp to 4 s (20 ticks): the sessions must outlive an election and the client's
  // reconnection with room to spare, so the ceiling is raised.
  tickTime: 200,
  config: { maxSessionTimeout: "30000" },
};

/** The outputs of one round's programs, by cell name, and how long the ensemble had no leader. */
export interface RoundResult {
  outputs: Map<string, ProgramOutput>;
  failoverMs: number | null;
}

/**
 * Runs the ensemble column on one ensemble, a round of cells at a time: the round's programs
 * run side by side, and once each has reached its checkpoint (or ended), the leader is killed
 * (SIGKILL) once for all of them; they go on when a new leader serves with the other member.
 * One kill per round rather than per cell keeps the column's time bounded, and the programs
 * are independent (each owns its subtree), so their outputs do not depend on the company. The
 * killed member is restarted while the next round runs its first halves; the next kill waits
 * for it, so every kill leaves a quorum behind.
 */
export class FailoverRunner {
  private complete: Promise<void> = Promise.resolve();

  constructor(private readonly ensemble: RunningEnsemble) {}

  async runRound(cells: readonly Cell[]): Promise<RoundResult> {
    let arrivals = 0;
    let everyoneArrived: () => void = () => undefined;
    const allArrived = new Promise<void>((resolve) => (everyoneArrived = resolve));
    const arrive = () => {
      if (++arrivals === cells.length) everyoneArrived();
    };
    let failover: Promise<void> | undefined;
    let killed: EnsembleMember | undefined;
    let failoverMs: number | null = null;
    const killLeader = async () => {
      await this.complete;
      const leader = await this.ensemble.waitForLeader();
      const killedAt = performance.now();
      await leader.server.kill();
      killed = leader;
      await this.ensemble.waitForLeader();
      failoverMs = performance.now() - killedAt;
    };
    const outputs = await Promise.all(
      cells.map(async (cell) => {
        let arrived = false;
        try {
          return await cell.run(this.ensemble.connectString, async () => {
            arrived = true;
            arrive();
            await allArrived;
            failover ??= killLeader();
            await failover;
          });
        } finally {
          // A program that ended without reaching its checkpoint must not hold the others back.
          if (!arrived) arrive();
        }
      }),
    );
    if (killed !== undefined) {
      const member = killed;
      this.complete = member.server.restart().then(async () => void (await this.ensemble.waitForLeader()));
      // A failed restart is reported by the next kill, which waits for it.
      this.complete.catch(() => undefined);
    }
    return { outputs: new Map(cells.map((cell, i) => [cell.name, outputs[i]!])), failoverMs };
  }
}
