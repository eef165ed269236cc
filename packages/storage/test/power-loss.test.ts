import { describe, expect, it } from "vitest";
import { recover, TxnLogAppender, writeSnapshot } from "../src/index.js";
import { createTxn, OPEN_ACL, seededRandom, smallTree, testSeed } from "./support/fixtures.js";
import { PowerLossFs } from "./support/power-loss-fs.js";

const DATA_DIR = "/data";

function nextTurn(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

async function recoveredZxids(fs: PowerLossFs): Promise<bigint[]> {
  const r = await recover({ dataDir: DATA_DIR, fs });
  const out: bigint[] = [];
  for await (const t of r.txns()) out.push(t.entry.header.zxid);
  return out;
}

/**
 * Power cuts at random instants of a run of appends (some acknowledged, some in flight),
 * against a file system that keeps only what was synced plus an in-order, torn prefix of the
 * rest. Every acknowledged txn must come back, as a gap-free run from the first, and the log
 * must take new appends after recovery.
 */
describe("power loss during appends", () => {
  it("recovers every acknowledged txn, and only whole txns", async () => {
    const seed = testSeed("power loss");
    const random = seededRandom(seed);
    const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
    for (let round = 0; round < 60; round++) {
      const context = `seed ${seed} round ${round}`;
      const fs = new PowerLossFs();
      await writeSnapshot({ sessions: new Map(), acls: new Map([[-1n, OPEN_ACL]]), nodes: smallTree(1) }, { dataDir: DATA_DIR, zxid: 0n, fs });
      const appender = await TxnLogAppender.open({
        dataLogDir: DATA_DIR,
        fs,
        preAllocSize: pick([0, 1024, 8192]),
        txnLogSizeLimit: pick([0, 1500]),
      });
      const acknowledged: bigint[] = [];
      const inFlight: Promise<void>[] = [];
      let zxid = 1n;
      const groups = 1 + Math.floor(random() * 12);
      for (let g = 0; g < groups; g++) {
        const size = 1 + Math.floor(random() * 15);
        for (let i = 0; i < size; i++, zxid++) {
          const z = zxid;
          inFlight.push(appender.append(createTxn(z, `/p${z}`, "d".repeat(Math.floor(random() * 700)))).then(() => void acknowledged.push(z)));
        }
        if (random() < 0.2) inFlight.push(appender.roll());
        if (random() < 0.5) await Promise.all(inFlight);
        else for (let t = Math.floor(random() * 4); t > 0; t--) await nextTurn();
      }
      // A last group is still being written when the power goes out, at a random step of it.
      for (let i = 1 + Math.floor(random() * 15); i > 0; i--, zxid++) {
        const z = zxid;
        inFlight.push(appender.append(createTxn(z, `/p${z}`, "d".repeat(Math.floor(random() * 700)))).then(() => void acknowledged.push(z)));
      }
      for (let hop = Math.floor(random() * 40); hop > 0; hop--) await Promise.resolve();
      const crashed = fs.crash(random);
      const acknowledgedBeforeCrash = [...acknowledged];
      await Promise.allSettled(inFlight);
      await appender.close();

      const zxids = await recoveredZxids(crashed);
      expect(zxids, context).toEqual(zxids.map((_, i) => BigInt(i + 1)));
      const durable = acknowledgedBeforeCrash.reduce((a, b) => (a > b ? a : b), 0n);
      expect(BigInt(zxids.length), context).toBeGreaterThanOrEqual(durable);

      // The recovered directory takes new appends and recovers again with them.
      const next = BigInt(zxids.length) + 1n;
      const reopened = await TxnLogAppender.open({ dataLogDir: DATA_DIR, fs: crashed, preAllocSize: 0 });
      await reopened.append(createTxn(next, "/after"));
      await reopened.close();
      expect((await recoveredZxids(crashed)).at(-1), context).toBe(next);
    }
  });
});

describe("power loss while snapshotting", () => {
  it("leaves either the new snapshot, complete, or the previous one in use", async () => {
    const seed = testSeed("power loss while snapshotting");
    const random = seededRandom(seed);
    const tree = Array.from({ length: 300 }, (_, i) => ({ path: i === 0 ? "" : `/n${i}`, data: Buffer.from(`v${i}`), acl: -1n, stat: smallTree(1)[0]!.stat }));
    let sawNew = 0;
    let sawOld = 0;
    for (let round = 0; round < 30; round++) {
      const context = `seed ${seed} round ${round}`;
      const fs = new PowerLossFs();
      await writeSnapshot({ sessions: new Map(), acls: new Map([[-1n, OPEN_ACL]]), nodes: smallTree(1) }, { dataDir: DATA_DIR, zxid: 0n, fs });
      const writing = writeSnapshot(
        { sessions: new Map([[9n, 4000]]), acls: new Map([[-1n, OPEN_ACL]]), nodes: tree },
        { dataDir: DATA_DIR, zxid: 5n, fs, chunkBytes: 512 },
      );
      for (let hop = Math.floor(random() * 3000); hop > 0; hop--) await Promise.resolve();
      const crashed = fs.crash(random);
      await writing;

      // A snapshot name on disk always means a complete snapshot: it is renamed only once synced.
      const named = (await crashed.list(`${DATA_DIR}/version-2`)).includes("snapshot.5");
      const r = await recover({ dataDir: DATA_DIR, fs: crashed });
      expect(r.skippedSnapshots, context).toEqual([]);
      expect(r.snapshot?.zxid, context).toBe(named ? 5n : 0n);
      if (r.snapshot?.zxid === 5n) {
        sawNew++;
        const paths: string[] = [];
        for await (const node of r.snapshot.nodes()) paths.push(node.path);
        expect(paths, context).toEqual(tree.map((n) => n.path));
      } else {
        sawOld++;
      }
      expect(await crashed.list(`${DATA_DIR}/version-2`), context).not.toContain("tmp-snapshot.5");
    }
    console.log(`power loss while snapshotting: ${sawNew} rounds kept the new snapshot, ${sawOld} the previous one`);
  });
});
