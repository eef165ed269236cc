import { ZkError, type ZkClient } from "@zkts/client";
import { type Operation, checkQueueOrder } from "@zkts/checker";
import type { Workload, WorkloadVerdict } from "./workload.js";
import { DefiniteFailure, type OperationContext } from "./worker.js";

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
 * wire, or the op timed out while its requests waited for a reconnect): an element is lost only
 * if it is neither dequeued, nor marked taken, nor left. The marker names the process the
 * dequeue was invoked under, and a dequeue whose outcome is already recorded starts no take:
 * else a timed-out dequeue still running would mark its take with the process the worker
 * moved on to, and that process's own dequeue would seem to have taken two elements. After
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
      await worker.perform("dequeue", undefined, null, false, dequeue);
    },
    async finalReads(worker) {
      for (let i = 0; i < DRAIN_MAX; i++) {
        let empty = false;
        await worker.perform(
          "dequeue",
          undefined,
          null,
          false,
          async (client, operation) => {
            if (i === 0) await client.sync(ITEMS);
            const element = await dequeue(client, operation);
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
          for (const name of await client.getChildren(TAKEN))
            markers.push(JSON.parse((await client.getData(`${TAKEN}/${name}`)).data.toString("utf8")) as TakenMarker);
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
async function dequeue(client: ZkClient, operation: OperationContext): Promise<number | null> {
  const items = (await client.getChildren(ITEMS)).sort();
  for (const item of items) {
    let element: number;
    try {
      element = Number((await client.getData(`${ITEMS}/${item}`)).data.toString("utf8"));
    } catch (err) {
      if (ZkError.is(err, "NONODE")) continue;
      throw err;
    }
    const marker: TakenMarker = { element, process: operation.process };
    operation.signal.throwIfAborted();
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

/**
 * checkQueueOrder with the queue drained; markers account for dequeues of unknown outcome. A
 * marker whose process neither returned its element nor has an unknown outcome contradicts the
 * history (a take applied while its client saw it fail or take another): reported as such.
 */
export function checkQueue(operations: readonly Operation[]): WorkloadVerdict {
  const markerReads = operations.filter((op) => op.f === "read-taken" && op.status === "ok");
  const drainedEmpty = operations.some((op) => op.f === "dequeue" && op.status === "ok" && op.output === null && op.metadata?.final === true);
  const dequeues = operations.filter((op) => op.f === "dequeue");
  const unknownDequeuers = new Set(dequeues.filter((op) => op.status === "unknown").map((op) => op.process));
  const returnedBy = new Set(dequeues.filter((op) => op.status === "ok" && op.output !== null).map((op) => `${op.process}:${String(op.output)}`));
  const takenByUnknown = new Set<number>();
  const contradicting = new Map<number, number>();
  for (const read of markerReads) {
    for (const marker of read.output as TakenMarker[]) {
      if (unknownDequeuers.has(marker.process)) takenByUnknown.add(marker.element);
      else if (!returnedBy.has(`${marker.process}:${marker.element}`)) contradicting.set(marker.element, marker.process);
    }
  }
  const result = checkQueueOrder(operations, {
    drained: drainedEmpty && markerReads.length > 0,
    takenByUnknownDequeues: [...takenByUnknown, ...contradicting.keys()],
  });
  const problems = [
    ...result.problems,
    ...[...contradicting].map(
      ([element, process]) => `${element} is marked taken by process ${process}, which never returned it and has no dequeue of unknown outcome`,
    ),
    ...(drainedEmpty ? [] : ["no member drained the queue to empty after the heal"]),
  ];
  const count = (f: string, status: Operation["status"]) => operations.filter((op) => op.f === f && op.status === status).length;
  return {
    valid: !result.valid || contradicting.size > 0 ? false : drainedEmpty && markerReads.length > 0 ? true : "unknown",
    checker: "FIFO queue: none dequeued twice, invented or lost, order",
    problems,
    figures: {
      enqueued: count("enqueue", "ok"),
      enqueueUnknown: count("enqueue", "unknown"),
      dequeued: operations.filter((op) => op.f === "dequeue" && op.status === "ok" && op.output !== null).length,
      dequeueUnknown: count("dequeue", "unknown"),
      takenByUnknownDequeues: takenByUnknown.size,
      lost: result.detail.lost.length,
      contradictingMarkers: contradicting.size,
      duplicated: result.detail.duplicated.length,
      reordered: result.detail.reordered.length,
    },
  };
}
