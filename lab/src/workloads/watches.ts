import type { WatchEvent, ZkClient } from "@zkts/client";
import type { Workload } from "./workload.js";
import type { Worker } from "./worker.js";
import { checkWatches } from "./watches-check.js";

const ROOT = "/zkts-lab-watches";

/** A znode a worker made and will change once, then delete: each (event type, path) happens once. */
interface Life {
  readonly path: string;
  changed: boolean;
}

/**
 * Persistent recursive watches under churn: every worker session watches the workload's
 * subtree (addWatch PERSISTENT_RECURSIVE) and records every event it receives, and its session
 * events (disconnected, connected, expired), each as an operation of the watcher's own process.
 * Workers create znodes, change each once and delete it, so every event names one change. The
 * check (watches-check.ts): each acknowledged change made while a session watched is seen by
 * it, or falls in a gap around a disconnect the session reported (ZooKeeper re-registers
 * persistent watches on reconnect and the events of the gap are lost by design); nothing is
 * seen twice, invented or out of zxid order.
 */
export function watchesWorkload(options: { sessionTimeoutMs: number }): Workload {
  const lives = new Map<number, Life[]>();
  const watched = new WeakSet<ZkClient>();
  let serial = 0;
  return {
    name: "watches",
    async setup(client) {
      await client.mkdirp(ROOT);
    },
    async step(worker, random) {
      if (!(await ensureWatcher(worker, watched))) return;
      if (!worker.mayWrite) {
        await worker.perform("read", undefined, null, true, async (client) => (await client.getChildren(ROOT)).length);
        return;
      }
      const mine = lives.get(worker.index) ?? [];
      lives.set(worker.index, mine);
      if (mine.length === 0 || (mine.length < 5 && random.below(3) === 0)) {
        const path = `${ROOT}/n-${worker.index}-${++serial}`;
        const done = await changeOnce(worker, "create", path, async (client) => ({ zxid: String((await client.create(path, "0")).stat?.czxid ?? -1n) }));
        if (done) mine.push({ path, changed: false });
        return;
      }
      const index = random.below(mine.length);
      const life = mine[index]!;
      if (!life.changed) {
        // Whatever the outcome, the znode is not changed again (an unknown one may have landed).
        life.changed = true;
        const done = await changeOnce(worker, "set", life.path, async (client) => ({ zxid: String((await client.setData(life.path, "1")).mzxid) }));
        if (!done) mine.splice(index, 1);
        return;
      }
      mine.splice(index, 1);
      await changeOnce(worker, "delete", life.path, async (client) => {
        await client.delete(life.path);
        return {};
      });
    },
    async finalReads(worker) {
      await worker.perform("read", undefined, null, true, async (client) => (await client.getChildren(ROOT)).length, { final: true });
    },
    check(history) {
      return checkWatches(history.operations, { cover: (options.sessionTimeoutMs + COVER_SLACK_MS) * 1e6, grace: REREGISTER_GRACE_MS * 1e6 });
    },
  };
}

/**
 * Beyond the session timeout, how long before a reported disconnect events may already have
 * been lost: a follower that lost its leader keeps its clients for syncLimit ticks (1 s in the
 * lab) before it drops them.
 */
const COVER_SLACK_MS = 2000;
/** After "connected", the time the member may take to process the re-registration sent with it. */
const REREGISTER_GRACE_MS = 1000;

/** One change; true when it certainly happened. */
async function changeOnce(worker: Worker, f: "create" | "set" | "delete", path: string, action: (client: ZkClient) => Promise<object>): Promise<boolean> {
  const okBefore = worker.counts.ok;
  await worker.perform(f, path, null, false, action);
  return worker.counts.ok > okBefore;
}

/**
 * Makes sure the worker's current session watches the subtree. A registration that did not
 * certainly succeed ends the session: a watch registered behind our back would double events.
 */
async function ensureWatcher(worker: Worker, watched: WeakSet<ZkClient>): Promise<boolean> {
  if (worker.client !== null && watched.has(worker.client) && !["closed", "expired", "authFailed"].includes(worker.client.state)) return true;
  const history = worker.env.history;
  const process = history.newProcess();
  let session = "";
  const okBefore = worker.counts.ok;
  await worker.perform("watch", ROOT, null, true, async (client) => {
    session = client.sessionId.toString(16);
    const record = (f: string, value: unknown) => {
      // Events after the worker let the session go (the run's end) are not the run's.
      if (worker.client === client) {
        history.record(process, "invoke", f, undefined, value);
        history.record(process, "ok", f, undefined, value);
      }
    };
    await client.addWatch(ROOT, "persistentRecursive", (event: WatchEvent) => {
      if (event.type !== "None") record("event", { session, type: event.type, path: event.path });
    });
    client.on("disconnected", ({ reason }) => record("disconnected", { session, reason }));
    client.on("connected", () => record("connected", { session }));
    client.on("expired", () => record("expired", { session }));
    watched.add(client);
    return { session };
  });
  if (worker.counts.ok > okBefore) return true;
  worker.dropSession();
  return false;
}
