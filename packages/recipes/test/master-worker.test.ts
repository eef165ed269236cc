import type { ZkClient } from "@zkts/client";
import { CuttableProxy } from "@zkts/testkit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Layout } from "../examples/master-worker/layout.js";
import { Master } from "../examples/master-worker/master.js";
import { Submitter } from "../examples/master-worker/submitter.js";
import { Worker } from "../examples/master-worker/worker.js";
import { eventually, killSession, open, sleep } from "./support.js";
import { startTarget, targets, type TargetServer } from "./targets.js";

describe.each(targets)("master-worker example against %s", (kind) => {
  let server: TargetServer;

  beforeAll(async () => {
    server = await startTarget(kind);
  });

  afterAll(async () => {
    await server?.cleanup();
  });

  it("completes every task exactly once when the master and a worker crash mid-run", async () => {
    const layout = new Layout(`/mw-${process.pid}`);
    const proxies: CuttableProxy[] = [];
    const clients: ZkClient[] = [];
    const member = async () => {
      const proxy = await CuttableProxy.start({ host: server.host, port: server.port });
      proxies.push(proxy);
      const client = await open(proxy.connectString);
      clients.push(client);
      return { proxy, client };
    };
    const crash = async (m: { proxy: CuttableProxy; client: ZkClient }) => {
      const disconnected = m.client.once("disconnected");
      m.proxy.block();
      await disconnected;
      await killSession(m.client, server.connectString);
    };
    const admin = await open(server.connectString);
    clients.push(admin);
    try {
      const submitter = new Submitter(admin, layout);
      await submitter.setup();
      const executions = new Map<string, number>();
      const handler = async (input: Buffer) => {
        executions.set(input.toString(), (executions.get(input.toString()) ?? 0) + 1);
        await sleep(10);
        return Buffer.from(input.toString().toUpperCase());
      };
      const masters = [];
      for (let i = 0; i < 2; i++) {
        const m = await member();
        masters.push({ ...m, master: new Master(m.client, layout, `master-${i}`) });
      }
      const workers = [];
      for (let i = 0; i < 3; i++) {
        const m = await member();
        workers.push({ ...m, worker: new Worker(m.client, layout, `worker-${i}`, handler) });
      }
      const running = [...masters.map((m) => m.master.run()), ...workers.map((w) => w.worker.run())];
      const tasks: string[] = [];
      for (let i = 0; i < 40; i++) tasks.push(await submitter.submit(`task ${i}`));

      await eventually(async () => (await admin.getChildren(layout.status)).length >= 5, 30_000, "first results");
      const doneBeforeCrash = (await admin.getChildren(layout.status)).length;
      const active = masters.find((m) => m.master.isLeader)!;
      expect(masters.filter((m) => m.master.isLeader)).toHaveLength(1);
      await crash(active);
      active.master.stop();
      const victim = workers[0]!;
      await crash(victim);
      victim.worker.stop();

      // The crashes happened mid-run, not after the work was over.
      expect(doneBeforeCrash).toBeLessThan(tasks.length);
      const results = await submitter.waitForAll(tasks, 60_000);
      for (let i = 0; i < tasks.length; i++) expect(results.get(tasks[i]!)).toBe(`TASK ${i}`);
      // Exactly once, as the server saw it: one result node per task, never overwritten, and
      // no task committed by two workers. The crashed worker may have had one commit on the
      // wire whose reply it never got, so its own count can be one short.
      for (const task of tasks) expect((await admin.exists(layout.result(task)))?.version).toBe(0);
      expect((await admin.getChildren(layout.status)).length).toBe(tasks.length);
      const committed = workers.flatMap((w) => w.worker.completed);
      expect(new Set(committed).size).toBe(committed.length);
      expect(committed.length).toBeGreaterThanOrEqual(tasks.length - 1);
      expect(masters.filter((m) => m !== active && m.master.isLeader)).toHaveLength(1);
      for (const m of masters) m.master.stop();
      for (const w of workers) w.worker.stop();
      await Promise.race([Promise.allSettled(running), sleep(2000)]);
    } finally {
      for (const c of clients) await c.close();
      for (const p of proxies) await p.close();
    }
  });
});
