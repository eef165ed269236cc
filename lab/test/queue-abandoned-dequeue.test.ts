import { createClient, type ZkClient } from "@zkts/client";
import { pairEvents } from "@zkts/checker";
import { CuttableProxy, type RunningServer, startZkts } from "@zkts/testkit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { setTimeout as sleep } from "node:timers/promises";
import { HistoryRecorder } from "../src/history/recorder.js";
import { SimRandom } from "../src/sim/random.js";
import { queueWorkload } from "../src/workloads/queue.js";
import { Worker, type WorkerEnvironment } from "../src/workloads/worker.js";

// A dequeue whose op timeout fires while its client is cut off from its member: the outcome is
// recorded as unknown and the worker moves on under a new process, but the client keeps the
// dequeue's requests until it reconnects and then sends them. Such a dequeue must not take an
// item afterwards, and a take already on the wire must be marked with the process the dequeue
// was recorded under; else the worker's next process seems to have taken two elements (found
// by the partitioned queue run, seed 87907). One zkts server, one proxy this test cuts.

/** Always picks `choice`: the queue workload's step enqueues on 0 and dequeues on 1. */
class FixedChoice extends SimRandom {
  constructor(private readonly choice: number) {
    super(0);
  }

  override below(): number {
    return this.choice;
  }
}

const OP_TIMEOUT_MS = 600;

describe("a queue dequeue that outlives its op timeout", () => {
  let server: RunningServer;
  let proxy: CuttableProxy;
  let admin: ZkClient;

  beforeAll(async () => {
    server = await startZkts();
    proxy = await CuttableProxy.start({ host: server.host, port: server.port });
    admin = createClient(server.connectString, { sessionTimeoutMs: 10_000 });
    await admin.ready();
  }, 60_000);

  afterAll(async () => {
    await admin?.close();
    await proxy?.close();
    await server?.cleanup();
  });

  it("takes nothing once recorded as unknown, and every take's marker names a process that returned it or is unknown", async () => {
    const workload = queueWorkload();
    await workload.setup(admin);
    const history = new HistoryRecorder(null);
    const env: WorkerEnvironment = { history, opTimeoutMs: OP_TIMEOUT_MS, sessionTimeoutMs: 10_000, readMode: "plain", controls: { writesEnabled: true } };
    const worker = new Worker(0, 1, proxy.connectString, env);
    for (let i = 0; i < 3; i++) await workload.step(worker, new FixedChoice(0));
    expect(worker.counts).toEqual({ ok: 3, fail: 0, info: 0 });

    // Cut the client off and let it notice, so its dequeue waits for a reconnect past the op
    // timeout (a request already on the wire would end in CONNECTIONLOSS at once instead).
    const disconnected = worker.client!.once("disconnected");
    proxy.block();
    await disconnected;
    const processBefore = worker.process;
    await workload.step(worker, new FixedChoice(1));
    expect(worker.counts.info).toBe(1);
    expect(worker.process).not.toBe(processBefore);

    // Heal: the abandoned dequeue's read goes out on the reconnect, then the worker's next
    // dequeue starts, a round trip behind it.
    const reconnected = worker.client!.once("connected");
    proxy.unblock();
    await reconnected;
    await workload.step(worker, new FixedChoice(1));
    expect(worker.counts.ok).toBe(4);
    // The abandoned chain is a few loopback round trips; let it finish before the drain.
    await sleep(500);
    await workload.finalReads(worker);

    const verdict = workload.check(pairEvents(history.events), { timeoutMs: 10_000 });
    process.stdout.write(`abandoned dequeue: ${JSON.stringify(verdict.figures)}\n`);
    expect(verdict.problems).toEqual([]);
    expect(verdict.valid).toBe(true);
    expect(verdict.figures).toMatchObject({ enqueued: 3, dequeueUnknown: 1, contradictingMarkers: 0, lost: 0 });
  }, 60_000);
});
