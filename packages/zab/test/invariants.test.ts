import { describe, expect, it } from "vitest";
import { type Entry, makeZxid } from "../src/index.js";
import { bytes } from "./support/cluster.js";
import { InvariantChecker, InvariantViolation } from "./support/invariants.js";

// The simulation is only as good as its checker: each property must reject a history
// that breaks it.
const e = (epoch: number, counter: number, data = `${epoch}.${counter}`): Entry => ({ zxid: makeZxid(epoch, counter), data: bytes(data) });

function applyAll(checker: InvariantChecker, node: number, entries: Entry[]): void {
  const applied: Entry[] = [];
  for (const x of entries) {
    applied.push(x);
    checker.onApply(node, applied);
  }
}

describe("InvariantChecker", () => {
  it("accepts nodes applying prefixes of one sequence, in any interleaving", () => {
    const c = new InvariantChecker();
    applyAll(c, 1, [e(1, 1), e(1, 2), e(2, 1)]);
    applyAll(c, 2, [e(1, 1), e(1, 2)]);
    applyAll(c, 3, [e(1, 1), e(1, 2), e(2, 1), e(2, 2)]);
    expect(c.committed.map((x) => x.zxid)).toEqual([makeZxid(1, 1), makeZxid(1, 2), makeZxid(2, 1), makeZxid(2, 2)]);
  });

  it("rejects two transactions under one zxid", () => {
    const c = new InvariantChecker();
    c.onAppend(1, e(1, 1, "a"));
    expect(() => c.onAppend(2, e(1, 1, "b"))).toThrow(InvariantViolation);
  });

  it("rejects two leaders established in one epoch", () => {
    const c = new InvariantChecker();
    c.onSoftState(1, { role: "LEADING", leader: 1, epoch: 3, serving: true });
    c.onSoftState(2, { role: "LEADING", leader: 2, epoch: 3, serving: false });
    expect(() => c.onSoftState(2, { role: "LEADING", leader: 2, epoch: 3, serving: true })).toThrow(InvariantViolation);
  });

  it("rejects nodes whose committed sequences diverge", () => {
    const c = new InvariantChecker();
    applyAll(c, 1, [e(1, 1), e(1, 2)]);
    expect(() => applyAll(c, 2, [e(1, 1), e(2, 1)])).toThrow(InvariantViolation);
  });

  it("rejects applying out of zxid order", () => {
    const c = new InvariantChecker();
    expect(() => applyAll(c, 1, [e(1, 2), e(1, 1)])).toThrow(InvariantViolation);
  });

  it("rejects a gap inside an epoch, and an epoch that does not start at counter 1", () => {
    expect(() => applyAll(new InvariantChecker(), 1, [e(1, 1), e(1, 3)])).toThrow(InvariantViolation);
    expect(() => applyAll(new InvariantChecker(), 1, [e(1, 1), e(2, 2)])).toThrow(InvariantViolation);
  });
});
