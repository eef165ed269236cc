import fc from "fast-check";
import { SetWatches, SetWatches2, JuteReader, OpCode } from "@zkts/jute";
import { describe, expect, it } from "vitest";
import { setWatchesBatches } from "../src/core/set-watches.js";
import { WatchTable, type WatchKind } from "../src/core/watch-table.js";

const seed = Number(process.env.FC_SEED ?? Date.now() % 2 ** 31);

describe("setWatchesBatches", () => {
  it(`re-registers every watch exactly once in batches under the limit (seed ${seed})`, () => {
    console.log(`setWatchesBatches property seed: ${seed}`);
    const kinds: WatchKind[] = ["data", "exist", "child", "persistent", "persistentRecursive"];
    const entry = fc.record({ kind: fc.constantFrom(...kinds), path: fc.stringMatching(/^\/[a-z]{1,40}$/) });
    fc.assert(
      fc.property(fc.array(entry, { maxLength: 200 }), fc.integer({ min: 40, max: 500 }), (entries, limit) => {
        const table = new WatchTable();
        for (const e of entries) table.add(e.kind, e.path, () => {});
        const batches = setWatchesBatches(table, 7n, limit);
        const v2 = table.paths("persistent").length + table.paths("persistentRecursive").length > 0;
        const got: Record<string, string[]> = { data: [], exist: [], child: [], persistent: [], persistentRecursive: [] };
        for (const batch of batches) {
          expect(batch.opCode).toBe(v2 ? OpCode.setWatches2 : OpCode.setWatches);
          const record = v2
            ? SetWatches2.read(new JuteReader(batch.body))
            : { persistentWatches: [], persistentRecursiveWatches: [], ...SetWatches.read(new JuteReader(batch.body)) };
          expect(record.relativeZxid).toBe(7n);
          const lists = [record.dataWatches, record.existWatches, record.childWatches, record.persistentWatches, record.persistentRecursiveWatches];
          const all = lists.flat();
          const chars = all.reduce((n, p) => n + p.length, 0);
          expect(all.length > 0).toBe(true);
          if (all.length > 1) expect(chars).toBeLessThanOrEqual(limit);
          got.data!.push(...record.dataWatches);
          got.exist!.push(...record.existWatches);
          got.child!.push(...record.childWatches);
          got.persistent!.push(...record.persistentWatches);
          got.persistentRecursive!.push(...record.persistentRecursiveWatches);
        }
        for (const kind of kinds) expect(got[kind]!.sort()).toEqual(table.paths(kind).sort());
      }),
      { seed, numRuns: 200 },
    );
  });
});
