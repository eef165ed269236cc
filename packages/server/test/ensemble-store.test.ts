import { existsSync } from "node:fs";
import { mkdtemp, readFile, rename, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DataTree } from "@zkts/datatree";
import { JuteWriter, OpCode, writeTxnEntry } from "@zkts/jute";
import type { Entry, Ready } from "@zkts/zab";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { defaultServerConfig } from "../src/config.js";
import { silentLogger } from "../src/logger.js";
import { serializeTree } from "../src/persistence/tree-snapshot.js";
import { EnsembleStore } from "../src/quorum/ensemble-store.js";

/**
 * The replica's disk on a real directory: what a Ready asks to persist is what the next
 * start recovers, including a TRUNC that drops a deposed leader's uncommitted entries and a
 * snapshot installed from the leader.
 */
let dir: string;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "zkts-ensemble-store-"));
});

afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

function config() {
  return defaultServerConfig({ dataDir: dir, dataLogDir: dir });
}

/** A createSession txn under `zxid`: the smallest real transaction. */
function entry(zxid: bigint): Entry {
  const w = new JuteWriter(64);
  writeTxnEntry(w, {
    header: { clientId: zxid, cxid: 0, zxid, time: 0n, type: OpCode.createSession },
    body: { type: OpCode.createSession, txn: { timeOut: 4000 } },
    digest: null,
  });
  return { zxid, data: w.toBuffer() };
}

function ready(fields: Partial<Ready>): Ready {
  return {
    snapshot: null,
    truncateTo: null,
    entries: [],
    hardState: null,
    messages: [],
    committed: [],
    syncsDone: [],
    syncsFailed: [],
    softState: null,
    membership: null,
    ...fields,
  };
}

async function reopen() {
  return await EnsembleStore.open(config(), silentLogger, {}, Math.random);
}

describe("EnsembleStore", () => {
  it("recovers the entries and epochs a Ready persisted, and drops what a TRUNC cut", async () => {
    const epoch1 = [1n, 2n, 3n, 4n, 5n].map((c) => entry((1n << 32n) | c));
    let { store } = await reopen();
    await store.persist(ready({ entries: epoch1, hardState: { acceptedEpoch: 1, currentEpoch: 1 } }));
    await store.close();

    ({ store } = await reopen());
    // The new leader of epoch 2 committed only up to 0x100000003.
    const epoch2 = [1n, 2n].map((c) => entry((2n << 32n) | c));
    await store.persist(ready({ truncateTo: (1n << 32n) | 3n, entries: epoch2, hardState: { acceptedEpoch: 2, currentEpoch: 2 } }));
    await store.close();

    const { store: last, recovery } = await reopen();
    await last.close();
    expect(recovery.persisted.entries.map((e) => e.zxid)).toEqual([0x100000001n, 0x100000002n, 0x100000003n, 0x200000001n, 0x200000002n]);
    expect(Buffer.from(recovery.persisted.entries[3]!.data)).toEqual(epoch2[0]!.data);
    expect([recovery.persisted.acceptedEpoch, recovery.persisted.currentEpoch, recovery.persisted.snapshotZxid]).toEqual([2, 2, 0n]);
    // ZooKeeper's epoch files: the number in decimal, in the snapshot directory where
    // ZooKeeper reads them, so the directory can go back to a ZooKeeper member.
    expect(await readFile(join(dir, "version-2", "currentEpoch"), "utf8")).toBe("2");
    expect(await readFile(join(dir, "version-2", "acceptedEpoch"), "utf8")).toBe("2");
  });

  it("reads epoch files where earlier releases kept them, and moves them to ZooKeeper's place", async () => {
    const { store } = await reopen();
    await store.persist(ready({ entries: [entry((3n << 32n) | 1n)], hardState: { acceptedEpoch: 4, currentEpoch: 3 } }));
    await store.close();
    // An older data directory: the files beside version-2 rather than inside it.
    for (const name of ["acceptedEpoch", "currentEpoch"]) {
      await rename(join(dir, "version-2", name), join(dir, name));
    }
    const { store: again, recovery } = await reopen();
    expect([recovery.persisted.acceptedEpoch, recovery.persisted.currentEpoch]).toEqual([4, 3]);
    await again.persist(ready({ hardState: { acceptedEpoch: 5, currentEpoch: 4 } }));
    await again.close();
    expect(await readFile(join(dir, "version-2", "acceptedEpoch"), "utf8")).toBe("5");
    expect(existsSync(join(dir, "acceptedEpoch"))).toBe(false);
    const { store: last, recovery: after } = await reopen();
    await last.close();
    expect([after.persisted.acceptedEpoch, after.persisted.currentEpoch]).toEqual([5, 4]);
  });

  it("installs a leader's snapshot and starts from it, with the entries logged after it", async () => {
    // The leader's side: a tree with one node and one session, serialized as a SNAP carries it.
    const leaderTree = new DataTree({});
    leaderTree.applyTxn(
      { clientId: 7n, cxid: 1, zxid: 0x100000009n, time: 0n, type: OpCode.create },
      {
        type: OpCode.create,
        txn: { path: "/from-leader", data: Buffer.from("x"), acl: [{ perms: 31, id: { scheme: "world", id: "anyone" } }], ephemeral: false, parentCVersion: 1 },
      },
    );
    const bytes = await serializeTree(leaderTree, new Map([[7n, 4000]]));

    const { store } = await reopen();
    const installed = await store.persist(
      ready({ snapshot: { zxid: 0x100000009n, data: bytes }, entries: [entry(0x10000000an)], hardState: { acceptedEpoch: 1, currentEpoch: 1 } }),
    );
    expect(installed?.zxid).toBe(0x100000009n);
    await store.close();

    const { store: last, recovery } = await reopen();
    await last.close();
    expect(recovery.persisted.snapshotZxid).toBe(0x100000009n);
    expect(recovery.persisted.entries.map((e) => e.zxid)).toEqual([0x10000000an]);
    expect(recovery.tree.getNode("/from-leader")?.data?.toString()).toBe("x");
    expect([...recovery.sessions]).toEqual([[7n, 4000]]);
  });

  it("wants a snapshot once the log grew past snapSizeLimit/2 + randSize on disk, as the standalone server does", async () => {
    // random 0: due once the log files take more than 8 KiB; they grow in 4 KiB preallocation steps.
    const small = { ...config(), snapCount: 1_000_000, snapSizeLimitBytes: 16 * 1024, preAllocSizeBytes: 4096 };
    const { store } = await EnsembleStore.open(small, silentLogger, {}, () => 0);
    await store.persist(ready({ entries: [entry(0x100000001n)] }));
    expect(store.snapshotDue).toBe(false);
    const more = Array.from({ length: 200 }, (_, i) => entry((1n << 32n) | BigInt(i + 2)));
    await store.persist(ready({ entries: more }));
    expect(store.snapshotDue).toBe(true);
    store.takeSnapshot(new DataTree(), new Map());
    expect(store.snapshotDue).toBe(false);
    await store.close();
  });
});
