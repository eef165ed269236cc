import { readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { type RunningServer, repoRoot, startReferenceZooKeeper, startZkts } from "@zkts/testkit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type AllowedDifference, type Cell, type CellResult, judge } from "./matrix/cell.js";
import { cells, notes } from "./matrix/cells.js";
import { renderMatrix } from "./matrix/render.js";
import { removeMatrixWorkDir } from "./matrix/work-dir.js";

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
  removeMatrixWorkDir();
  if (process.env.MATRIX_WRITE === "1") {
    const rows = cells.filter((cell) => results.has(cell.name)).map((cell) => ({ cell, result: results.get(cell.name)! }));
    writeFileSync(join(repoRoot, "docs/clients.md"), renderMatrix(rows, notes));
  }
});

async function runCell(cell: Cell): Promise<CellResult> {
  const [onReference, onZkts] = await Promise.all([cell.run(reference.connectString), cell.run(zkts.connectString)]);
  return judge(cell.name, onReference, onZkts, allowed);
}

describe("judging a cell", () => {
  const ran = (stdout: string, code = 0) => ({ code, stdout, stderr: "" });
  const allowedHere: AllowedDifference[] = [{ cell: "c", reference: "x 1", zkts: "x 2", reason: "because" }];

  it("passes equal outputs once times and zxids are masked, and fails any other difference", () => {
    expect(judge("c", ran("a czxid=5 ctime=1733400000000\ndone"), ran("a czxid=9 ctime=1733400000123\ndone"), []).status).toBe("pass");
    expect(judge("c", ran("a 1\ndone"), ran("a 2\ndone"), []).status).toBe("differs");
    expect(judge("c", ran("a\ndone"), ran("a\ndone", 1), []).status).toBe("differs");
    expect(judge("c", ran("a\ndone"), ran("a"), []).status).toBe("differs");
  });

  it("allows only the listed difference of the listed cell, and calls a program that fails on ZooKeeper broken", () => {
    expect(judge("c", ran("x 1\ndone"), ran("x 2\ndone"), allowedHere)).toEqual({
      status: "allowed",
      differences: [{ line: 1, reference: "x 1", zkts: "x 2" }],
      reasons: ["because"],
    });
    expect(judge("d", ran("x 1\ndone"), ran("x 2\ndone"), allowedHere).status).toBe("differs");
    expect(judge("c", ran("x 1\ny\ndone"), ran("x 2\nz\ndone"), allowedHere).status).toBe("differs");
    expect(judge("c", ran("x 1", 1), ran("x 1\ndone"), allowedHere).status).toBe("broken");
  });
});

describe("client compatibility matrix", () => {
  for (const cell of cells) {
    it(`${cell.client}: ${cell.name}`, async () => {
      const result = await runCell(cell);
      results.set(cell.name, result);
      expect(["pass", "allowed"], JSON.stringify(result, null, 2)).toContain(result.status);
    }, 90_000);
  }
});
