// Property tests. Each prints its seed; CHECKER_SEED=<seed> replays it.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  casRegister,
  checkOperations,
  modelByName,
  pairEvents,
  seededRandom,
  simulateCasRegisterHistory,
  type Operation,
  type SimulationOptions,
} from "../src/index.js";
import { bruteForceLinearizable } from "./support/brute-force.js";
import { memoReferenceLinearizable } from "./support/memo-reference.js";
import { shapes, smallHistory } from "./support/random-histories.js";
import { testSeed } from "./support/seed.js";

const simulation = fc.record({
  seed: fc.integer({ min: 0, max: 2 ** 31 - 1 }),
  operations: fc.integer({ min: 1, max: 150 }),
  processes: fc.integer({ min: 1, max: 8 }),
  keys: fc.integer({ min: 1, max: 3 }),
  unknownRate: fc.constantFrom(0, 0, 0.05, 0.15),
});

function simulate(params: Omit<SimulationOptions, "random"> & { seed: number }): Operation[] {
  const events = simulateCasRegisterHistory({ ...params, random: seededRandom(params.seed) });
  return pairEvents(events).operations;
}

describe("histories of a sequential register run concurrently", () => {
  it("are linearizable", () => {
    const seed = testSeed("linearizable by construction");
    fc.assert(
      fc.property(simulation, (params) => {
        const ops = simulate(params);
        expect(checkOperations(casRegister(), ops).verdict).toBe("linearizable");
        if (ops.length <= 60) {
          expect(checkOperations(casRegister(), ops, { partition: false }).verdict).toBe("linearizable");
        }
      }),
      { seed, numRuns: 200 },
    );
  });

  // Proving a history wrong means exhausting the search, which grows exponentially with the
  // number of ops of unknown outcome (each stays concurrent with everything after it), so
  // these histories have fewer of them.
  const provable = fc.record({
    seed: fc.integer({ min: 0, max: 2 ** 31 - 1 }),
    operations: fc.integer({ min: 1, max: 120 }),
    processes: fc.integer({ min: 1, max: 8 }),
    keys: fc.integer({ min: 1, max: 3 }),
    unknownRate: fc.constantFrom(0, 0, 0.02, 0.04),
  });

  it("are not linearizable once a read returns a value nobody wrote", () => {
    const seed = testSeed("corrupted read");
    fc.assert(
      fc.property(provable, fc.nat(), (params, pick) => {
        const ops = simulate(params);
        const reads = ops.filter((op) => op.f === "read" && op.status === "ok");
        fc.pre(reads.length > 0);
        // 99 is outside the written values 0-4 and is not the initial nil: observable.
        reads[pick % reads.length]!.output = 99;
        expect(checkOperations(casRegister(), ops).verdict).toBe("not-linearizable");
      }),
      { seed, numRuns: 200 },
    );
  });
});

describe("agreement with a brute-force checker on small histories", () => {
  for (const [name, shape] of Object.entries(shapes)) {
    it(`${name}`, () => {
      const seed = testSeed(`brute force ${name}`);
      const verdicts = { linearizable: 0, "not-linearizable": 0 };
      fc.assert(
        fc.property(smallHistory(shape, 8, 2), (ops) => {
          const model = modelByName(name);
          const expected = bruteForceLinearizable(model, ops) ? "linearizable" : "not-linearizable";
          const result = checkOperations(model, ops);
          expect(result.verdict).toBe(expected);
          expect(checkOperations(model, ops, { partition: false }).verdict).toBe(expected);
          verdicts[expected]++;
        }),
        { seed, numRuns: 400 },
      );
      // The generator must exercise both outcomes, or the agreement says little.
      expect(verdicts.linearizable).toBeGreaterThan(10);
      expect(verdicts["not-linearizable"]).toBeGreaterThan(10);
    });
  }
});

describe("agreement with a memoized reference on medium histories full of unknown outcomes", () => {
  it("cas-register, with a read sometimes changed to another written value", () => {
    const seed = testSeed("memo reference");
    const verdicts = { linearizable: 0, "not-linearizable": 0 };
    const medium = fc.record({
      seed: fc.integer({ min: 0, max: 2 ** 31 - 1 }),
      // The reference is exponential in the number of unknown ops: keep it to a few dozen ms.
      operations: fc.integer({ min: 1, max: 20 }),
      processes: fc.integer({ min: 2, max: 6 }),
      keys: fc.integer({ min: 1, max: 2 }),
      unknownRate: fc.constantFrom(0.1, 0.2, 0.3),
      values: fc.constantFrom(2, 3),
    });
    fc.assert(
      fc.property(medium, fc.nat(), fc.integer({ min: 0, max: 2 }), (params, pick, value) => {
        const ops = pairEvents(simulateCasRegisterHistory({ ...params, random: seededRandom(params.seed) })).operations;
        const reads = ops.filter((op) => op.f === "read" && op.status === "ok");
        if (reads.length > 0 && pick % 3 !== 0) reads[pick % reads.length]!.output = value;
        const expected = memoReferenceLinearizable(casRegister(), ops) ? "linearizable" : "not-linearizable";
        expect(checkOperations(casRegister(), ops).verdict).toBe(expected);
        verdicts[expected]++;
      }),
      { seed, numRuns: 500 },
    );
    expect(verdicts.linearizable).toBeGreaterThan(10);
    expect(verdicts["not-linearizable"]).toBeGreaterThan(10);
  });
});
