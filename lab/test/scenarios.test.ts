import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { findScenario, loadScenarios, parseScenario } from "../src/scenarios/library.js";
import { resolveGroups, resolveSteps } from "../src/scenarios/resolve.js";
import { expectationFor, runScenario } from "../src/scenarios/run-scenario.js";
import { SimRandom } from "../src/sim/random.js";

const seed = Number(process.env.LAB_SEED ?? 1 + Math.floor(Math.random() * 100_000));

describe("the scenario library", () => {
  it("every file parses, is named after its scenario, and states an expectation for both targets", () => {
    const scenarios = loadScenarios();
    expect(scenarios.length).toBeGreaterThanOrEqual(7);
    for (const s of scenarios) {
      expect(s.expect.zookeeper.why.length).toBeGreaterThan(0);
      expect(s.expect.zkts.why.length).toBeGreaterThan(0);
    }
  });

  it("names the field that is wrong in a bad file", () => {
    const good = JSON.stringify(findScenario("bridge"));
    expect(() => parseScenario(good.replace('"nodes":5', '"nodes":"five"'), "x.json")).toThrowError(/x\.json: \/nodes/);
    expect(() => parseScenario(good.replace('"follower1"', '"chief"'), "x.json")).toThrowError(/x\.json: \/steps\/0/);
    expect(() => parseScenario("{", "x.json")).toThrowError(/x\.json: not JSON/);
  });

  it("expects on a mixed ensemble what it states for ZooKeeper, with ZooKeeper's read mode", () => {
    const s = findScenario("leader-minority-sync-read");
    expect(expectationFor(s, "zkts")).toEqual(s.expect.zkts);
    expect(expectationFor(s, "zookeeper")).toEqual(s.expect.zookeeper);
    expect(expectationFor(s, "mixed:KKKKK")).toEqual(s.expect.zkts);
    expect(expectationFor(s, "mixed:ZZZZZ")).toEqual(s.expect.zookeeper);
    const mixed = expectationFor(s, "mixed:ZKZKK");
    expect([mixed.reads, mixed.verdict]).toEqual([s.expect.zookeeper.reads, s.expect.zookeeper.verdict]);
    expect(mixed.why).toContain(s.expect.zookeeper.why);
  });

  it("resolves roles to members: leader, followers by id, rest", () => {
    const roles = { leader: 3, followers: [1, 2, 4, 5], members: [1, 2, 3, 4, 5] };
    expect(resolveGroups([["leader", "follower1"], ["rest"]], roles)).toEqual([
      [1, 3],
      [2, 4, 5],
    ]);
    const [partition] = resolveSteps(
      findScenario("leader-minority-sync-read").steps.filter((s) => s.do === "partition"),
      roles,
      new SimRandom(1),
    );
    expect(partition!.action).toMatchObject({ do: "partition" });
    const deafOf1 = (partition!.action as { grudge: [number, number][] }).grudge.filter(([r]) => r === 1).map(([, s]) => s);
    expect(deafOf1.sort()).toEqual([2, 4, 5]);
  });
});

// ZOOKEEPER-1675 on real processes: the reference must show the stale read, zkts with
// linearizable reads must not. On the reference it is a race between the woken old leader's
// quorum check and the minority follower's syncs, won most of the time by the syncs: up to
// three runs (seeds seed, seed+1, seed+2) must show it once; zkts must be valid in its run.
const ATTEMPTS_ON_REFERENCE = 3;

describe(`leader-minority-sync-read (seed ${seed})`, () => {
  for (const target of ["zookeeper", "zkts"] as const) {
    it(`on ${target}: the outcome the scenario states`, async () => {
      const attempts = target === "zookeeper" ? ATTEMPTS_ON_REFERENCE : 1;
      for (let attempt = 0; attempt < attempts; attempt++) {
        const lines: string[] = [];
        const outcome = await runScenario(
          findScenario("leader-minority-sync-read"),
          { target, driver: "processes", seed: seed + attempt, out: mkdtempSync(join(tmpdir(), `zkts-lab-1675-${target}-`)) },
          (line) => lines.push(line),
        );
        process.stdout.write(`${lines.join("\n")}\n`);
        expect(outcome.run.crashes).toEqual([]);
        if (outcome.run.verdict === outcome.expected || attempt === attempts - 1) {
          expect(outcome.run.verdict).toBe(outcome.expected);
          if (target === "zookeeper") expect(outcome.run.check.problems.join("\n")).toMatch(/not linearizable at op \d+ \(process \d+ read/);
          return;
        }
      }
    }, 400_000);
  }
});

// A scenario of the catalogue on a mixed ensemble: the old leader's uncommitted txns are dropped
// by a leader of whichever kind the others elect (TRUNC or a snapshot between kinds).
describe(`old-leader-uncommitted-txn on mixed:ZKK (seed ${seed})`, () => {
  it("the outcome the scenario states for ZooKeeper, no member crashed", async () => {
    const lines: string[] = [];
    const outcome = await runScenario(
      findScenario("old-leader-uncommitted-txn"),
      { target: "mixed:ZKK", driver: "processes", seed, out: mkdtempSync(join(tmpdir(), "zkts-lab-mixed-scenario-")) },
      (line) => lines.push(line),
    );
    process.stdout.write(`${lines.join("\n")}\n`);
    expect(outcome.run.crashes).toEqual([]);
    expect(outcome.run.verdict).toBe("valid");
    expect(outcome.asExpected).toBe(true);
  }, 200_000);
});
