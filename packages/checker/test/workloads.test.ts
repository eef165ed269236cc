// Workload checkers that need no search: each one passes a good history and catches a bad one.
import { describe, expect, it } from "vitest";
import { NO_FINAL_READ, checkCounter, checkMutualExclusion, checkQueueOrder, checkSetMembership, checkUniqueIds } from "../src/index.js";
import { op } from "./support/ops.js";

describe("mutual exclusion", () => {
  it("accepts holds that follow one another, even when intervals of the ops overlap", () => {
    const ops = [
      op("acquire", null, null, 0, 2, { process: 1 }),
      op("release", null, null, 5, 7, { process: 1 }),
      op("acquire", null, null, 4, 8, { process: 2 }), // returned after the release was invoked
      op("release", null, null, 9, 10, { process: 2 }),
    ];
    expect(checkMutualExclusion(ops).valid).toBe(true);
  });

  it("reports two certain holds at once; failed acquires hold nothing", () => {
    const ops = [
      op("acquire", null, null, 0, 2, { process: 1 }),
      op("acquire", null, null, 1, 3, { process: 2 }),
      op("acquire", null, null, 1, 3, { process: 3, status: "fail" }),
      op("release", null, null, 6, 7, { process: 1 }),
      op("release", null, null, 6, 7, { process: 2 }),
    ];
    const result = checkMutualExclusion(ops);
    expect(result.valid).toBe(false);
    expect(result.detail.overlaps).toHaveLength(1);
    expect(result.detail.overlaps[0]!.map((h) => h.process).sort()).toEqual([1, 2]);
  });

  it("keeps different locks (keys) apart", () => {
    const ops = [
      op("acquire", null, null, 0, 2, { process: 1, key: "a" }),
      op("acquire", null, null, 1, 3, { process: 2, key: "b" }),
      op("release", null, null, 6, 7, { process: 1, key: "a" }),
      op("release", null, null, 6, 7, { process: 2, key: "b" }),
    ];
    expect(checkMutualExclusion(ops).valid).toBe(true);
  });
});

describe("unique ids", () => {
  it("finds a repeated sequential name", () => {
    const ops = ["/q-0000000001", "/q-0000000002", "/q-0000000002"].map((name, i) => op("generate", null, name, i, i + 1));
    const result = checkUniqueIds(ops);
    expect(result.valid).toBe(false);
    expect(result.detail.duplicates.get('"/q-0000000002"')).toHaveLength(2);
    expect(checkUniqueIds(ops.slice(0, 2)).valid).toBe(true);
  });
});

describe("counter", () => {
  it("bounds each read by the adds certainly and possibly applied", () => {
    const ops = [
      op("add", 1, null, 0, 1),
      op("add", 5, null, 2, 8, { process: 1 }),
      op("add", 2, null, 3, 4, { status: "unknown", process: 2 }),
      op("read", null, 1, 5, 6, { process: 3 }),
      op("read", null, 8, 5, 6, { process: 4 }),
    ];
    expect(checkCounter(ops).valid).toBe(true);
    ops.push(op("read", null, 9, 5, 6, { process: 5 }), op("read", null, 0, 5, 6, { process: 6 }));
    const result = checkCounter(ops);
    expect(result.valid).toBe(false);
    expect(result.detail.errors.map((e) => e.read.output)).toEqual([9, 0]);
  });
});

describe("set membership", () => {
  it("finds an acknowledged add missing from the final read and values never added", () => {
    const ops = [
      op("add", 1, null, 0, 1),
      op("add", 2, null, 0, 1, { process: 1 }),
      op("add", 3, null, 0, 1, { process: 2, status: "unknown" }),
      op("read", null, [1], 2, 3, { process: 3 }), // an early stale read is not judged
      op("read", null, [1, 3, 7], 10, 11, { process: 4 }),
    ];
    const result = checkSetMembership(ops);
    expect(result.valid).toBe(false);
    expect(result.detail.lost).toEqual([2]);
    expect(result.detail.unexpected).toEqual([7]);
    expect(result.detail.recovered).toEqual([3]);
    ops.push(op("read", null, [1, 2], 12, 13, { process: 5 }));
    expect(checkSetMembership(ops).valid).toBe(true);
  });

  it("judges only a read that began after the last add: a read during the adds may be stale", () => {
    const ops = [
      op("add", 1, null, 0, 1),
      op("read", null, [], 2, 3, { process: 1 }), // began after add 1 returned, but before add 2 began
      op("add", 2, null, 4, 5),
    ];
    const result = checkSetMembership(ops);
    expect(result.detail.finalRead).toBeUndefined();
    expect(result.detail.lost).toEqual([]);
    expect(result.problems).toEqual([NO_FINAL_READ]);
    // A read that overlaps the last acknowledged add is not final either.
    ops.push(op("read", null, [1], 4.5, 6, { process: 2 }));
    expect(checkSetMembership(ops).problems).toEqual([NO_FINAL_READ]);
    ops.push(op("read", null, [2], 7, 8, { process: 3 }));
    expect(checkSetMembership(ops).detail.lost).toEqual([1]);
  });
});

describe("queue order", () => {
  it("accepts FIFO and catches reordering, duplicates and values never enqueued", () => {
    const good = [
      op("enqueue", "a", null, 0, 1),
      op("enqueue", "b", null, 2, 3),
      op("dequeue", null, "a", 4, 5, { process: 1 }),
      op("dequeue", null, "b", 6, 7, { process: 1 }),
    ];
    expect(checkQueueOrder(good).valid).toBe(true);
    const bad = [
      op("enqueue", "a", null, 0, 1),
      op("enqueue", "b", null, 2, 3),
      op("dequeue", null, "b", 4, 5, { process: 1 }),
      op("dequeue", null, "a", 6, 7, { process: 1 }),
      op("dequeue", null, "a", 8, 9, { process: 1 }),
      op("dequeue", null, "z", 8, 9, { process: 2 }),
    ];
    const result = checkQueueOrder(bad);
    expect(result.valid).toBe(false);
    expect(result.detail.reordered.map(([x, y]) => [x.input, y.input])).toEqual([["a", "b"]]);
    expect(result.detail.duplicated).toHaveLength(1);
    expect(result.detail.unexpected).toHaveLength(1);
  });

  it("does not call concurrent enqueues reordered", () => {
    const ops = [
      op("enqueue", "a", null, 0, 3),
      op("enqueue", "b", null, 1, 2),
      op("dequeue", null, "b", 4, 5, { process: 1 }),
      op("dequeue", null, "a", 6, 7, { process: 1 }),
    ];
    expect(checkQueueOrder(ops).valid).toBe(true);
  });

  it("after a drain, reports acknowledged enqueues that never left, unless an unknown dequeue took them", () => {
    const ops = [
      op("enqueue", "a", null, 0, 1),
      op("enqueue", "b", null, 2, 3),
      op("enqueue", "c", null, 2, 3, { process: 2, status: "unknown" }),
      op("enqueue", "d", null, 2, 3, { process: 3 }),
      op("dequeue", null, "a", 4, 5, { process: 1 }),
    ];
    expect(checkQueueOrder(ops).valid).toBe(true);
    const drained = checkQueueOrder(ops, { drained: true });
    expect(drained.valid).toBe(false);
    expect(drained.detail.lost.map((o) => o.input)).toEqual(["b", "d"]);
    expect(checkQueueOrder(ops, { drained: true, takenByUnknownDequeues: ["b", "d"] }).valid).toBe(true);
  });
});
