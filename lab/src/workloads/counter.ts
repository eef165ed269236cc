import { ZkError, type ZkClient } from "@zkts/client";
import { type Operation, checkCounter } from "@zkts/checker";
import type { Workload, WorkloadVerdict } from "./workload.js";
import { DefiniteFailure } from "./worker.js";

const ROOT = "/zkts-lab-counter";
const VALUE = `${ROOT}/value`;
const INCREMENTS = `${ROOT}/increments`;
/** A compare-and-set lost to a concurrent increment is retried this many times before the add fails. */
const CAS_TRIES = 5;

/**
 * A counter in one znode: an add reads the value and its version, then commits a multi that
 * sets the new value at that version and creates a sequential child under `increments` named
 * after the delta (as ClickHouse Keeper's Jepsen counter counts children). Reads sync first
 * (zkts's linearizable reads need no sync): each must lie between the adds acknowledged before
 * it and the adds attempted before it returned (checkCounter). The final reads also find the
 * value equal to the sum of the children's deltas: the multi applied both of its ops or none.
 */
export function counterWorkload(): Workload {
  const read = async (client: ZkClient, linearizable: boolean) => {
    if (!linearizable) await client.sync(VALUE);
    const { data } = await client.getData(VALUE);
    return Number(data.toString("utf8"));
  };
  return {
    name: "counter",
    async setup(client) {
      await client.mkdirp(INCREMENTS);
      await client.create(VALUE, "0");
    },
    async step(worker, random) {
      const linearizable = worker.env.readMode === "linearizable";
      if (random.below(3) === 0 || !worker.mayWrite) {
        await worker.perform("read", undefined, null, true, (client) => read(client, linearizable));
        return;
      }
      const delta = 1 + random.below(3);
      await worker.perform("add", undefined, delta, false, async (client) => {
        for (let attempt = 0; attempt < CAS_TRIES; attempt++) {
          const { data, stat } = await client.getData(VALUE);
          const next = Number(data.toString("utf8")) + delta;
          try {
            await client
              .transaction()
              .setData(VALUE, String(next), stat.version)
              .create(`${INCREMENTS}/d${delta}-`, null, { mode: "PERSISTENT_SEQUENTIAL" })
              .commit();
            return delta;
          } catch (err) {
            // Another add won the compare-and-set: nothing of this multi was applied.
            if (!ZkError.is(err, "BADVERSION")) throw err;
          }
        }
        throw new DefiniteFailure(`lost the compare-and-set ${CAS_TRIES} times`);
      });
    },
    async finalReads(worker) {
      await worker.perform(
        "read",
        undefined,
        null,
        true,
        async (client) => {
          const value = await read(client, false);
          const children = await client.getChildren(INCREMENTS);
          return { value, increments: children.length, sumOfIncrements: children.reduce((sum, name) => sum + Number(/^d(\d+)-/.exec(name)?.[1] ?? NaN), 0) };
        },
        { final: true },
      );
    },
    check(history) {
      return checkCounterRun(history.operations);
    },
  };
}

interface FinalCounterRead {
  readonly value: number;
  readonly increments: number;
  readonly sumOfIncrements: number;
}

/** checkCounter over every read (the final ones as their value), plus the multi's atomicity at the end. */
export function checkCounterRun(operations: readonly Operation[]): WorkloadVerdict {
  const finals = operations.filter((op) => op.f === "read" && op.status === "ok" && op.metadata?.final === true);
  const asValues = operations.map((op) => (finals.includes(op) ? { ...op, output: (op.output as FinalCounterRead).value } : op));
  const result = checkCounter(asValues);
  const problems = [...result.problems];
  for (const read of finals) {
    const final = read.output as FinalCounterRead;
    if (final.value !== final.sumOfIncrements) {
      problems.push(
        `final read ${read.id}: the value is ${final.value} but the increments' deltas sum to ${final.sumOfIncrements} (${final.increments} increments): a multi applied in part`,
      );
    }
  }
  const adds = operations.filter((op) => op.f === "add");
  return {
    valid: problems.length > 0 ? false : finals.length === 0 ? "unknown" : true,
    checker: "counter (reads within acknowledged and attempted adds), atomic multi",
    problems,
    figures: {
      reads: result.detail.reads.length,
      acknowledgedAdds: adds.filter((op) => op.status === "ok").length,
      unknownAdds: adds.filter((op) => op.status === "unknown").length,
      failedAdds: adds.filter((op) => op.status === "fail").length,
      finalValue: finals.length > 0 ? (finals[0]!.output as FinalCounterRead).value : "none",
    },
  };
}
