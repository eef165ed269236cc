import { describe, expect, it } from "vitest";
import { InvariantViolation, SimCrash, SimDisk, ZabInvariants } from "../src/index.js";

const zxid = (epoch: number, counter: number): bigint => (BigInt(epoch) << 32n) | BigInt(counter);
const entry = (epoch: number, counter: number, text = `${epoch}:${counter}`) => ({ zxid: zxid(epoch, counter), data: new TextEncoder().encode(text) });
const everyoneHolds = (_zxid: bigint, voters: readonly number[]) => voters.length;
const VOTERS = [1, 2, 3];

describe("the simulation's ZAB invariants reject each violation they exist to catch", () => {
  it("two transactions under one zxid", () => {
    const inv = new ZabInvariants(everyoneHolds, VOTERS);
    inv.onAppend(1, entry(1, 1, "a"));
    expect(() => inv.onAppend(2, entry(1, 1, "b"))).toThrow(/names two transactions/);
  });

  it("two leaders established in one epoch", () => {
    const inv = new ZabInvariants(everyoneHolds, VOTERS);
    inv.onSoftState(1, { role: "LEADING", leader: 1, epoch: 3, serving: true });
    inv.onSoftState(1, { role: "LEADING", leader: 1, epoch: 3, serving: true });
    expect(() => inv.onSoftState(2, { role: "LEADING", leader: 2, epoch: 3, serving: true })).toThrow(/two leaders established in epoch 3/);
  });

  it("a member applying a different entry where another was committed (a lost commit)", () => {
    const inv = new ZabInvariants(everyoneHolds, VOTERS);
    inv.onApply(1, entry(1, 1));
    inv.onApply(1, entry(1, 2));
    inv.onApply(2, entry(1, 1));
    expect(() => inv.onApply(2, entry(2, 1))).toThrow(InvariantViolation);
  });

  it("applying out of zxid order", () => {
    const inv = new ZabInvariants(everyoneHolds, VOTERS);
    inv.onApply(1, entry(1, 1));
    inv.onApply(1, entry(1, 2));
    expect(() => inv.onApply(1, entry(1, 1))).toThrow(/applied 1:1 after 1:2/);
  });

  it("a gap inside an epoch (primary order)", () => {
    const inv = new ZabInvariants(everyoneHolds, VOTERS);
    inv.onApply(1, entry(1, 1));
    expect(() => inv.onApply(1, entry(1, 3))).toThrow(/gap in epoch 1/);
  });

  it("an epoch whose committed sequence does not start at counter 1", () => {
    const inv = new ZabInvariants(everyoneHolds, VOTERS);
    inv.onApply(1, entry(1, 1));
    expect(() => inv.onApply(1, entry(2, 2))).toThrow(/epoch 2 starts its committed sequence at 2:2/);
  });

  it("applying an entry before a majority of voters' disks hold it", () => {
    const inv = new ZabInvariants(() => 1, VOTERS);
    expect(() => inv.onApply(1, entry(1, 1))).toThrow(/only 1 of 3 voters' disks/);
  });

  it("a reconfig applied before a majority of the new configuration's voters hold it", () => {
    const reconfigOf = (e: { data: Uint8Array }) => (new TextDecoder().decode(e.data) === "reconfig" ? { voters: [4, 5, 6] } : null);
    const inv = new ZabInvariants((_zxid, voters) => voters.filter((v) => v <= 3).length, VOTERS, reconfigOf);
    inv.onApply(1, entry(1, 1));
    expect(() => inv.onApply(1, entry(1, 2, "reconfig"))).toThrow(/only 0 of 3 voters' disks/);
  });

  it("restarting from a state that was never committed", () => {
    const inv = new ZabInvariants(everyoneHolds, VOTERS);
    inv.onApply(1, entry(1, 1));
    inv.onStateAt(2, zxid(1, 1));
    expect(() => inv.onStateAt(3, zxid(1, 2))).toThrow(/never committed/);
  });
});

describe("the simulated disk", () => {
  const ready = {
    snapshot: null,
    truncateTo: null,
    entries: [entry(1, 1), entry(1, 2), entry(1, 3)],
    hardState: { acceptedEpoch: 1, currentEpoch: 1 },
    messages: [],
    committed: [],
    syncsDone: [],
    syncsFailed: [],
    softState: null,
    membership: null,
    sendBeforePersist: false,
  };

  it("keeps only the writes that completed before a crash in the middle of a Ready", () => {
    const disk = new SimDisk();
    expect(SimDisk.writesIn(ready)).toBe(5);
    expect(() => disk.persist(ready, 2)).toThrow(SimCrash);
    expect(disk.log.map((e) => e.zxid)).toEqual([zxid(1, 1), zxid(1, 2)]);
    expect(disk.acceptedEpoch).toBe(0);
    expect(disk.tornWrites).toBe(1);
  });

  it("a crash after the last write still loses the acknowledgement, not the data", () => {
    const disk = new SimDisk();
    expect(() => disk.persist(ready, 5)).toThrow(SimCrash);
    expect(disk.log).toHaveLength(3);
    expect(disk.currentEpoch).toBe(1);
  });

  it("recovers the epochs, its snapshot and the log after it", () => {
    const disk = new SimDisk();
    disk.persist(ready, null);
    disk.takeSnapshot(zxid(1, 2), new Uint8Array([1]));
    expect(disk.recovered()).toEqual({ acceptedEpoch: 1, currentEpoch: 1, snapshotZxid: zxid(1, 2), entries: [entry(1, 3)], membership: null });
    expect(disk.holds(zxid(1, 1))).toBe(true);
    disk.persist({ ...ready, entries: [], hardState: null, truncateTo: zxid(1, 2) }, null);
    expect(disk.holds(zxid(1, 3))).toBe(false);
  });
});
