import { describe, expect, it } from "vitest";
import { SnapshotTrigger } from "../src/index.js";
import { seededRandom, testSeed } from "./support/fixtures.js";

function txnsUntilDue(trigger: SnapshotTrigger): number {
  let n = 0;
  while (!trigger.record()) n++;
  return n + 1;
}

describe("snapshot trigger", () => {
  it("fires after snapCount/2 + randRoll + 1 txns, randRoll drawn from the random source", () => {
    const draws = [0, 0.5, 0.999];
    let i = 0;
    const trigger = new SnapshotTrigger({ snapCount: 100, snapSizeLimit: 0, random: () => draws[i++ % 3]! });
    // First roll 0 → threshold 50, fires on txn 51.
    expect(trigger.txnThreshold).toBe(50);
    expect(txnsUntilDue(trigger)).toBe(51);
    trigger.reset(); // draws 0.5 → randRoll 25
    expect(txnsUntilDue(trigger)).toBe(76);
    trigger.reset(); // draws 0.999 → randRoll 49, the largest possible
    expect(txnsUntilDue(trigger)).toBe(100);
  });

  it("spreads thresholds uniformly over [snapCount/2, snapCount) with a seeded source", () => {
    const seed = testSeed("snapshot trigger");
    const trigger = new SnapshotTrigger({ snapCount: 10, snapSizeLimit: 0, random: seededRandom(seed) });
    const seen = new Set<number>();
    for (let round = 0; round < 500; round++) {
      const threshold = trigger.txnThreshold;
      expect(threshold).toBeGreaterThanOrEqual(5);
      expect(threshold).toBeLessThan(10);
      seen.add(threshold);
      trigger.reset();
    }
    expect([...seen].sort()).toEqual([5, 6, 7, 8, 9]);
  });

  it("also fires on logged bytes past snapSizeLimit/2 + randSize", () => {
    const trigger = new SnapshotTrigger({ snapCount: 1_000_000, snapSizeLimit: 10_000, random: () => 0 });
    expect(trigger.record(4_000)).toBe(false);
    expect(trigger.record(1_000)).toBe(false);
    expect(trigger.record(1)).toBe(true);
  });

  it("rejects snapCount below 2", () => {
    expect(() => new SnapshotTrigger({ snapCount: 1, random: Math.random })).toThrow(/at least 2/);
  });
});

describe("snapshot trigger, counting a batch at once", () => {
  it("adds a batch's txns and bytes before asking either rule", () => {
    const trigger = new SnapshotTrigger({ snapCount: 100, snapSizeLimit: 10_000, random: () => 0 });
    expect(trigger.recordBatch(50, 4_000)).toBe(false);
    expect(trigger.recordBatch(1, 0)).toBe(true);
    trigger.reset();
    expect(trigger.recordBatch(3, 5_001)).toBe(true);
  });
});
