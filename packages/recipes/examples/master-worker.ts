#!/usr/bin/env node
import { parseArgs } from "node:util";
import { connect, type ZkClient } from "@zkts/client";
import { Layout } from "./master-worker/layout.js";
import { Master } from "./master-worker/master.js";
import { Submitter } from "./master-worker/submitter.js";
import { Worker } from "./master-worker/worker.js";

/**
 * The classic ZooKeeper master-worker application in one command:
 *
 *   node dist/examples/master-worker.js --server 127.0.0.1:2181 [--root /mw] [--masters 2]
 *        [--workers 3] [--tasks 20]
 *
 * runs master candidates, workers and a submitter (each with its own session) against any
 * ensemble, waits for every task and prints the results. With --role master|worker it runs one
 * long-lived process of that kind instead, so the pieces can be started and killed separately.
 */
const USAGE = `usage: master-worker --server HOST:PORT[,...] [--root /mw] [--masters 2] [--workers 3] [--tasks 20]
       master-worker --server HOST:PORT[,...] --role master|worker [--id NAME] [--root /mw]

Runs ZooKeeper's master-worker application against the ensemble given (it writes under --root).
  --server   the ensemble (required: the example never guesses whose server to write to)
  --root     the application's znode (default /mw)
  --masters, --workers, --tasks   the demo's sizes (defaults 2, 3, 20)
  --role     run one long-lived master or worker instead of the demo; --id names it
  -h, --help print this help`;

function parseOptions(): Record<string, string | undefined> {
  try {
    const { values } = parseArgs({
      options: {
        server: { type: "string" },
        root: { type: "string" },
        masters: { type: "string" },
        workers: { type: "string" },
        tasks: { type: "string" },
        role: { type: "string" },
        id: { type: "string" },
        help: { type: "boolean", short: "h" },
      },
    });
    if (values.help === true) {
      process.stdout.write(`${USAGE}\n`);
      process.exit(0);
    }
    if (values.server === undefined) throw new Error("--server is required");
    return values as Record<string, string | undefined>;
  } catch (err) {
    process.stderr.write(`master-worker: ${(err as Error).message}\n${USAGE}\n`);
    process.exit(2);
  }
}

const options = parseOptions();
function option(name: string, fallback: string): string {
  return options[name] ?? fallback;
}

const server = options.server!;
const layout = new Layout(option("root", "/mw"));
const log = (line: string) => process.stdout.write(`${new Date().toISOString()} ${line}\n`);
const handler = async (input: Buffer) => Buffer.from(input.toString().toUpperCase());

async function session(): Promise<ZkClient> {
  return connect(server, { sessionTimeoutMs: 10_000 });
}

async function main(): Promise<void> {
  const role = option("role", "demo");
  const setupClient = await session();
  await new Submitter(setupClient, layout).setup();
  if (role === "master") {
    const master = new Master(setupClient, layout, option("id", `master-${process.pid}`), log);
    await master.run();
    return;
  }
  if (role === "worker") {
    const worker = new Worker(setupClient, layout, option("id", `worker-${process.pid}`), handler);
    await worker.run();
    return;
  }
  const clients: ZkClient[] = [setupClient];
  const masters: Master[] = [];
  const workers: Worker[] = [];
  for (let i = 0; i < Number(option("masters", "2")); i++) {
    const c = await session();
    clients.push(c);
    masters.push(new Master(c, layout, `master-${i}`, log));
  }
  for (let i = 0; i < Number(option("workers", "3")); i++) {
    const c = await session();
    clients.push(c);
    workers.push(new Worker(c, layout, `worker-${i}`, handler));
  }
  const running = [...masters.map((m) => m.run()), ...workers.map((w) => w.run())];
  const submitter = new Submitter(setupClient, layout);
  const tasks: string[] = [];
  for (let i = 0; i < Number(option("tasks", "20")); i++) tasks.push(await submitter.submit(`task number ${i}`));
  const results = await submitter.waitForAll(tasks, 120_000);
  for (const task of tasks) log(`${task} -> ${results.get(task)}`);
  for (const w of workers) log(`${w.id} completed ${w.completed.length} task(s)`);
  for (const m of masters) m.stop();
  for (const w of workers) w.stop();
  for (const c of clients) await c.close();
  await Promise.allSettled(running);
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    process.stderr.write(`${(err as Error).stack ?? String(err)}\n`);
    process.exit(1);
  },
);
