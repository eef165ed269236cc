import { ZkError } from "@zkts/client";
import { NO_FINAL_READ, type Operation, checkSetMembership } from "@zkts/checker";
import type { Workload } from "./workload.js";

const ROOT = "/zkts-lab-set";

/**
 * A grow-only set: each add creates a child znode named after a unique element; reads list
 * the children. No acknowledged add may be missing from the final read (after the heal and a
 * sync), and nothing may appear that was never added.
 */
export function setWorkload(): Workload {
  let serial = 0;
  return {
    name: "set",
    async setup(client) {
      await client.mkdirp(ROOT);
    },
    async step(worker, random) {
      if (random.below(10) === 0 || !worker.mayWrite) {
        await worker.perform("read", undefined, null, true, async (client) => elements(await client.getChildren(ROOT)));
        return;
      }
      const element = worker.index * 1_000_000 + ++serial;
      await worker.perform("add", undefined, element, false, async (client) => {
        try {
          await client.create(`${ROOT}/e-${element}`, null);
        } catch (err) {
          // A retried create that already took effect is the add having happened.
          if (!ZkError.is(err, "NODEEXISTS")) throw err;
        }
        return element;
      });
    },
    async finalReads(worker) {
      await worker.perform(
        "read",
        undefined,
        null,
        true,
        async (client) => {
          await client.sync(ROOT);
          return elements(await client.getChildren(ROOT));
        },
        { final: true },
      );
    },
    check(history) {
      const result = checkSetMembership(history.operations);
      const divergence = finalReadsDisagree(history.operations);
      // Without a final read (the ensemble never answered one) the adds are unchecked, not lost.
      const unchecked = result.detail.finalRead === undefined && result.problems.every((p) => p === NO_FINAL_READ);
      return {
        valid: divergence.length > 0 ? false : unchecked && !result.valid ? "unknown" : result.valid,
        checker: result.checker,
        problems: [...result.problems, ...divergence],
        figures: {
          acknowledged: result.detail.acknowledged,
          lost: result.detail.lost.length,
          unexpected: result.detail.unexpected.length,
          recovered: result.detail.recovered.length,
        },
      };
    },
  };
}

/**
 * After the heal every member is read (sync, then getChildren): members that still disagree
 * hold different histories (a txn one kept that the others never committed).
 */
function finalReadsDisagree(operations: readonly Operation[]): string[] {
  const finals = operations.filter((op) => op.f === "read" && op.status === "ok" && op.metadata?.final === true);
  const distinct = new Map<string, Operation[]>();
  for (const op of finals) {
    const text = JSON.stringify(op.output);
    distinct.set(text, [...(distinct.get(text) ?? []), op]);
  }
  if (distinct.size <= 1) return [];
  const sizes = [...distinct.values()].map((ops) => `${ops.map((o) => `op ${o.id}`).join(",")}: ${(ops[0]!.output as unknown[]).length} elements`);
  return [`the final reads of the members disagree (${sizes.join("; ")})`];
}

function elements(children: string[]): number[] {
  return children
    .filter((name) => name.startsWith("e-"))
    .map((name) => Number(name.substring(2)))
    .sort((a, b) => a - b);
}
