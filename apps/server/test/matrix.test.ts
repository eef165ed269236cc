import { readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { type RunningServer, repoRoot, startReferenceZooKeeper, startZkts } from "@zkts/testkit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type AllowedDifference, type Cell, type CellResult, judge } from "./matrix/cell.js";
import { cells, notes } from "./matrix/cells.js";
import { renderMatrix } from "./matrix/render.js";

/**
 * The client compatibility matrix: every cell's program runs against a standalone zkts and a
 * standalone ZooKeeper 3.8 at the same time, and the normalised outputs must match (or differ
 * only as allowed-differences.json explains). With MATRIX_WRITE=1 (`npm run matrix`), the
 * results are written to docs/clients.md.
 */
const here = dirname(fileURLToPath(import.meta.url));
const allowed = JSON.parse(readFileSync(join(here, "matrix/allowed-differences.json"), "utf8")) as AllowedDifference[];
const results = new Map<string, CellResult>();
let zkts: RunningServer;
let reference: RunningServer;

beforeAll(async () => {
  const prepared = Promise.all(cells.map((cell) => cell.prepare?.()));
  [zkts, reference] = await Promise.all([startZkts(), startReferenceZooKeeper()]);
  await prepared;
}, 120_000);

afterAll(async () => {
  await Promise.all([zkts?.cleanup(), reference?.cleanup()]);
  if (process.env.MATRIX_WRITE === "1") {
    const rows = cells.filter((cell) => results.has(cell.name)).map((cell) => ({ cell, result: results.get(cell.name)! }));
    writeFileSync(join(repoRoot, "docs/clients.md"), renderMatrix(rows, notes));
  }
});

async function runCell(cell: Cell): Promise<CellResult> {
  const [onReference, onZkts] = await Promise.all([cell.run(reference.connectString), cell.run(zkts.connectString)]);
  return judge(cell.name, onReference, onZkts, allowed);
}

describe("client compatibility matrix", () => {
  for (const cell of cells) {
    it(`${cell.client}: ${cell.name}`, async () => {
      const result = await runCell(cell);
      results.set(cell.name, result);
      expect(["pass", "allowed"], JSON.stringify(result, null, 2)).toContain(result.status);
    }, 90_000);
  }
});
