import { ZkError, type ZkClient } from "@zkts/client";
import type { Layout } from "./layout.js";

export type TaskHandler = (input: Buffer) => Promise<Buffer>;

/**
 * A worker: registers an ephemeral node, then runs what the master assigns to it. A result
 * is recorded with the assignment's deletion in one multi, so a task taken back from this
 * worker meanwhile cannot also be finished here: each task completes exactly once.
 */
export class Worker {
  private running = true;
  private wake: (() => void) | undefined;
  private dirty = true;
  /** Task names this worker committed results for. */
  readonly completed: string[] = [];

  constructor(
    private readonly client: ZkClient,
    private readonly layout: Layout,
    readonly id: string,
    private readonly handler: TaskHandler,
  ) {}

  async run(): Promise<void> {
    const { client, layout } = this;
    await client.mkdirp(layout.assignments(this.id));
    await client.create(layout.worker(this.id), null, { mode: "EPHEMERAL" });
    for (let round = 0; this.running && round < 1_000_000; round++) {
      if (!this.dirty) await new Promise<void>((resolve) => (this.wake = resolve));
      this.dirty = false;
      try {
        const tasks = await client.getChildren(layout.assignments(this.id), this.poke);
        for (const task of tasks.sort()) {
          if (!this.running) break;
          await this.execute(task);
        }
      } catch (err) {
        if (ZkError.is(err, "SESSIONEXPIRED") || ZkError.is(err, "NONODE") || !this.running) {
          if (ZkError.is(err, "NONODE")) {
            // The master took back everything (e.g. after a session hiccup); re-register.
            await client.mkdirp(layout.assignments(this.id)).catch(() => {});
            this.dirty = true;
            continue;
          }
          break;
        }
        this.dirty = true;
        await new Promise((r) => setTimeout(r, 50));
      }
    }
  }

  stop(): void {
    this.running = false;
    this.wake?.();
  }

  private poke = () => {
    this.dirty = true;
    const wake = this.wake;
    this.wake = undefined;
    wake?.();
  };

  private async execute(task: string): Promise<void> {
    const { client, layout } = this;
    let input: Buffer;
    try {
      input = (await client.getData(layout.task(task))).data;
    } catch (err) {
      if (ZkError.is(err, "NONODE")) return;
      throw err;
    }
    const output = await this.handler(input);
    try {
      await client.transaction().delete(layout.assignment(this.id, task)).create(layout.result(task), output).commit();
      this.completed.push(task);
    } catch (err) {
      // Taken back or already finished elsewhere: the result must not be recorded twice.
      if (ZkError.is(err, "NONODE") || ZkError.is(err, "NODEEXISTS")) return;
      throw err;
    }
  }
}
