import { ZkError, type ZkClient } from "@zkts/client";
import { type Operation, checkQueueOrder } from "@zkts/checker";
import type { Workload, WorkloadVerdict } from "./workload.js";
import { DefiniteFailure, type Worker } from "./worker.js";

const ROOT = "/zkts-lab-queue";
const ITEMS = `${ROOT}/items`;
/** One marker per item taken, created by the same multi that deletes the item. */
const TAKEN = `${ROOT}/taken`;
/** A drain stops after this many dequeues per member (a bound, far above what a run enqueues). */
const DRAIN_MAX = 100_000;

/**
 * A FIFO queue of sequential znodes: enqueue creates `items/q-<seq>` holding the element;
 * dequeue lists the items, takes the lowest it can: reads it, then one multi deletes it and
 * creates `taken/<item>` holding the element and the taker. The marker is how the check
 * accounts for dequeues whose outcome is unknown (the connection died with the multi on the
 * wire): an element is lost only if it is neither dequeued, nor marked taken, nor left. After
 * the heal every member drains what is left. checkQueueOrder: nothing dequeued twice or
 * invented, FIFO between enqueues that do not overlap, no acknowledged enqueue lost.
 */
export function queueWorkload(): Workload {
  let serial = 0;
  return {
    name: "queue",
    async setup(client) {
      await client.mkdirp(ITEMS);
      await client.mkdirp(TAKEN);
    },
    async step(worker, random) {
      if (!worker.mayWrite) {
        await worker.perform("read", undefined, null, true, async (client) => (await client.getChildren(ITEMS)).length);
        return;
      }
      if (random.below(2) === 0) {
        const element = worker.index * 1_000_000 + ++serial;
        await worker.perform("enqueue", undefined, element, false, async (client) => {
          await client.create(`${ITEMS}/q-`, String(element), { mode: "PERSISTENT_SEQUENTIAL" });
          return element;
        });
        return;
      }
      await worker.perform("dequeue", undefined, null, false, (client) => dequeue(client, worker));
    },
    async finalReads(worker) {
      for (let i = 0; i < DRAIN_MAX; i++) {
        let empty = false;
        await worker.perform(
          "dequeue",
          undefined,
          null,
          false,
          async (client) => {
            if (i === 0) await client.sync(ITEMS);
            const element = await dequeue(client, worker);
            empty = element === null;
            return element;
          },
          { final: true },
        );
        if (empty) break;
        // A drain that cannot reach its member stops; another member's drain or the check says the rest.
        if (worker.counts.fail + worker.counts.info > 10) break;
      }
      await worker.perform(
        "read-taken",
        undefined,
        null,
        true,
        async (client) => {
          const markers: TakenMarker[] = [];
          for (const name of await client.getChildren(TAKEN)) markers.push(JSON.parse((await client.getData(`${TAKEN}/${name}`)).data.toString("utf8")) as TakenMarker);
          return markers;
        },
        { final: true },
      );
    },
    check(history) {
      return checkQueue(history.operations);
    },
  };
}

interface TakenMarker {
  readonly element: number;
  /** The history process whose dequeue took it. */
  readonly process: number;
}

/** Takes the lowest item this client can delete; null when the queue is empty. */
async function dequeue(client: ZkClient, worker: Worker): Promise<number | null> {
  const items = (await client.getChildren(ITEMS)).sort();
  for (const item of items) {
    let element: number;
    try {
      element = Number((await client.getData(`${ITEMS}/${item}`)).data.toString("utf8"));
    } catch (err) {
      if (ZkError.is(err, "NONODE")) continue;
      throw err;
    }
    const marker: TakenMarker = { element, process: worker.process };
    try {
      await client.transaction().delete(`${ITEMS}/${item}`).create(`${TAKEN}/${item}`, JSON.stringify(marker)).commit();
      return element;
    } catch (err) {
      // Another consumer took it first (the item is gone, or its marker exists): try the next.
      if (ZkError.is(err, "NONODE") || ZkError.is(err, "NODEEXISTS")) continue;
      throw err;
    }
  }
  if (items.length > 0) throw new DefiniteFailure(`all ${items.length} items listed were taken by others`);
  return null;
}

/** checkQueueOrder with the queue drained; markers account for dequeues of unknown outcome. */
export function checkQueue(operations: readonly Operation[]): WorkloadVerdict {
  const markerReads = operations.filter((op) => op.f === "read-taken" && op.status === "ok");
  const drainedEmpty = operations.some((op) => op.f === "dequeue" && op.status === "ok" && op.output === null && op.metadata?.final === true);
  const unknownDequeuers = new Set(operations.filter((op) => op.f === "dequeue" && op.status === "unknown").map((op) => op.process));
  const takenByUnknown = new Set<number>();
  for (const read of markerReads) for (const marker of read.output as TakenMarker[]) if (unknownDequeuers.has(marker.process)) takenByUnknown.add(marker.element);
  const result = checkQueueOrder(operations, { drained: drainedEmpty && markerReads.length > 0, takenByUnknownDequeues: [...takenByUnknown] });
  const count = (f: string, status: Operation["status"]) => operations.filter((op) => op.f === f && op.status === status).length;
  return {
    valid: !result.valid ? false : drainedEmpty && markerReads.length > 0 ? true : "unknown",
    checker: "FIFO queue: none dequeued twice, invented or lost, order",
    problems: drainedEmpty ? result.problems : [...result.problems, "no member drained the queue to empty after the heal"],
    figures: {
      enqueued: count("enqueue", "ok"),
      enqueueUnknown: count("enqueue", "unknown"),
      dequeued: operations.filter((op) => op.f === "dequeue" && op.status === "ok" && op.output !== null).length,
      dequeueUnknown: count("dequeue", "unknown"),
      takenByUnknownDequeues: takenByUnknown.size,
      lost: result.detail.lost.length,
      duplicated: result.detail.duplicated.length,
      reordered: result.detail.reordered.length,
    },
  };
}
