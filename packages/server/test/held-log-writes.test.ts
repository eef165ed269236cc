import { describe, expect, it } from "vitest";
import { HeldLogWrites } from "../src/quorum/held-log-writes.js";

// The unsafe mode ack-before-fsync holds log writes back: none is issued before its hold ends,
// they are issued in the order they were held, and drained() waits for every one.
describe("HeldLogWrites (unsafe mode ack-before-fsync)", () => {
  it("issues each write no earlier than holdMs after it was held, in order", async () => {
    const holdMs = 80;
    const held = new HeldLogWrites(
      holdMs,
      () => performance.now(),
      (err) => {
        throw err;
      },
    );
    const issued: { id: number; atMs: number }[] = [];
    const heldAt: number[] = [];
    for (let id = 0; id < 3; id++) {
      heldAt.push(performance.now());
      held.hold(async () => {
        issued.push({ id, atMs: performance.now() });
      });
    }
    expect(issued).toEqual([]);
    await held.drained();
    expect(issued.map((w) => w.id)).toEqual([0, 1, 2]);
    for (const w of issued) expect(w.atMs - heldAt[w.id]!).toBeGreaterThanOrEqual(holdMs - 2);
  });

  it("reports a failed write and goes on with the next", async () => {
    const errors: unknown[] = [];
    const held = new HeldLogWrites(
      1,
      () => performance.now(),
      (err) => errors.push(err),
    );
    let second = false;
    held.hold(async () => {
      throw new Error("disk full");
    });
    held.hold(async () => {
      second = true;
    });
    await held.drained();
    expect((errors[0] as Error).message).toBe("disk full");
    expect(second).toBe(true);
  });
});
