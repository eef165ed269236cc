import { describe, expect, it } from "vitest";
import { filesOfKind, TxnLogStore, versionDir, type PurgeResult, type TxnLogStoreOptions } from "../src/index.js";
import { nodeFs } from "../src/fs.js";
import { createTxn, seededRandom, testSeed, txnRange, withTempDir } from "./support/fixtures.js";

function options(dir: string, extra: Partial<TxnLogStoreOptions>): TxnLogStoreOptions {
  return { dataDir: dir, dataLogDir: dir, preAllocSize: 0, random: () => 0, purgeIntervalHours: 0, ...extra };
}

async function logNames(dir: string): Promise<string[]> {
  return filesOfKind(await nodeFs.list(versionDir(dir)), "log").map((f) => f.name);
}

describe("TxnLogStore", () => {
  it("says a snapshot is due after snapCount/2 + randRoll txns, rolling the log there, and counts again once it starts", async () => {
    const seed = testSeed("txn log store snapCount");
    await withTempDir(async (dir) => {
      const random = seededRandom(seed);
      const store = await TxnLogStore.open(options(dir, { snapCount: 10, random }));
      // The same draws as the store's trigger makes: its first threshold is 5 + floor(r * 5).
      const threshold = 5 + Math.floor(seededRandom(seed)() * 5);
      let zxid = 1n;
      for (let i = 0; i < threshold; i++) await store.append([createTxn(zxid++, `/n${i}`)]);
      expect(store.snapshotDue).toBe(false);
      await store.append([createTxn(zxid++, "/due")]);
      expect(store.snapshotDue).toBe(true);
      // The due snapshot's log starts with the next append.
      await store.append([createTxn(zxid, "/after")]);
      expect(await logNames(dir)).toEqual(["log.1", `log.${zxid.toString(16)}`]);
      store.snapshotStarted();
      expect(store.snapshotDue).toBe(false);
      await store.close();
    });
  });

  it("says a snapshot is due once the log grew past snapSizeLimit/2 + randSize on disk, preallocation included", async () => {
    await withTempDir(async (dir) => {
      // random 0: due past 8192 bytes; each file is preallocated in 4 KiB steps.
      const store = await TxnLogStore.open(options(dir, { preAllocSize: 4096, snapCount: 1_000_000, snapSizeLimit: 16_384 }));
      await store.append([createTxn(1n, "/a")]);
      expect(store.snapshotDue).toBe(false);
      await store.append(txnRange(2n, 60));
      expect(store.snapshotDue).toBe(true);
      await store.close();
    });
  });

  it("purges as it starts purging and then every purgeInterval hours", async () => {
    await withTempDir(async (dir) => {
      const purged: PurgeResult[] = [];
      let tick: (() => void) | null = null;
      let everyMs = 0;
      const store = await TxnLogStore.open(
        options(dir, {
          purgeIntervalHours: 2,
          onPurged: (r) => purged.push(r),
          setInterval: (fn, ms) => {
            tick = fn;
            everyMs = ms;
            return 1;
          },
          clearInterval: () => (tick = null),
        }),
      );
      store.startPurging();
      await new Promise((r) => setTimeout(r, 50));
      expect(purged).toHaveLength(1);
      expect(everyMs).toBe(2 * 3600 * 1000);
      tick!();
      await new Promise((r) => setTimeout(r, 50));
      expect(purged).toHaveLength(2);
      await store.close();
      expect(tick).toBeNull();
    });
  });

  it("reopens the log after a rewrite: the next append starts a new file", async () => {
    await withTempDir(async (dir) => {
      const store = await TxnLogStore.open(options(dir, {}));
      await store.append(txnRange(1n, 3));
      let rewritten = false;
      await store.rewriteLog(async () => {
        rewritten = true;
      });
      expect(rewritten).toBe(true);
      await store.append([createTxn(4n, "/d")]);
      await store.close();
      expect(await logNames(dir)).toEqual(["log.1", "log.4"]);
    });
  });
});
