import { mkdir, readdir, readFile, stat as fileStat, truncate, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { recover, scanLogFile, StorageError, TxnLogAppender, versionDir, writeSnapshot, type RecoveredTxn } from "../src/index.js";
import { OPEN_ACL, seededRandom, smallTree, testSeed, txnRange, withTempDir } from "./support/fixtures.js";

async function zxidsOf(txns: AsyncGenerator<RecoveredTxn>): Promise<bigint[]> {
  const out: bigint[] = [];
  for await (const t of txns) out.push(t.entry.header.zxid);
  return out;
}

function range(first: number, last: number): bigint[] {
  return Array.from({ length: last - first + 1 }, (_, i) => BigInt(first + i));
}

async function snapshotAt(dataDir: string, zxid: bigint): Promise<string> {
  const written = await writeSnapshot({ sessions: new Map([[1n, 5000]]), acls: new Map([[-1n, OPEN_ACL]]), nodes: smallTree(2) }, { dataDir, zxid });
  return written.path;
}

/**
 * Writes txns 1..total with a roll and a snapshot at each zxid in `snapshotsAt`, the way a
 * server does: the log rolls when a snapshot starts, so txns after it go to a new file.
 */
async function history(dataDir: string, dataLogDir: string, total: number, snapshotsAt: number[]): Promise<void> {
  const appender = await TxnLogAppender.open({ dataLogDir, preAllocSize: 8192 });
  for (const txn of txnRange(1n, total)) {
    await appender.append(txn);
    if (snapshotsAt.includes(Number(txn.header.zxid))) {
      await appender.roll();
      await snapshotAt(dataDir, txn.header.zxid);
    }
  }
  await appender.close();
}

describe("recovery", () => {
  it("replays every txn after the newest snapshot, across log files, from a separate dataLogDir", async () => {
    await withTempDir(async (root) => {
      const dataDir = join(root, "data");
      const logDir = join(root, "logs");
      await history(dataDir, logDir, 30, [10, 20]);
      expect((await readdir(versionDir(logDir))).sort()).toEqual(["log.1", "log.15", "log.b"]);
      const r = await recover({ dataDir, dataLogDir: logDir });
      expect(r.snapshot?.zxid).toBe(20n);
      expect(r.lastZxid).toBe(30n);
      expect(r.txnCount).toBe(10);
      expect(await zxidsOf(r.txns())).toEqual(range(21, 30));
      expect(r.repairs).toEqual([]);
      expect(r.gaps).toEqual([]);
    });
  });

  it("refuses a separate dataLogDir while the data directory still holds logs (a moved configuration)", async () => {
    await withTempDir(async (root) => {
      const dataDir = join(root, "data");
      await history(dataDir, dataDir, 15, [10]);
      await expect(recover({ dataDir, dataLogDir: join(root, "logs") })).rejects.toThrow(/snapshot directory .* holds log files/);
      await expect(recover({ dataDir: join(root, "empty"), dataLogDir: dataDir })).rejects.toThrow(/log directory .* holds snapshot files/);
    });
  });

  it("starts from the log file holding the txns right after a fuzzy snapshot", async () => {
    await withTempDir(async (dir) => {
      // Snapshot at 15 while the log that started at 11 kept going to 25: replay 16..25 from log.b.
      await history(dir, dir, 25, [10]);
      await snapshotAt(dir, 15n);
      const r = await recover({ dataDir: dir });
      expect(r.snapshot?.zxid).toBe(15n);
      expect(r.logFiles.map((f) => f.split("/").pop())).toEqual(["log.b"]);
      expect(await zxidsOf(r.txns())).toEqual(range(16, 25));
    });
  });

  it("skips a newer snapshot whose seal is bad and replays from the previous one", async () => {
    await withTempDir(async (dir) => {
      await history(dir, dir, 30, [10, 20]);
      const newest = join(versionDir(dir), "snapshot.14");
      const bytes = await readFile(newest);
      bytes[bytes.indexOf("child 0") + 1] ^= 0xff;
      await writeFile(newest, bytes);
      const r = await recover({ dataDir: dir });
      expect(r.snapshot?.zxid).toBe(10n);
      expect(r.skippedSnapshots).toHaveLength(1);
      expect(r.skippedSnapshots[0]!.reason).toMatch(/seal/);
      expect(await zxidsOf(r.txns())).toEqual(range(11, 30));
    });
  });

  it("skips a snapshot cut short by a crash and removes a leftover temporary snapshot", async () => {
    await withTempDir(async (dir) => {
      await history(dir, dir, 30, [10, 20]);
      const newest = join(versionDir(dir), "snapshot.14");
      await truncate(newest, 100);
      await writeFile(join(versionDir(dir), "tmp-snapshot.1e"), "half a snapshot");
      const r = await recover({ dataDir: dir });
      expect(r.snapshot?.zxid).toBe(10n);
      expect(r.skippedSnapshots[0]!.reason).toMatch(/incomplete/);
      expect(await readdir(versionDir(dir))).not.toContain("tmp-snapshot.1e");
    });
  });

  it("truncates a torn tail at the last valid entry; the next recovery is clean", async () => {
    const seed = testSeed("torn tail");
    const random = seededRandom(seed);
    await withTempDir(async (dir) => {
      await history(dir, dir, 30, [10, 20]);
      const last = join(versionDir(dir), "log.15");
      const bytes = await readFile(last);
      const end = (await recover({ dataDir: dir, repair: false })).txnCount; // 10 entries in log.15
      expect(end).toBe(10);
      // Garbage over a random stretch inside the last entry, as a torn sector write leaves.
      const scan = scanLogFile(last, bytes);
      const lastEntryStart = scan.entries[scan.entries.length - 1]!.offset;
      const scanEnd = scan.validEnd - 1;
      for (let i = lastEntryStart + Math.floor(random() * (scanEnd - lastEntryStart)); i <= scanEnd; i++) {
        bytes[i] = Math.floor(random() * 256);
      }
      bytes[scanEnd] = 0x41;
      await writeFile(last, bytes);
      const r = await recover({ dataDir: dir });
      expect(r.repairs).toHaveLength(1);
      expect(r.repairs[0]!.action).toBe("truncated");
      expect((await fileStat(last)).size).toBe(r.repairs[0]!.validEnd);
      expect(await zxidsOf(r.txns())).toEqual(range(21, 29));
      const again = await recover({ dataDir: dir });
      expect(again.repairs).toEqual([]);
      expect(again.lastZxid).toBe(29n);
    });
  });

  it("removes a log whose header never reached disk", async () => {
    await withTempDir(async (dir) => {
      await history(dir, dir, 12, [10]);
      await writeFile(join(versionDir(dir), "log.d"), Buffer.alloc(4096));
      const r = await recover({ dataDir: dir });
      expect(r.repairs).toMatchObject([{ action: "removed", path: join(versionDir(dir), "log.d") }]);
      expect(await zxidsOf(r.txns())).toEqual(range(11, 12));
    });
  });

  it("removes a log whose only entry was torn, so the next append can create that file again", async () => {
    await withTempDir(async (dir) => {
      await history(dir, dir, 12, [10]);
      const path = join(versionDir(dir), "log.b");
      const bytes = await readFile(path);
      const scan = scanLogFile(path, bytes);
      // Keep entry 11 whole, then a torn entry 12 in a file of its own named log.c.
      await writeFile(path, bytes.subarray(0, scan.entries[1]!.offset));
      const torn = Buffer.concat([bytes.subarray(0, 16), bytes.subarray(scan.entries[1]!.offset, scan.validEnd - 3)]);
      await writeFile(join(versionDir(dir), "log.c"), torn);
      const r = await recover({ dataDir: dir });
      expect(r.repairs).toMatchObject([{ action: "removed", path: join(versionDir(dir), "log.c") }]);
      expect(r.lastZxid).toBe(11n);
      const appender = await TxnLogAppender.open({ dataLogDir: dir, preAllocSize: 0 });
      await appender.append(txnRange(12n, 1)[0]!);
      await appender.close();
      expect(await zxidsOf((await recover({ dataDir: dir })).txns())).toEqual([11n, 12n]);
    });
  });

  it("stops with a clear error on a checksum mismatch in the middle of a log, changing nothing", async () => {
    await withTempDir(async (dir) => {
      await history(dir, dir, 30, [10, 20]);
      const path = join(versionDir(dir), "log.15");
      const bytes = await readFile(path);
      bytes[16 + 40] ^= 0x01; // inside the body of the first entry
      await writeFile(path, bytes);
      const error = await recover({ dataDir: dir }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(StorageError);
      expect((error as StorageError).message).toMatch(/version-2\/log\.15: checksum mismatch followed by an intact entry .* at byte offset 16/);
      expect((await readFile(path)).equals(bytes)).toBe(true);
    });
  });

  it("continues into the next file after a torn tail left by an earlier crash", async () => {
    await withTempDir(async (dir) => {
      await history(dir, dir, 20, [10]);
      // Simulate: crash while writing txn 20 into log.b; restart wrote 20.. into a new file.
      const path = join(versionDir(dir), "log.b");
      const bytes = await readFile(path);
      const lastTrailer = bytes.lastIndexOf(0x42);
      await writeFile(path, bytes.subarray(0, lastTrailer - 5));
      const appender = await TxnLogAppender.open({ dataLogDir: dir, preAllocSize: 0 });
      for (const t of txnRange(20n, 5)) await appender.append(t);
      await appender.close();
      const r = await recover({ dataDir: dir });
      expect(await zxidsOf(r.txns())).toEqual(range(11, 24));
    });
  });

  it("reports a skip of the zxid counter within an epoch, but not a new epoch", async () => {
    await withTempDir(async (dir) => {
      await history(dir, dir, 15, [10]);
      const appender = await TxnLogAppender.open({ dataLogDir: dir, preAllocSize: 0 });
      for (const t of [...txnRange(18n, 2), ...txnRange(0x100000001n, 2)]) await appender.append(t);
      await appender.close();
      const r = await recover({ dataDir: dir });
      expect(r.gaps).toEqual([{ after: 15n, next: 18n, file: join(versionDir(dir), "log.12") }]);
      expect(r.lastZxid).toBe(0x100000002n);
      expect((await recover({ dataDir: dir, dataLogDir: dir })).gaps).toHaveLength(1);
    });
  });

  it("refuses logs without any snapshot unless told to trust them", async () => {
    await withTempDir(async (dir) => {
      await history(dir, dir, 5, []);
      await expect(recover({ dataDir: dir })).rejects.toMatchObject({ code: "MISSING_SNAPSHOT" });
      const r = await recover({ dataDir: dir, trustEmptySnapshot: true });
      expect(r.snapshot).toBeNull();
      expect(await zxidsOf(r.txns())).toEqual(range(1, 5));
    });
  });

  it("an empty data directory recovers to nothing", async () => {
    await withTempDir(async (dir) => {
      await mkdir(join(dir, "version-2"));
      const r = await recover({ dataDir: dir });
      expect(r.snapshot).toBeNull();
      expect(r.lastZxid).toBe(-1n);
      expect(await zxidsOf(r.txns())).toEqual([]);
    });
  });
});
