import { ZkError, type ZkClient } from "@zkts/client";
import { LeaderElection } from "@zkts/recipes";
import type { Layout } from "./layout.js";

/**
 * A master candidate. Once elected it reconciles the tree whenever tasks, workers or
 * assignments change: assignments of dead workers are taken back, and unassigned, unfinished
 * tasks go to live workers round-robin. Every write carries a check on the master's own
 * election node, so a master whose session ended can never write (no split brain).
 */
export class Master {
  private readonly election: LeaderElection;
  private running = true;
  private wake: (() => void) | undefined;
  private dirty = true;
  private nextWorker = 0;

  constructor(
    private readonly client: ZkClient,
    private readonly layout: Layout,
    readonly id: string,
    private readonly log: (line: string) => void = () => {},
  ) {
    this.election = new LeaderElection(client, layout.election, { identifier: id });
  }

  get isLeader(): boolean {
    return this.election.isLeader;
  }

  /** Campaigns, then masters until stopped or until leadership is lost. */
  async run(): Promise<void> {
    if (!(await this.election.elect())) return;
    this.log(`${this.id} is the master`);
    void this.election.lost.then((reason) => {
      this.log(`${this.id} lost mastership: ${reason}`);
      this.stop();
    });
    const fence = this.election.nodePath!;
    for (let round = 0; this.running && this.election.isLeader && round < 1_000_000; round++) {
      if (!this.dirty) await new Promise<void>((resolve) => (this.wake = resolve));
      this.dirty = false;
      try {
        await this.reconcile(fence);
      } catch (err) {
        if (ZkError.is(err, "SESSIONEXPIRED") || !this.running) break;
        this.dirty = true;
        await new Promise((r) => setTimeout(r, 50));
      }
    }
  }

  stop(): void {
    this.running = false;
    this.wake?.();
  }

  async resign(): Promise<void> {
    this.stop();
    await this.election.resign();
  }

  private poke = () => {
    this.dirty = true;
    const wake = this.wake;
    this.wake = undefined;
    wake?.();
  };

  private async reconcile(fence: string): Promise<void> {
    const { client, layout } = this;
    const workers = new Set(await client.getChildren(layout.workers, this.poke));
    const tasks = await client.getChildren(layout.tasks, this.poke);
    const done = new Set(await client.getChildren(layout.status, this.poke));
    const assigned = new Set<string>();
    for (const worker of await client.getChildren(layout.assign, this.poke)) {
      const items = await client.getChildren(layout.assignments(worker), this.poke).catch(() => [] as string[]);
      if (workers.has(worker)) {
        for (const task of items) assigned.add(task);
        continue;
      }
      // The worker's session is gone: take its unfinished tasks back.
      const txn = client.transaction().check(fence, 0);
      for (const task of items) txn.delete(layout.assignment(worker, task));
      txn.delete(layout.assignments(worker));
      await txn.commit().catch((err: unknown) => {
        if (!ZkError.is(err, "NONODE") && !ZkError.is(err, "NOTEMPTY")) throw err;
      });
      if (items.length > 0) this.log(`took back ${items.length} task(s) of dead worker ${worker}`);
    }
    const live = [...workers].sort();
    if (live.length === 0) return;
    for (const task of tasks.sort()) {
      if (done.has(task) || assigned.has(task)) continue;
      const worker = live[this.nextWorker++ % live.length]!;
      try {
        await client.mkdirp(layout.assignments(worker));
        await client.transaction().check(fence, 0).create(layout.assignment(worker, task)).commit();
      } catch (err) {
        if (ZkError.is(err, "NODEEXISTS")) continue;
        throw err;
      }
    }
  }
}
