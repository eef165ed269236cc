import { ZkError, type ZkClient } from "@zkts/client";
import type { Workload } from "./workload.js";
import { DefiniteFailure, type Worker } from "./worker.js";
import { type GuardedWrite, checkFencedLock } from "./lock-check.js";

const ROOT = "/zkts-lab-lock";
const LOCK = `${ROOT}/lock`;
/** The resource the lock protects: written only by guarded writes. */
const RESOURCE = `${ROOT}/resource`;

/** Guarded writes a hold tries at most, counting those that failed or timed out. */
const HOLD_ATTEMPTS_MAX = 100;

/** What a worker believes it holds: its lock node and that node's czxid, the fencing token. */
interface Hold {
  readonly node: string;
  readonly token: string;
  writesLeft: number;
  /** A bound on tries, whatever their outcome. */
  attemptsLeft: number;
  /** A guarded write was refused because the lock node is gone: the hold ended without us. */
  fenced: boolean;
}

/**
 * The classic lock (ephemeral sequential children, the lowest holds; a waiter watches its
 * predecessor) with fencing: while it believes it holds the lock a worker does guarded writes,
 * each a multi that checks its own lock node still exists and sets the resource at the version
 * it read. A holder that was paused past its session timeout wakes believing it still holds;
 * its writes must then be refused (NONODE on the check). The check: the guarded writes of two
 * holds never interleave, and their tokens never go back (see lock-check.ts).
 */
export function lockWorkload(): Workload {
  const holds = new Map<number, Hold>();
  return {
    name: "lock",
    async setup(client) {
      await client.mkdirp(LOCK);
      await client.create(RESOURCE, JSON.stringify({ token: "0" }));
    },
    async step(worker, random) {
      const hold = holds.get(worker.index);
      if (!worker.mayWrite) {
        await worker.perform("read", RESOURCE, null, true, async (client) => JSON.parse((await client.getData(RESOURCE)).data.toString("utf8")) as unknown);
        return;
      }
      if (hold === undefined) {
        const acquired = await acquire(worker);
        if (acquired !== null) {
          holds.set(worker.index, { ...acquired, writesLeft: 1 + random.below(7), attemptsLeft: HOLD_ATTEMPTS_MAX, fenced: false });
          offerHolder(worker, holds.get(worker.index)!);
        }
        return;
      }
      if (hold.writesLeft > 0 && hold.attemptsLeft > 0 && !hold.fenced) {
        const okBefore = worker.counts.ok;
        await guardedWrite(worker, hold);
        // Only a write that went through counts: a holder cut off (or paused) keeps its belief
        // and writes again when it can, as a paused process carries on when it wakes.
        hold.attemptsLeft--;
        if (worker.counts.ok > okBefore) hold.writesLeft--;
        offerHolder(worker, hold);
        return;
      }
      holds.delete(worker.index);
      if (worker.env.controls.lockHolderMember === worker.member) worker.env.controls.lockHolderMember = null;
      await release(worker, hold);
    },
    async finalReads(worker) {
      await worker.perform(
        "read",
        RESOURCE,
        null,
        true,
        async (client) => {
          await client.sync(RESOURCE);
          return JSON.parse((await client.getData(RESOURCE)).data.toString("utf8")) as unknown;
        },
        { final: true },
      );
    },
    check(history) {
      return checkFencedLock(history.operations);
    },
  };
}

/**
 * Tells the schedule which member's client holds the lock (a scenario may fault that link),
 * while the hold has writes to go: a fault that lands on a hold about to end would catch its
 * release instead of a holder that carries on.
 */
function offerHolder(worker: Worker, hold: Hold): void {
  const controls = worker.env.controls;
  if (hold.writesLeft >= HOLDER_OFFERED_WRITES_MIN && !hold.fenced) controls.lockHolderMember = worker.member;
  else if (controls.lockHolderMember === worker.member) controls.lockHolderMember = null;
}

/** A hold is offered as the lock holder while it has at least this many writes to go. */
const HOLDER_OFFERED_WRITES_MIN = 3;

/**
 * One acquire: create the node, then wait (at most most of the op timeout) until no node
 * precedes it. A wait that runs out deletes the node and is a definite failure; anything that
 * leaves the node's fate unknown drops the session, so no forgotten node blocks the lock.
 */
async function acquire(worker: Worker): Promise<{ node: string; token: string } | null> {
  let acquired: { node: string; token: string } | null = null;
  const processBefore = worker.process;
  const okBefore = worker.counts.ok;
  await worker.perform("acquire", LOCK, worker.index, false, async (client) => {
    const deadline = performance.now() + worker.env.opTimeoutMs * 0.7;
    const { path, stat } = await client.create(`${LOCK}/n-`, String(worker.index), { mode: "EPHEMERAL_SEQUENTIAL" });
    const token = (stat?.czxid ?? -1n).toString();
    await waitUntilLowest(client, path, deadline);
    acquired = { node: path, token };
    return { node: path, token };
  });
  if (worker.counts.ok === okBefore) {
    // Not acquired. Unknown outcome (a new process): the node may linger in our session.
    if (worker.process !== processBefore) worker.dropSession();
    return null;
  }
  return acquired;
}

async function waitUntilLowest(client: ZkClient, node: string, deadline: number): Promise<void> {
  const name = node.substring(LOCK.length + 1);
  for (let round = 0; round < 10_000; round++) {
    const children = (await client.getChildren(LOCK)).sort();
    const index = children.indexOf(name);
    if (index < 0) throw new DefiniteFailure("the lock node vanished while waiting (the session expired)");
    if (index === 0) return;
    const left = deadline - performance.now();
    if (left <= 0) {
      // Deleting our node is what makes the give-up definite; if it does not go through, the
      // error is an unknown outcome and the caller drops the session.
      await client.delete(node);
      throw new DefiniteFailure("gave up waiting for the lock");
    }
    let wake!: () => void;
    const woken = new Promise<void>((resolve) => (wake = resolve));
    const timer = setTimeout(wake, left);
    try {
      const stat = await client.exists(`${LOCK}/${children[index - 1]!}`, () => wake());
      if (stat !== null) await woken;
    } finally {
      clearTimeout(timer);
    }
  }
  throw new DefiniteFailure("too many wake-ups");
}

/**
 * A guarded write, through whatever session the worker has now (a holder whose session
 * expired carries on through a new one, unaware, as a paused process would).
 */
async function guardedWrite(worker: Worker, hold: Hold): Promise<void> {
  const write: GuardedWrite = { node: hold.node, token: hold.token, worker: worker.index };
  await worker.perform("write", RESOURCE, write, false, async (client) => {
    const { stat } = await client.getData(RESOURCE);
    try {
      const results = await client.transaction().check(hold.node, -1).setData(RESOURCE, JSON.stringify(write), stat.version).commit();
      const set = results[1];
      return { ...write, version: set?.type === "setData" ? set.stat.version : -1 };
    } catch (err) {
      if (err instanceof ZkError && err.failedOpIndex === 0 && ZkError.is(err, "NONODE")) {
        hold.fenced = true;
        throw new DefiniteFailure("fenced: the lock node is gone");
      }
      // Our own earlier write of unknown outcome may have landed meanwhile: nothing was applied.
      if (ZkError.is(err, "BADVERSION")) throw new DefiniteFailure("the resource changed since it was read");
      throw err;
    }
  });
}

async function release(worker: Worker, hold: Hold): Promise<void> {
  const okBefore = worker.counts.ok;
  await worker.perform("release", LOCK, hold.node, false, async (client) => {
    try {
      await client.delete(hold.node);
    } catch (err) {
      // Already gone with its session: released all the same.
      if (!ZkError.is(err, "NONODE")) throw err;
    }
    return hold.node;
  });
  // A release that may not have happened leaves a node that would block everyone: end the session.
  if (worker.counts.ok === okBefore) worker.dropSession();
}
