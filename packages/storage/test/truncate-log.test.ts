import { readdir } from "node:fs/promises";
import { describe, expect, it } from "vitest";
import { recover, truncateLog, TxnLogAppender, versionDir, writeSnapshot } from "../src/index.js";
import { OPEN_ACL, smallTree, txnRange, withTempDir } from "./support/fixtures.js";

/** log.1 holds 1..10, log.b 11..20, log.15 21..25; a snapshot at 0 makes recovery replay all. */
async function threeLogs(dir: string): Promise<void> {
  await writeSnapshot({ sessions: new Map(), acls: new Map([[-1n, OPEN_ACL]]), nodes: smallTree(1) }, { dataDir: dir, zxid: 0n });
  const appender = await TxnLogAppender.open({ dataLogDir: dir, preAllocSize: 4096 });
  for (const [first, count] of [
    [1n, 10],
    [11n, 10],
    [21n, 5],
  ] as const) {
    await Promise.all(txnRange(first, count).map((t) => appender.append(t)));
    await appender.roll();
  }
  await appender.close();
}

async function replayedZxids(dir: string): Promise<bigint[]> {
  const out: bigint[] = [];
  for await (const t of (await recover({ dataDir: dir })).txns()) out.push(t.entry.header.zxid);
  return out;
}

describe("truncateLog", () => {
  it("cuts the log holding the zxid right after it and removes later logs", async () => {
    await withTempDir(async (dir) => {
      await threeLogs(dir);
      const result = await truncateLog({ dataLogDir: dir, zxid: 14n });
      expect(result.truncated?.path).toMatch(/log\.b$/);
      expect(result.removed.map((p) => p.split("/").pop())).toEqual(["log.15"]);
      expect((await readdir(versionDir(dir))).filter((n) => n.startsWith("log")).sort()).toEqual(["log.1", "log.b"]);
      expect(await replayedZxids(dir)).toEqual(txnRange(1n, 14).map((t) => t.header.zxid));
      // Appending after a truncation continues in a new file.
      const appender = await TxnLogAppender.open({ dataLogDir: dir, preAllocSize: 0 });
      await appender.append(txnRange(15n, 1)[0]!);
      await appender.close();
      expect((await replayedZxids(dir)).at(-1)).toBe(15n);
    });
  });

  it("at the last zxid of a file, keeps that file whole", async () => {
    await withTempDir(async (dir) => {
      await threeLogs(dir);
      const result = await truncateLog({ dataLogDir: dir, zxid: 20n });
      expect(result.truncated).toBeNull();
      expect(await replayedZxids(dir)).toHaveLength(20);
    });
  });

  it("is a no-op at the last logged zxid and refuses a zxid older than every log", async () => {
    await withTempDir(async (dir) => {
      await threeLogs(dir);
      expect(await truncateLog({ dataLogDir: dir, zxid: 25n })).toEqual({ truncated: null, removed: [] });
      await expect(truncateLog({ dataLogDir: dir, zxid: 0n })).rejects.toMatchObject({ code: "INVALID_ARGUMENT" });
    });
  });
});
