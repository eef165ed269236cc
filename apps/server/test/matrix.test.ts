import { readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import {
  type RunningEnsemble,
  type RunningServer,
  repoRoot,
  startReferenceEnsemble,
  startReferenceZooKeeper,
  startZkts,
  startZktsEnsemble,
} from "@zkts/testkit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type AllowedDifference, type Cell, type CellResult, judge } from "./matrix/cell.js";
import { cells, notes } from "./matrix/cells.js";
import { FAILOVER_ENSEMBLE_OPTIONS, FailoverRunner, type RoundResult } from "./matrix/failover.js";
import { renderMatrix } from "./matrix/render.js";
import { removeMatrixWorkDir } from "./matrix/work-dir.js";

/**
 * The client compatibility matrix, in two columns. Standalone: every cell's program runs
 * against a standalone zkts and a standalone ZooKeeper 3.8 at the same time. Ensemble: the same
 * programs run against a 3-member zkts ensemble and a 3-member ZooKeeper ensemble side by side,
 * each ensemble's leader killed (SIGKILL) while the programs of a round wait at their
 * checkpoints. In both,
 * the normalised outputs must match (or differ only as allowed-differences.json explains).
 * With MATRIX_WRITE=1 (`npm run matrix`), the results are written to docs/clients.md.
 */
const here = dirname(fileURLToPath(import.meta.url));
const allowed = JSON.parse(readFileSync(join(here, "matrix/allowed-differences.json"), "utf8")) as AllowedDifference[];
const results = new Map<string, CellResult>();
const ensembleResults = new Map<string, CellResult>();
const ensembleCells = cells.filter((cell) => cell.notInEnsemble === undefined);
let zkts: RunningServer;
let reference: RunningServer;
let zktsEnsemble: RunningEnsemble;
let referenceEnsemble: RunningEnsemble;
let onZktsEnsemble: FailoverRunner;
let onReferenceEnsemble: FailoverRunner;

beforeAll(async () => {
  const prepared = Promise.all(cells.map((cell) => cell.prepare?.()));
  [zkts, reference, zktsEnsemble, referenceEnsemble] = await Promise.all([
    startZkts(),
    startReferenceZooKeeper(),
    startZktsEnsemble(FAILOVER_ENSEMBLE_OPTIONS),
    startReferenceEnsemble(FAILOVER_ENSEMBLE_OPTIONS),
  ]);
  onZktsEnsemble = new FailoverRunner(zktsEnsemble);
  onReferenceEnsemble = new FailoverRunner(referenceEnsemble);
  await prepared;
}, 120_000);

afterAll(async () => {
  await Promise.all([zkts?.cleanup(), reference?.cleanup(), zktsEnsemble?.cleanup(), referenceEnsemble?.cleanup()]);
  removeMatrixWorkDir();
  if (process.env.MATRIX_WRITE === "1") {
    const rows = cells
      .filter((cell) => results.has(cell.name))
      .map((cell) => ({ cell, result: results.get(cell.name)!, ensemble: ensembleResults.get(cell.name) }));
    writeFileSync(join(repoRoot, "docs/clients.md"), renderMatrix(rows, notes));
  }
});

async function runCell(cell: Cell): Promise<CellResult> {
  const [onReference, onZkts] = await Promise.all([cell.run(reference.connectString), cell.run(zkts.connectString)]);
  return judge(cell.name, onReference, onZkts, allowed);
}

/**
 * Cells share a kill in rounds of this many (per server kind: twice as many programs run at
 * once). Larger rounds are quicker on the whole but crowd the machine's two cores.
 */
const ROUND_SIZE = 4;
const rounds = new Map<number, Promise<[RoundResult, RoundResult]>>();

/** The round holding `cell`, started on both ensembles side by side when first asked for. */
function roundOf(cell: Cell): Promise<[RoundResult, RoundResult]> {
  const index = Math.floor(ensembleCells.indexOf(cell) / ROUND_SIZE);
  let round = rounds.get(index);
  if (round === undefined) {
    const members = ensembleCells.slice(index * ROUND_SIZE, (index + 1) * ROUND_SIZE);
    round = Promise.all([onReferenceEnsemble.runRound(members), onZktsEnsemble.runRound(members)]);
    void round.then(([onReference, onZkts]) =>
      console.log(
        `round ${index + 1} (${members.map((m) => m.name).join(", ")}): new leader serving ${onReference.failoverMs?.toFixed(0)} ms after the kill on ZooKeeper, ${onZkts.failoverMs?.toFixed(0)} ms on zkts`,
      ),
    );
    rounds.set(index, round);
  }
  return round;
}

async function runCellWithFailover(cell: Cell): Promise<CellResult> {
  const [onReference, onZkts] = await roundOf(cell);
  const first = judge(cell.name, onReference.outputs.get(cell.name)!, onZkts.outputs.get(cell.name)!, allowed, "ensemble");
  if (first.status !== "broken" || !("detail" in first) || !first.detail.startsWith("the program fails against ZooKeeper")) return first;
  // The client program failed against ZooKeeper itself (node-zookeeper-client once threw from its
  // socket handler on the reconnect after the kill): a flake of the client, not a difference
  // between the servers. Its round runs once more, alone, on both ensembles, and that decides.
  console.log(`${cell.name}: ${first.detail.slice(0, 200)}; running its round once more`);
  const [againOnReference, againOnZkts] = await Promise.all([onReferenceEnsemble.runRound([cell]), onZktsEnsemble.runRound([cell])]);
  return judge(cell.name, againOnReference.outputs.get(cell.name)!, againOnZkts.outputs.get(cell.name)!, allowed, "ensemble");
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

  it("in the ensemble column, needs the checkpoint, masks connection-state lines, and applies only that column's allowances", () => {
    const lost = "yield:zookeeper_process returned an error: -4 - connection loss";
    expect(judge("c", ran("a\ndone"), ran("a\ndone"), [], "ensemble").status).toBe("broken");
    expect(judge("c", ran(`checkpoint\n${lost}\na\ndone`), ran("checkpoint\na\ndone"), [], "ensemble").status).toBe("pass");
    expect(judge("c", ran(`checkpoint\n${lost}\na\ndone`), ran("checkpoint\na\ndone"), [], "standalone").status).toBe("differs");
    const standaloneOnly: AllowedDifference[] = [{ ...allowedHere[0]!, column: "standalone" }];
    expect(judge("c", ran("checkpoint\nx 1\ndone"), ran("checkpoint\nx 2\ndone"), standaloneOnly, "ensemble").status).toBe("differs");
    expect(judge("c", ran("checkpoint\nx 1\ndone"), ran("checkpoint\nx 2\ndone"), allowedHere, "ensemble").status).toBe("allowed");
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

describe("client compatibility matrix, 3-member ensembles with the leader killed mid-run", () => {
  for (const cell of ensembleCells) {
    it(`${cell.client}: ${cell.name}`, async () => {
      const result = await runCellWithFailover(cell);
      ensembleResults.set(cell.name, result);
      expect(["pass", "allowed"], JSON.stringify(result, null, 2)).toContain(result.status);
    }, 90_000);
  }
});
