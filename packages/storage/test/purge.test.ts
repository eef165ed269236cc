import { readdir, truncate, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { purge, PurgeScheduler, recover, TxnLogAppender, versionDir, writeSnapshot, type PurgeResult } from "../src/index.js";
import { OPEN_ACL, smallTree, txnRange, withTempDir } from "./support/fixtures.js";

/** Logs rolled at each snapshot: log.1 (1..10), log.b (11..20), ... with snapshots at 10, 20, ... */
async function layout(dataDir: string, dataLogDir: string, rounds: number): Promise<void> {
  const appender = await TxnLogAppender.open({ dataLogDir, preAllocSize: 0 });
  for (let round = 0; round < rounds; round++) {
    for (const txn of txnRange(BigInt(round * 10 + 1), 10)) await appender.append(txn);
    await appender.roll();
    const zxid = BigInt(round * 10 + 10);
    await writeSnapshot({ sessions: new Map(), acls: new Map([[-1n, OPEN_ACL]]), nodes: smallTree(1) }, { dataDir, zxid });
  }
  for (const txn of txnRange(BigInt(rounds * 10 + 1), 3)) await appender.append(txn);
  await appender.close();
}

async function names(dir: string): Promise<string[]> {
  return (await readdir(versionDir(dir))).sort();
}

describe("purge", () => {
  it("keeps the newest N snapshots and the logs needed from the oldest kept one", async () => {
    await withTempDir(async (root) => {
      const dataDir = join(root, "data");
      const logDir = join(root, "log");
      await layout(dataDir, logDir, 6);
      const result = await purge({ dataDir, dataLogDir: logDir, snapRetainCount: 3 });
      // Kept snapshots: 0x3c, 0x32, 0x28. Replaying from 0x28 needs the log that starts at or
      // before it (log.1f holds 31..40) and everything after.
      expect(result.oldestRetainedZxid).toBe(0x28n);
      expect(await names(dataDir)).toEqual(["snapshot.28", "snapshot.32", "snapshot.3c"]);
      expect(await names(logDir)).toEqual(["log.1f", "log.29", "log.33", "log.3d"]);
      expect(result.removed.map((p) => p.split("/").pop()).sort()).toEqual(["log.1", "log.b", "log.15", "snapshot.a", "snapshot.14", "snapshot.1e"].sort());
      // Every kept snapshot can still be recovered from.
      const r = await recover({ dataDir, dataLogDir: logDir });
      expect(r.lastZxid).toBe(63n);
    });
  });

  it("counts only snapshots that look complete towards the retained ones", async () => {
    await withTempDir(async (dir) => {
      await layout(dir, dir, 5);
      await truncate(join(versionDir(dir), "snapshot.32"), 50);
      await purge({ dataDir: dir, snapRetainCount: 3 });
      // snapshot.32 is incomplete: the three kept are 0x28, 0x1e, 0x14; the broken newer one stays.
      expect((await names(dir)).filter((n) => n.startsWith("snapshot"))).toEqual(["snapshot.14", "snapshot.1e", "snapshot.28", "snapshot.32"]);
      expect((await names(dir)).filter((n) => n.startsWith("log"))).toEqual(["log.29", "log.33", "log.b", "log.15", "log.1f"].sort());
    });
  });

  it("removes nothing with fewer snapshots than the retain count, and ignores other files", async () => {
    await withTempDir(async (dir) => {
      await layout(dir, dir, 2);
      await writeFile(join(versionDir(dir), "notes.txt"), "keep me");
      const before = await names(dir);
      expect((await purge({ dataDir: dir, snapRetainCount: 3 })).removed).toEqual([]);
      expect(await names(dir)).toEqual(before);
    });
  });

  it("refuses a retain count below 3", async () => {
    await expect(purge({ dataDir: "/nonexistent", snapRetainCount: 2 })).rejects.toMatchObject({ code: "INVALID_ARGUMENT" });
  });

  it("the scheduler runs purge at the interval in hours, raising a small retain count to 3", async () => {
    await withTempDir(async (dir) => {
      await layout(dir, dir, 5);
      let scheduled: { fn: () => void; ms: number } | null = null;
      let cleared = false;
      const results: PurgeResult[] = [];
      const scheduler = new PurgeScheduler({
        dataDir: dir,
        snapRetainCount: 1,
        purgeIntervalHours: 24,
        onPurged: (r) => results.push(r),
        setInterval: (fn, ms) => (scheduled = { fn, ms }),
        clearInterval: () => (cleared = true),
      });
      scheduler.start();
      expect(scheduled!.ms).toBe(24 * 3600 * 1000);
      scheduled!.fn();
      await scheduler.runOnce();
      expect(results).toHaveLength(1);
      expect(results[0]!.oldestRetainedZxid).toBe(0x1en);
      scheduler.stop();
      expect(cleared).toBe(true);
      const disabled = new PurgeScheduler({ dataDir: dir, purgeIntervalHours: 0, setInterval: () => expect.fail("must not schedule") });
      disabled.start();
      expect(disabled.enabled).toBe(false);
    });
  });
});
