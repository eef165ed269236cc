import { type Operation, checkUniqueIds } from "@zkts/checker";
import type { Workload, WorkloadVerdict } from "./workload.js";

const ROOT = "/zkts-lab-ids";
const PREFIX = "id-";

/**
 * Unique ids from sequential znodes: each `generate` creates a PERSISTENT_SEQUENTIAL child and
 * returns its sequence number. No two acknowledged creates may return the same number (a
 * leader that handed out a counter twice, or two leaders at once), and every acknowledged id
 * must still be there in the final reads (the create was durable).
 */
export function uniqueIdsWorkload(): Workload {
  return {
    name: "unique-ids",
    async setup(client) {
      await client.mkdirp(ROOT);
    },
    async step(worker) {
      if (!worker.mayWrite) {
        await worker.perform("read", undefined, null, true, async (client) => (await client.getChildren(ROOT)).length);
        return;
      }
      await worker.perform("generate", undefined, worker.index, false, async (client) => {
        const { path } = await client.create(`${ROOT}/${PREFIX}`, String(worker.index), { mode: "PERSISTENT_SEQUENTIAL" });
        return sequenceOf(path.substring(ROOT.length + 1));
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
          return (await client.getChildren(ROOT)).map(sequenceOf).sort((a, b) => a - b);
        },
        { final: true },
      );
    },
    check(history) {
      return checkIds(history.operations);
    },
  };
}

function sequenceOf(name: string): number {
  return Number(name.substring(PREFIX.length));
}

/** checkUniqueIds, plus: every acknowledged id is in every member's final read. */
export function checkIds(operations: readonly Operation[]): WorkloadVerdict {
  const unique = checkUniqueIds(operations, "generate");
  const finals = operations.filter((op) => op.f === "read" && op.status === "ok" && op.metadata?.final === true);
  const problems = [...unique.problems];
  const acknowledged = operations.filter((op) => op.f === "generate" && op.status === "ok").map((op) => op.output as number);
  let lost = 0;
  for (const read of finals) {
    const present = new Set(read.output as number[]);
    const missing = acknowledged.filter((id) => !present.has(id));
    lost = Math.max(lost, missing.length);
    if (missing.length > 0) problems.push(`final read ${read.id}: ${missing.length} acknowledged ids missing: ${missing.slice(0, 20).join(" ")}`);
  }
  return {
    valid: problems.length > 0 ? false : finals.length === 0 ? "unknown" : true,
    checker: "unique ids, durable",
    problems,
    figures: {
      generated: unique.detail.count,
      duplicates: unique.detail.duplicates.size,
      unknownOutcomes: operations.filter((op) => op.f === "generate" && op.status === "unknown").length,
      finalReads: finals.length,
      lost,
    },
  };
}
