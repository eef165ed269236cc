import { ZkError } from "@zkts/client";
import { checkSetMembership } from "@zkts/checker";
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
      return {
        valid: result.valid,
        checker: result.checker,
        problems: result.problems,
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

function elements(children: string[]): number[] {
  return children
    .filter((name) => name.startsWith("e-"))
    .map((name) => Number(name.substring(2)))
    .sort((a, b) => a - b);
}
