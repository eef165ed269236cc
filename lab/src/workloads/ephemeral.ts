import { setTimeout as sleep } from "node:timers/promises";
import type { ZkClient } from "@zkts/client";
import type { Operation } from "@zkts/checker";
import type { Workload, WorkloadVerdict } from "./workload.js";
import { type Worker, withTimeout } from "./worker.js";

const ROOT = "/zkts-lab-ephemerals";

/**
 * Ephemeral znodes whose sessions die: each worker creates ephemerals in its session and now
 * and then lets the session die, as a crashed client would (the connection is cut and the
 * client never reconnects nor sends closeSession), then opens a new one. A session whose
 * connection drops for any other reason (a killed member, a member that lost its leader) is
 * given up the same way. Every session is dead by the final reads: the run closes the live
 * ones after the quiet period, and the final reads wait twice the session timeout more. So the
 * final reads (sync, list, and each child's ephemeralOwner) must find no ephemeral left.
 */
export function ephemeralsWorkload(): Workload {
  let serial = 0;
  const watched = new WeakSet<ZkClient>();
  const abandoned = new WeakSet<ZkClient>();
  return {
    name: "ephemerals",
    async setup(client) {
      await client.mkdirp(ROOT);
    },
    async step(worker, random) {
      const client = worker.client;
      if (client !== null && client.state === "connected" && watched.has(client) && random.below(5) === 0) {
        abandoned.add(client);
        await abandon(worker, client);
        return;
      }
      if (!worker.mayWrite) {
        await worker.perform("read", undefined, null, true, async (c) => (await c.getChildren(ROOT)).length);
        return;
      }
      const path = `${ROOT}/e-${worker.index}-${++serial}`;
      await worker.perform("create", path, null, false, async (c) => {
        watchForDeath(worker, c, watched, abandoned);
        await c.create(path, null, { mode: "EPHEMERAL" });
        return { path, session: sessionHex(c.sessionId) };
      });
    },
    async finalReads(worker) {
      // The run closed the workers' sessions just before; sessions that died earlier had the
      // quiet period too. Twice the timeout leaves the leader time to expire and close them all.
      await sleep(FINAL_READ_WAIT_TIMEOUTS * worker.env.sessionTimeoutMs);
      await worker.perform(
        "read",
        undefined,
        null,
        true,
        async (client) => {
          await client.sync(ROOT);
          const left: LeftEphemeral[] = [];
          for (const name of (await client.getChildren(ROOT)).sort()) {
            const stat = await client.exists(`${ROOT}/${name}`);
            if (stat !== null) left.push({ path: `${ROOT}/${name}`, owner: sessionHex(stat.ephemeralOwner) });
          }
          return left;
        },
        { final: true, waitedMs: FINAL_READ_WAIT_TIMEOUTS * worker.env.sessionTimeoutMs },
      );
    },
    check(history) {
      return checkEphemerals(history.operations);
    },
  };
}

/** The final reads come this many session timeouts after the run closed the last live session. */
const FINAL_READ_WAIT_TIMEOUTS = 2;

interface LeftEphemeral {
  readonly path: string;
  readonly owner: string;
}

export interface SessionDeath {
  readonly session: string;
  readonly reason: string;
  readonly timeoutMs: number;
}

function sessionHex(id: bigint): string {
  return BigInt.asUintN(64, id).toString(16);
}

/**
 * Gives the session up at its first disconnection: closing a client that is not connected
 * stops it without a closeSession, so the session can only end by expiring on the server. The
 * death is recorded (as an `abandon` operation of its own process) for the checker.
 */
function watchForDeath(worker: Worker, client: ZkClient, watched: WeakSet<ZkClient>, abandoned: WeakSet<ZkClient>): void {
  if (watched.has(client)) return;
  watched.add(client);
  client.on("disconnected", (event) => {
    const reason = abandoned.has(client) ? "abandoned by its worker" : `connection lost: ${event.reason}`;
    const death: SessionDeath = { session: sessionHex(client.sessionId), reason, timeoutMs: client.sessionTimeoutMs };
    const history = worker.env.history;
    const process = history.newProcess();
    history.record(process, "invoke", "abandon", undefined, death.session);
    history.record(process, "ok", "abandon", undefined, death);
    // Delivered before the client's reconnect timer can fire: it is still between connections.
    void client.close();
  });
}

/** Lets the worker's session die as a crashed client's would: the connection is cut, nothing more is sent. */
async function abandon(worker: Worker, client: ZkClient): Promise<void> {
  const closed = client.once("closed");
  client.severConnection();
  await withTimeout(closed, worker.env.opTimeoutMs, "abandon").catch(() => undefined);
}

/**
 * No ephemeral may be left by the final reads, since every session of the run is dead by then:
 * each one left is a violation naming the znode and its owner, with how that session ended.
 */
export function checkEphemerals(operations: readonly Operation[]): WorkloadVerdict {
  const deaths = new Map<string, { death: SessionDeath; atNs: number }>();
  for (const op of operations) {
    if (op.f === "abandon" && op.status === "ok") {
      const death = op.output as SessionDeath;
      deaths.set(death.session, { death, atNs: op.call });
    }
  }
  const sessions = new Set<string>();
  let created = 0;
  for (const op of operations) {
    if (op.f !== "create") continue;
    if (typeof op.metadata?.session === "string") sessions.add(op.metadata.session);
    if (op.status === "ok") created++;
  }
  const finals = operations.filter((op) => op.f === "read" && op.metadata?.final === true && op.status === "ok");
  const problems: string[] = [];
  const reported = new Set<string>();
  let left = 0;
  for (const read of finals) {
    for (const e of read.output as LeftEphemeral[]) {
      left++;
      if (reported.has(e.path)) continue;
      reported.add(e.path);
      const ended = deaths.get(e.owner);
      if (ended !== undefined) {
        const agoMs = Math.round((read.call - ended.atNs) / 1e6);
        problems.push(
          `${e.path}: ephemeral of session 0x${e.owner}, which died ${agoMs} ms before the final read (op ${read.id}; session timeout ${ended.death.timeoutMs} ms; ${ended.death.reason})`,
        );
      } else if (sessions.has(e.owner)) {
        problems.push(
          `${e.path}: ephemeral of session 0x${e.owner}, which the run closed at least ${String(read.metadata?.waitedMs)} ms before the final read (op ${read.id})`,
        );
      } else {
        problems.push(`${e.path}: ephemeral of session 0x${e.owner}, which no worker of the run ever used (op ${read.id})`);
      }
    }
  }
  return {
    valid: problems.length > 0 ? false : finals.length === 0 ? "unknown" : true,
    checker: "no ephemeral outlives its session",
    problems,
    figures: { created, sessions: sessions.size, died: deaths.size, finalReads: finals.length, left },
  };
}
