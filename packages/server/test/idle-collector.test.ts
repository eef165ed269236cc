/** The idle collector collects once after a burst of writes ends, and not during one or after a small one. */
import { describe, expect, it } from "vitest";
import { IdleCollector } from "../src/persistence/idle-collector.js";

describe("IdleCollector", () => {
  it("collects once a burst of enough txns has been quiet long enough", async () => {
    let collections = 0;
    const collector = new IdleCollector({ txnsMin: 100, quietMs: 1000, collect: async () => collections++ });
    collector.recordTxns(60, 0);
    collector.recordTxns(60, 500);
    await collector.check(1200); // still within the quiet time of the last txn
    expect(collections).toBe(0);
    await collector.check(1600);
    expect(collections).toBe(1);
    await collector.check(5000); // nothing new since
    expect(collections).toBe(1);
  });

  it("leaves small bursts alone and forgets what a snapshot's collection already took", async () => {
    let collections = 0;
    const collector = new IdleCollector({ txnsMin: 100, quietMs: 1000, collect: async () => collections++ });
    collector.recordTxns(99, 0);
    await collector.check(5000);
    expect(collections).toBe(0);
    collector.recordTxns(50, 6000);
    collector.collected();
    await collector.check(9000);
    expect(collections).toBe(0);
  });
});
