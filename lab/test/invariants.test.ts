import { describe, expect, it } from "vitest";
import { OpCode } from "@zkts/jute";
import { encodeTxnBytes } from "@zkts/storage";
import { InvariantViolation, SimDisk, SimRandom, ZabInvariants } from "../src/index.js";

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

describe("the simulated disk (the real storage over the simulated file system)", () => {
  const logged = (epoch: number, counter: number) => {
    const z = zxid(epoch, counter);
    const data = encodeTxnBytes({
      header: { clientId: 1n, cxid: counter, zxid: z, time: 0n, type: OpCode.setData },
      body: { type: OpCode.setData, txn: { path: "/k", data: Buffer.from(`${epoch}:${counter}`), version: counter } },
      digest: null,
    });
    return { zxid: z, data };
  };
  const ready = {
    snapshot: null,
    truncateTo: null,
    entries: [logged(1, 1), logged(1, 2), logged(1, 3)],
    hardState: { acceptedEpoch: 1, currentEpoch: 1 },
    messages: [],
    committed: [],
    syncsDone: [],
    syncsFailed: [],
    softState: null,
    membership: null,
    sendBeforePersist: false,
  };
  const rootOnly = {
    sessions: new Map<bigint, number>(),
    acls: new Map(),
    nodes: [
      {
        path: "/",
        data: null,
        acl: -1n,
        stat: { czxid: 0n, mzxid: 0n, ctime: 0n, mtime: 0n, version: 0, cversion: 0, aversion: 0, ephemeralOwner: 0n, pzxid: 0n },
      },
    ],
  };

  it("a power cut in the middle of a Ready keeps a gap-free prefix of its entries, and the epochs old or new", async () => {
    const seed = (Math.random() * 2 ** 31) | 0;
    console.log(`power cut in a Ready: seed ${seed}`);
    const random = new SimRandom(seed);
    for (let changes = 0; changes < 30; changes++) {
      const disk = new SimDisk(random.fork());
      await disk.open();
      disk.fs.crashAfter(changes);
      const persisted = await disk.persist(ready).then(
        () => true,
        () => false,
      );
      expect(persisted || disk.faulted, `seed ${seed}, crash after ${changes} changes`).toBe(true);
      if (!disk.faulted) disk.fs.powerCut();
      disk.crash();
      const { persisted: state } = await disk.open();
      const context = `seed ${seed}, crash after ${changes} changes`;
      expect(
        state.entries.map((e) => e.zxid),
        context,
      ).toEqual(ready.entries.slice(0, state.entries.length).map((e) => e.zxid));
      if (persisted) expect(state.entries, context).toHaveLength(3);
      expect([0, 1], context).toContain(state.acceptedEpoch);
      expect(state.currentEpoch, context).toBeLessThanOrEqual(state.acceptedEpoch);
    }
  });

  it("a failed fsync fails the persist and faults the disk", async () => {
    const disk = new SimDisk(new SimRandom(7));
    await disk.open();
    disk.fs.failSync();
    await expect(disk.persist(ready)).rejects.toThrow();
    expect(disk.faulted).toBe(true);
    expect(disk.holds(zxid(1, 1))).toBe(false);
  });

  it("recovers the epochs, its snapshot and the log after it; a truncation is durable", async () => {
    const disk = new SimDisk(new SimRandom(11));
    await disk.open();
    await disk.persist(ready);
    expect(disk.holds(zxid(1, 3))).toBe(true);
    await disk.takeSnapshot(zxid(1, 2), rootOnly);
    disk.fs.powerCut();
    const recovered = await disk.open();
    expect(recovered.persisted).toMatchObject({ acceptedEpoch: 1, currentEpoch: 1, snapshotZxid: zxid(1, 2), membership: null });
    expect(recovered.persisted.entries.map((e) => e.zxid)).toEqual([zxid(1, 3)]);
    expect(recovered.snapshot?.zxid).toBe(zxid(1, 2));
    expect(disk.holds(zxid(1, 1))).toBe(true);
    await disk.persist({ ...ready, entries: [], hardState: null, truncateTo: zxid(1, 2) });
    expect(disk.holds(zxid(1, 3))).toBe(false);
    disk.fs.powerCut();
    expect((await disk.open()).persisted.entries).toEqual([]);
  });

  it("a restart that finds less than was acknowledged is caught", async () => {
    const disk = new SimDisk(new SimRandom(13));
    await disk.open();
    await disk.persist(ready);
    for (const name of await disk.fs.list("/data/version-2")) if (name.startsWith("log.")) await disk.fs.unlink(`/data/version-2/${name}`);
    await disk.fs.syncDir("/data/version-2");
    await expect(disk.open()).rejects.toThrow(/recovery lost durable state/);
  });
});
