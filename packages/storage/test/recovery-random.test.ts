import { open, readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { encodeTxnBytes, filesOfKind, frameLogEntry, recover, scanLogFile, TxnLogAppender, versionDir, writeSnapshot } from "../src/index.js";
import { createTxn, OPEN_ACL, seededRandom, smallTree, testSeed, withTempDir } from "./support/fixtures.js";

/**
 * Random histories: batch sizes, entry sizes, preallocation, size-limit rolls, snapshots at
 * random points, then a crash that tears a write nobody was told had succeeded. Recovery must
 * give back exactly the acknowledged txns after the newest snapshot, every time.
 */
describe("recovery of random histories", () => {
  it("returns exactly the acknowledged txns after the newest snapshot", async () => {
    const seed = testSeed("random histories");
    const random = seededRandom(seed);
    const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
    for (let round = 0; round < 12; round++) {
      await withTempDir(async (dir) => {
        const total = 1 + Math.floor(random() * 150);
        const appender = await TxnLogAppender.open({
          dataLogDir: dir,
          preAllocSize: pick([0, 4096, 65536]),
          txnLogSizeLimit: pick([0, 1500, 8000]),
        });
        let snapshotZxid = -1n;
        let zxid = 1n;
        while (zxid <= BigInt(total)) {
          const group = [];
          for (let i = 0; i < 1 + Math.floor(random() * 20) && zxid <= BigInt(total); i++, zxid++) {
            group.push(appender.append(createTxn(zxid, `/r${zxid}`, "v".repeat(Math.floor(random() * 300)))));
          }
          await Promise.all(group);
          if (random() < 0.15) {
            await appender.roll();
            // A fuzzy snapshot: it may be named a little behind what the log already holds.
            const behind = zxid - 1n - BigInt(Math.floor(random() * 3));
            snapshotZxid = behind > snapshotZxid ? behind : snapshotZxid + 1n;
            await writeSnapshot({ sessions: new Map(), acls: new Map([[-1n, OPEN_ACL]]), nodes: smallTree(1) }, { dataDir: dir, zxid: snapshotZxid });
          }
        }
        await appender.close();
        if (snapshotZxid < 0n) {
          snapshotZxid = 0n;
          await writeSnapshot({ sessions: new Map(), acls: new Map([[-1n, OPEN_ACL]]), nodes: smallTree(1) }, { dataDir: dir, zxid: 0n });
        }
        await tearUnacknowledgedWrite(dir, BigInt(total) + 1n, random);

        const r = await recover({ dataDir: dir });
        const zxids: bigint[] = [];
        for await (const t of r.txns()) zxids.push(t.entry.header.zxid);
        const context = `seed ${seed} round ${round}`;
        expect(r.snapshot?.zxid, context).toBe(snapshotZxid);
        expect(zxids, context).toEqual(Array.from({ length: total - Number(snapshotZxid) }, (_, i) => snapshotZxid + 1n + BigInt(i)));
        expect(r.lastZxid, context).toBe(BigInt(total));
        expect(r.gaps, context).toEqual([]);
        expect((await recover({ dataDir: dir })).repairs, context).toEqual([]);
      });
    }
  });
});

/** Writes a random-length prefix of the next entry after the last one, as a crash mid-write leaves. */
async function tearUnacknowledgedWrite(dir: string, zxid: bigint, random: () => number): Promise<void> {
  const logDir = versionDir(dir);
  const last = filesOfKind(await readdir(logDir), "log").pop()!;
  const path = join(logDir, last.name);
  const scan = scanLogFile(path, await readFile(path));
  const txnBytes = encodeTxnBytes(createTxn(zxid, "/torn", "never acknowledged"));
  const framed = Buffer.alloc(txnBytes.length + 13);
  frameLogEntry(txnBytes, framed, 0);
  const kept = framed.subarray(0, Math.floor(random() * framed.length));
  const file = await open(path, "r+");
  try {
    await file.write(kept, 0, kept.length, scan.validEnd);
  } finally {
    await file.close();
  }
}
