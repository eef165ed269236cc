import type { ZkClient } from "@zkts/client";
import type { Layout } from "./layout.js";

/** Submits tasks and reads results back. */
export class Submitter {
  constructor(
    private readonly client: ZkClient,
    private readonly layout: Layout,
  ) {}

  /** Creates the application's top-level nodes (idempotent). */
  async setup(): Promise<void> {
    for (const path of this.layout.all()) await this.client.mkdirp(path);
  }

  async submit(input: string): Promise<string> {
    const created = await this.client.create(`${this.layout.tasks}/task-`, input, { mode: "PERSISTENT_SEQUENTIAL" });
    return created.path.slice(this.layout.tasks.length + 1);
  }

  /** Results so far, by task name. */
  async results(): Promise<Map<string, string>> {
    const out = new Map<string, string>();
    for (const task of await this.client.getChildren(this.layout.status)) {
      out.set(task, (await this.client.getData(this.layout.result(task))).data.toString());
    }
    return out;
  }

  /** Waits (bounded) until every task in `tasks` has a result. */
  async waitForAll(tasks: readonly string[], timeoutMs: number): Promise<Map<string, string>> {
    const deadline = Date.now() + timeoutMs;
    for (let i = 0; i < 100_000; i++) {
      const changed = new Promise<void>((resolve) => {
        this.client.getChildren(this.layout.status, () => resolve()).catch(() => resolve());
      });
      const results = await this.results();
      if (tasks.every((t) => results.has(t))) return results;
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`${tasks.filter((t) => !results.has(t)).length} of ${tasks.length} tasks unfinished`);
      await Promise.race([changed, new Promise((r) => setTimeout(r, Math.min(left, 1000)))]);
    }
    throw new Error("too many wake-ups");
  }
}
