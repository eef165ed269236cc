// Each model's sequential rules, one step at a time, and small concurrent histories.
import { describe, expect, it } from "vitest";
import { casRegister, checkOperations, fifoQueue, keyed, kvEntry, mutex, register, setModel, zkRegister, type Model } from "../src/index.js";
import { op } from "./support/ops.js";

function run<S>(model: Model<S>, ...ops: ReturnType<typeof op>[]): S | undefined {
  let state: S | undefined = model.init();
  for (const o of ops) {
    if (state === undefined) return undefined;
    state = model.step(state, o);
  }
  return state;
}

describe("register and cas-register", () => {
  it("reads return the last write, starting from nil", () => {
    expect(run(register(), op("read", null, null, 0, 1))).toBe(null);
    expect(run(register(), op("write", 3, 3, 0, 1), op("read", null, 3, 2, 3))).toBe(3);
    expect(run(register(), op("write", 3, 3, 0, 1), op("read", null, 4, 2, 3))).toBeUndefined();
  });

  it("cas takes effect only on the expected value; an ok false is a refusal", () => {
    const m = casRegister();
    expect(run(m, op("write", 1, 1, 0, 1), op("cas", [1, 2], [1, 2], 2, 3))).toBe(2);
    expect(run(m, op("write", 1, 1, 0, 1), op("cas", [0, 2], [0, 2], 2, 3))).toBeUndefined();
    expect(run(m, op("write", 1, 1, 0, 1), op("cas", [0, 2], false, 2, 3))).toBe(1);
    expect(run(m, op("write", 1, 1, 0, 1), op("cas", [1, 2], false, 2, 3))).toBeUndefined();
  });

  it("compares structured values by content and hashes them alike", () => {
    const m = register();
    expect(m.equal({ a: [1, 2] }, { a: [1, 2] })).toBe(true);
    expect(m.hash({ a: [1, 2], b: 1 })).toBe(m.hash({ b: 1, a: [1, 2] }));
    expect(m.equal({ a: 1 }, { a: 2 })).toBe(false);
  });

  it("finds a stale read after a completed write", () => {
    const ops = [op("write", 1, 1, 0, 1, { process: 0 }), op("read", null, null, 2, 3, { process: 1 })];
    expect(checkOperations(register(), ops).verdict).toBe("not-linearizable");
    ops[1]!.call = 1; // now concurrent with the write (closed intervals)
    expect(checkOperations(register(), ops).verdict).toBe("linearizable");
  });

  it("lets a write with unknown outcome take effect late or never", () => {
    const lost = op("write", 1, undefined, 0, 0, { status: "unknown" });
    const later = [op("read", null, null, 5, 6, { process: 1 }), op("read", null, 1, 7, 8, { process: 2 })];
    expect(checkOperations(register(), [lost, ...later]).verdict).toBe("linearizable");
    const never = [op("read", null, null, 5, 6, { process: 1 })];
    expect(checkOperations(register(), [op("write", 1, undefined, 0, 0, { status: "unknown" }), ...never]).verdict).toBe("linearizable");
    const back = [op("read", null, 1, 5, 6, { process: 1 }), op("read", null, null, 7, 8, { process: 2 })];
    expect(checkOperations(register(), [op("write", 1, undefined, 0, 0, { status: "unknown" }), ...back]).verdict).toBe("not-linearizable");
  });

  it("ignores failed ops and reads with unknown results", () => {
    const ops = [
      op("write", 1, null, 0, 1, { status: "fail" }),
      op("read", null, undefined, 2, 3, { status: "unknown", process: 1 }),
      op("read", null, null, 4, 5, { process: 2 }),
    ];
    const result = checkOperations(register(), ops);
    expect(result.verdict).toBe("linearizable");
    expect(result.dropped.map((o) => o.f)).toEqual(["write", "read"]);
  });
});

describe("zk-register", () => {
  const m = zkRegister();
  it("bumps the version on every successful setData", () => {
    const s = run(m, op("setData", { data: "a", version: 0 }, { version: 1 }, 0, 1), op("setData", { data: "b", version: -1 }, {}, 2, 3));
    expect(s).toEqual({ data: "b", version: 2 });
    expect(run(m, op("setData", { data: "a", version: 0 }, { version: 5 }, 0, 1))).toBeUndefined();
  });

  it("treats BADVERSION as an observation that the version differed", () => {
    expect(run(m, op("setData", { data: "a", version: 3 }, { error: "BADVERSION" }, 0, 1))).toEqual({ data: null, version: 0 });
    expect(run(m, op("setData", { data: "a", version: 0 }, { error: "BADVERSION" }, 0, 1))).toBeUndefined();
    expect(run(m, op("setData", ["a", 3], { error: -103 }, 0, 1))).toEqual({ data: null, version: 0 });
  });

  it("checks data and version on getData", () => {
    const set = op("setData", { data: "a", version: 0 }, { version: 1 }, 0, 1);
    expect(run(m, set, op("getData", null, { data: "a", version: 1 }, 2, 3))).toEqual({ data: "a", version: 1 });
    expect(run(m, set, op("getData", null, { data: "a", version: 0 }, 2, 3))).toBeUndefined();
    expect(run(m, set, op("getData", null, { data: "a" }, 2, 3))).toEqual({ data: "a", version: 1 });
    expect(m.hash({ data: "a", version: 1 })).not.toBe(m.hash({ data: "a", version: 2 }));
  });
});

describe("kv, set, queue and mutex", () => {
  it("kv appends to an empty string", () => {
    expect(run(kvEntry(), op("append", "x", null, 0, 1), op("append", "y", null, 2, 3), op("get", null, "xy", 4, 5))?.text).toBe("xy");
    expect(run(kvEntry(), op("put", "x", null, 0, 1), op("get", null, "", 2, 3))).toBeUndefined();
  });

  it("kv hashes an appended string like the same string put whole", () => {
    const m = kvEntry();
    const appended = run(m, op("append", "ab", null, 0, 1), op("append", "cd", null, 2, 3))!;
    const put = run(m, op("put", "abcd", null, 0, 1))!;
    expect(m.equal(appended, put)).toBe(true);
    expect(m.hash(appended)).toBe(m.hash(put));
    expect(m.hash(put)).not.toBe(m.hash(run(m, op("put", "abce", null, 0, 1))!));
  });

  it("set reads must list exactly the added elements, in any order", () => {
    const adds = [op("add", 1, null, 0, 1), op("add", 2, null, 2, 3)];
    expect(run(setModel(), ...adds, op("read", null, [2, 1], 4, 5))).toBeDefined();
    expect(run(setModel(), ...adds, op("read", null, [1], 4, 5))).toBeUndefined();
    const m = setModel();
    const a = run(m, op("add", 1, null, 0, 1), op("add", 2, null, 0, 1))!;
    const b = run(m, op("add", 2, null, 0, 1), op("add", 1, null, 0, 1))!;
    expect(m.equal(a, b)).toBe(true);
    expect(m.hash(a)).toBe(m.hash(b));
  });

  it("queue dequeues in FIFO order and nil when empty", () => {
    const q = fifoQueue();
    const enq = [op("enqueue", 1, null, 0, 1), op("enqueue", 2, null, 2, 3)];
    expect(run(q, ...enq, op("dequeue", null, 1, 4, 5))).toEqual([2]);
    expect(run(q, ...enq, op("dequeue", null, 2, 4, 5))).toBeUndefined();
    expect(run(q, op("dequeue", null, null, 0, 1))).toEqual([]);
  });

  it("mutex allows one holder, released by that holder", () => {
    const m = mutex();
    expect(run(m, op("acquire", null, null, 0, 1, { process: 1 }), op("acquire", null, null, 2, 3, { process: 2 }))).toBeUndefined();
    expect(run(m, op("acquire", null, null, 0, 1, { process: 1 }), op("release", null, null, 2, 3, { process: 2 }))).toBeUndefined();
    expect(run(m, op("acquire", null, null, 0, 1, { process: 1 }), op("release", null, null, 2, 3, { process: 1 }))).toBe(null);
  });

  it("keyed() treats a missing key like its initial state", () => {
    const m = keyed(register());
    const a = run(m, op("write", 1, 1, 0, 1, { key: "x" }), op("write", null, null, 2, 3, { key: "x" }))!;
    expect(m.equal(a, m.init())).toBe(true);
    expect(m.hash(a)).toBe(m.hash(m.init()));
  });
});

describe("limits", () => {
  it("returns unknown, never a guess, when stopped", () => {
    // Ten concurrent writes and reads of distinct values: a wide search.
    const ops = Array.from({ length: 40 }, (_, i) => op(i % 2 ? "read" : "write", i % 2 ? null : i, i % 2 ? i - 1 : i, 0, 100, { process: i }));
    ops.push(op("read", null, 12345, 101, 102, { process: 99 }));
    const result = checkOperations(register(), ops, { shouldStop: () => true });
    expect(result.verdict).toBe("unknown");
    expect(result.reason).toBe("timeout");
  });

  it("uses a clock passed in for the time limit", () => {
    let now = 0;
    const ops = Array.from({ length: 30 }, (_, i) => op("write", i, i, 0, 100, { process: i }));
    ops.push(op("read", null, 12345, 101, 102, { process: 99 }));
    const result = checkOperations(register(), ops, { clock: () => (now += 10), timeoutMs: 50 });
    expect(result.verdict).toBe("unknown");
  });

  it("returns unknown when the cache would outgrow its memory bound", () => {
    const ops = Array.from({ length: 30 }, (_, i) => op("write", i, i, 0, 100, { process: i }));
    ops.push(op("read", null, 12345, 101, 102, { process: 99 }));
    const result = checkOperations(register(), ops, { maxCacheBytes: 100_000 });
    expect(result.verdict).toBe("unknown");
    expect(result.reason).toBe("memory");
  });
});
