import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { filesOfKind, scanLogFile, StorageError, TxnLogAppender, versionDir, type SlowFsync } from "../src/index.js";
import { nodeFs } from "../src/fs.js";
import { createTxn, txnRange, withTempDir } from "./support/fixtures.js";
import { errnoError, FaultyFs, gate, waitFor } from "./support/faulty-fs.js";

async function logFiles(dir: string): Promise<{ name: string; zxids: bigint[] }[]> {
  const logDir = versionDir(dir);
  const out = [];
  for (const file of filesOfKind(await nodeFs.list(logDir), "log")) {
    const path = join(logDir, file.name);
    out.push({ name: file.name, zxids: scanLogFile(path, await readFile(path)).entries.map((e) => e.zxid) });
  }
  return out;
}

/** Tracks which of a set of promises have settled, and how. */
function track(promises: Promise<void>[]): { resolved: boolean[]; errors: (unknown | null)[] } {
  const state = { resolved: promises.map(() => false), errors: promises.map((): unknown | null => null) };
  promises.forEach((p, i) =>
    p.then(
      () => (state.resolved[i] = true),
      (err) => (state.errors[i] = err),
    ),
  );
  return state;
}

describe("appending batches", () => {
  it("writes each batch as handed, with one write and one fsync, never merged with the batches queued behind it", async () => {
    await withTempDir(async (dir) => {
      const fs = new FaultyFs();
      const held = [gate(), gate(), gate()];
      let syncCalls = 0;
      fs.beforeSync = () => held[syncCalls++]?.promise;
      const appender = await TxnLogAppender.open({ dataLogDir: dir, fs, preAllocSize: 0 });
      const txns = txnRange(1n, 11);

      const first = track([appender.appendBatch(txns.slice(0, 1))]);
      await waitFor(() => syncCalls === 1, "the first fsync");
      const queued = track([appender.appendBatch(txns.slice(1, 6)), appender.appendBatch(txns.slice(6))]);
      // The first fsync is still held: nothing may resolve yet.
      await new Promise((resolve) => setImmediate(resolve));
      expect(first.resolved).toEqual([false]);
      expect(queued.resolved).toEqual([false, false]);

      held[0]!.open();
      await waitFor(() => first.resolved[0]!, "the first batch");
      await waitFor(() => syncCalls === 2, "the second fsync");
      // The second batch is being synced on its own; the third has not been written.
      expect(queued.resolved).toEqual([false, false]);
      expect(fs.writes.filter((w) => w.position > 0)).toHaveLength(2);
      held[1]!.open();
      await waitFor(() => queued.resolved[0]!, "the second batch");
      await waitFor(() => syncCalls === 3, "the third fsync");
      expect(queued.resolved[1]).toBe(false);
      expect(appender.lastDurableZxid).toBe(6n);
      held[2]!.open();
      await waitFor(() => queued.resolved[1]!, "the third batch");

      // One write of the header, then one write and one fsync per batch: [1], [2..6], [7..11].
      expect(fs.writes.filter((w) => w.position > 0)).toHaveLength(3);
      expect(fs.syncs).toBe(3);
      expect(appender.lastDurableZxid).toBe(11n);
      await appender.close();
      expect(await logFiles(dir)).toEqual([{ name: "log.1", zxids: txns.map((t) => t.header.zxid) }]);
    });
  });

  it("writes a batch larger than the write cap in several writes under one fsync", async () => {
    await withTempDir(async (dir) => {
      const fs = new FaultyFs();
      const appender = await TxnLogAppender.open({ dataLogDir: dir, fs, preAllocSize: 0, batchBytesMax: 300 });
      const txns = txnRange(1n, 12);
      await appender.appendBatch(txns);
      expect(fs.writes.filter((w) => w.position > 0).length).toBeGreaterThan(2);
      expect(fs.syncs).toBe(1);
      await appender.close();
      expect(await logFiles(dir)).toEqual([{ name: "log.1", zxids: txns.map((t) => t.header.zxid) }]);
    });
  });

  it("with forceSync off, appends resolve once written and nothing is fsynced", async () => {
    await withTempDir(async (dir) => {
      const fs = new FaultyFs();
      const appender = await TxnLogAppender.open({ dataLogDir: dir, fs, forceSync: false });
      await Promise.all(txnRange(1n, 20).map((t) => appender.append(t)));
      await appender.close();
      expect(fs.syncs).toBe(0);
      expect(appender.fsyncStats().count).toBe(0);
      expect((await logFiles(dir))[0]!.zxids).toHaveLength(20);
    });
  });

  it("records fsync latency and reports fsyncs slower than the warning threshold", async () => {
    await withTempDir(async (dir) => {
      // A clock that makes every fsync last 10 ms, except the second, which lasts 1500 ms.
      const durations = [10, 1500, 10];
      let t = 0;
      let calls = 0;
      const now = () => (calls++ % 2 === 0 ? t : (t += durations[(calls - 2) / 2]!));
      const slow: SlowFsync[] = [];
      const appender = await TxnLogAppender.open({ dataLogDir: dir, now, onSlowFsync: (s) => slow.push(s), preAllocSize: 0 });
      for (const txn of txnRange(1n, 3)) await appender.append(txn);
      await appender.close();
      expect(appender.fsyncStats()).toEqual({ count: 3, minMs: 10, avgMs: 1520 / 3, maxMs: 1500, lastMs: 10 });
      expect(slow).toHaveLength(1);
      expect(slow[0]).toMatchObject({ durationMs: 1500, thresholdMs: 1000, entries: 1 });
      expect(slow[0]!.file).toMatch(/version-2\/log\.1$/);
    });
  });

  it("a full disk fails the batch and every later append, and never resolves what it could not write", async () => {
    await withTempDir(async (dir) => {
      const fs = new FaultyFs();
      const failures: StorageError[] = [];
      const appender = await TxnLogAppender.open({ dataLogDir: dir, fs, preAllocSize: 0, onFailure: (e) => failures.push(e) });
      await appender.append(createTxn(1n, "/ok"));
      fs.beforeWrite = () => {
        throw errnoError("ENOSPC", "no space left on device");
      };
      const batch = track(txnRange(2n, 5).map((t) => appender.append(t)));
      await waitFor(() => batch.errors.every((e) => e !== null), "the batch to fail");
      expect(batch.resolved.some(Boolean)).toBe(false);
      const error = batch.errors[0] as StorageError;
      expect(error).toBeInstanceOf(StorageError);
      expect(error.code).toBe("LOG_FAILED");
      expect(error.message).toMatch(/log\.1 failed \(ENOSPC: no space left on device\)/);
      expect(appender.failed).toBe(true);
      expect(appender.failure).toBe(error);
      expect(failures).toEqual([error]);

      // The disk has room again, but the log stays failed: it cannot know what reached disk.
      fs.beforeWrite = null;
      await expect(appender.append(createTxn(10n, "/later"))).rejects.toBe(error);
      await expect(appender.roll()).rejects.toBe(error);
      expect(appender.lastDurableZxid).toBe(1n);
      await appender.close();
      expect((await logFiles(dir))[0]!.zxids).toEqual([1n]);
    });
  });

  it("an fsync error fails the appends it would have covered", async () => {
    await withTempDir(async (dir) => {
      const fs = new FaultyFs();
      const appender = await TxnLogAppender.open({ dataLogDir: dir, fs });
      fs.beforeSync = () => {
        throw errnoError("EIO", "i/o error");
      };
      const results = await Promise.allSettled(txnRange(1n, 3).map((t) => appender.append(t)));
      expect(results.every((r) => r.status === "rejected")).toBe(true);
      expect(String((results[0] as PromiseRejectedResult).reason.message)).toContain("EIO");
      expect(appender.failed).toBe(true);
      expect(appender.lastDurableZxid).toBeNull();
    });
  });

  it("rolls to a new file named after the next zxid when asked", async () => {
    await withTempDir(async (dir) => {
      const appender = await TxnLogAppender.open({ dataLogDir: dir, preAllocSize: 4096 });
      const txns = txnRange(1n, 5);
      const appends = txns.slice(0, 3).map((t) => appender.append(t));
      const rolled = appender.roll();
      appends.push(...txns.slice(3).map((t) => appender.append(t)));
      await Promise.all([...appends, rolled]);
      await appender.close();
      expect(await logFiles(dir)).toEqual([
        { name: "log.1", zxids: [1n, 2n, 3n] },
        { name: "log.4", zxids: [4n, 5n] },
      ]);
    });
  });

  it("rolls over the size limit, checking before each append as ZooKeeper does", async () => {
    await withTempDir(async (dir) => {
      const appender = await TxnLogAppender.open({ dataLogDir: dir, txnLogSizeLimit: 1000, preAllocSize: 0 });
      const txns = txnRange(1n, 40);
      await Promise.all(txns.map((t) => appender.append(t)));
      await appender.close();
      const files = await logFiles(dir);
      expect(files.length).toBeGreaterThan(3);
      expect(files.flatMap((f) => f.zxids)).toEqual(txns.map((t) => t.header.zxid));
      for (const file of files) {
        expect(file.name).toBe(`log.${file.zxids[0]!.toString(16)}`);
        const size = (await readFile(join(versionDir(dir), file.name))).length;
        const entryMax = 13 + 200;
        expect(size).toBeLessThanOrEqual(1000 + entryMax);
      }
    });
  });

  it("refuses a zxid that does not increase without failing the log", async () => {
    await withTempDir(async (dir) => {
      const appender = await TxnLogAppender.open({ dataLogDir: dir, preAllocSize: 0 });
      await appender.append(createTxn(5n, "/a"));
      await expect(appender.append(createTxn(5n, "/b"))).rejects.toMatchObject({ code: "INVALID_ARGUMENT" });
      expect(appender.failed).toBe(false);
      await appender.append(createTxn(6n, "/c"));
      await appender.close();
      await expect(appender.append(createTxn(7n, "/d"))).rejects.toMatchObject({ code: "LOG_CLOSED" });
      expect((await logFiles(dir))[0]!.zxids).toEqual([5n, 6n]);
    });
  });

  it("accepts already-encoded txn bytes, as a follower receives them", async () => {
    await withTempDir(async (dir) => {
      const source = await TxnLogAppender.open({ dataLogDir: join(dir, "a"), preAllocSize: 0 });
      await Promise.all(txnRange(1n, 3).map((t) => source.append(t)));
      await source.close();
      const path = join(versionDir(join(dir, "a")), "log.1");
      const entries = scanLogFile(path, await readFile(path)).entries;
      const copy = await TxnLogAppender.open({ dataLogDir: join(dir, "b"), preAllocSize: 0 });
      await Promise.all(entries.map((e) => copy.append(e.txnBytes)));
      await copy.close();
      const copied = await readFile(join(versionDir(join(dir, "b")), "log.1"));
      expect(copied.equals(await readFile(path))).toBe(true);
    });
  });
});

describe("bytes on disk", () => {
  it("counts the log files' lengths with their preallocation, across rolls, as ZooKeeper's getTotalLogSize does", async () => {
    await withTempDir(async (dir) => {
      const appender = await TxnLogAppender.open({ dataLogDir: dir, preAllocSize: 4096 });
      expect(appender.bytesOnDisk).toBe(0);
      await appender.append(createTxn(1n, "/a"));
      // The header and the entry sit inside the first preallocated step, which already pads
      // past the 4 KiB margin ZooKeeper keeps: the file is two steps long.
      expect(appender.bytesOnDisk).toBe(8192);
      await appender.roll();
      await appender.append(createTxn(2n, "/b"));
      expect(appender.bytesOnDisk).toBe(16384);
      await appender.close();
      expect(appender.bytesOnDisk).toBe(16384);
      let onDisk = 0;
      for (const file of filesOfKind(await nodeFs.list(versionDir(dir)), "log")) onDisk += (await readFile(join(versionDir(dir), file.name))).length;
      expect(onDisk).toBe(16384);
    });
  });

  it("without preallocation, counts the written bytes", async () => {
    await withTempDir(async (dir) => {
      const appender = await TxnLogAppender.open({ dataLogDir: dir, preAllocSize: 0 });
      await Promise.all(txnRange(1n, 5).map((t) => appender.append(t)));
      await appender.close();
      const [file] = filesOfKind(await nodeFs.list(versionDir(dir)), "log");
      expect(appender.bytesOnDisk).toBe((await readFile(join(versionDir(dir), file!.name))).length);
    });
  });
});

describe("a batch the caller gathered", () => {
  it("goes out in one write and one fsync and resolves once, when all of it is durable", async () => {
    await withTempDir(async (dir) => {
      const fs = new FaultyFs();
      const appender = await TxnLogAppender.open({ dataLogDir: dir, fs, preAllocSize: 0 });
      await appender.appendBatch(txnRange(1n, 20));
      // The file header, then the batch.
      expect(fs.writes).toHaveLength(2);
      expect(fs.syncs).toBe(1);
      expect(appender.lastDurableZxid).toBe(20n);
      await appender.close();
      expect((await logFiles(dir))[0]!.zxids).toEqual(txnRange(1n, 20).map((t) => t.header.zxid));
    });
  });

  it("is refused whole when its zxids do not increase", async () => {
    await withTempDir(async (dir) => {
      const appender = await TxnLogAppender.open({ dataLogDir: dir, preAllocSize: 0 });
      await expect(appender.appendBatch([createTxn(1n, "/a"), createTxn(3n, "/c"), createTxn(2n, "/b")])).rejects.toThrow(/does not follow/);
      await appender.appendBatch([createTxn(1n, "/a")]);
      await appender.close();
      expect((await logFiles(dir))[0]!.zxids).toEqual([1n]);
    });
  });
});
