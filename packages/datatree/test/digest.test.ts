/**
 * The tree digest: CRC32 as java.util.zip.CRC32 computes it, the incremental digest equal to a
 * sum recomputed from every node, and DigestForecast agreeing with the tree for pipelined txns
 * (prepared in batches before any of them is applied), over a seeded random workload.
 */
import { OpCode } from "@zkts/jute";
import { describe, expect, it } from "vitest";
import { DIGEST_VERSION, DataTree, DigestForecast, combineDigest, crc32, nodeDigest } from "../src/index.js";
import { crc32Update } from "../src/digest.js";
import { ANON_S1, Harness, OPEN_ACL, createOp, deleteOp, multiOp, setAclOp, setDataOp, type SessionInfo } from "./support.js";

function recomputed(tree: DataTree): bigint {
  let sum = 0n;
  for (const [path, node] of tree.nodes) sum = combineDigest(sum, nodeDigest(path, node), 1);
  return sum;
}

function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe("tree digest", () => {
  it("CRC32 matches the IEEE check value", () => {
    expect(crc32(Buffer.from("123456789"))).toBe(0xcbf43926);
    expect(crc32(Buffer.from("1234"), Buffer.from("56789"))).toBe(0xcbf43926);
  });

  it("continues a CRC32 over any range alike, short ranges in JavaScript and long ones through zlib", () => {
    const seed = Number(process.env.DIGEST_SEED ?? Date.now() % 1_000_000);
    console.log(`crc32 ranges seed ${seed}`);
    const random = mulberry32(seed);
    const bytes = Buffer.from(Array.from({ length: 5000 }, () => Math.floor(random() * 256)));
    for (let round = 0; round < 200; round++) {
      const start = Math.floor(random() * 2000);
      const split = start + Math.floor(random() * 1500);
      const end = split + Math.floor(random() * 1500);
      const pieces = (crc32Update(crc32Update(0xffffffff, bytes, start, split), bytes, split, end) ^ 0xffffffff) >>> 0;
      expect(pieces).toBe(crc32(bytes.subarray(start, end)));
    }
  });

  it("leaves /zookeeper/ nodes out and hashes the root under the empty path", () => {
    const tree = new DataTree();
    expect(nodeDigest("/zookeeper/quota", tree.getNode("/zookeeper/quota")!)).toBe(0n);
    expect(nodeDigest("/zookeeper", tree.getNode("/zookeeper")!)).not.toBe(0n);
    expect(tree.treeDigest).toBe(recomputed(tree));
    expect(new DataTree({ digestEnabled: false }).treeDigest).toBe(0n);
  });

  it("is kept incrementally and forecast exactly for pipelined txns", () => {
    const seed = Number(process.env.DIGEST_SEED ?? Date.now() % 1_000_000);
    console.log(`digest forecast seed ${seed}`);
    const random = mulberry32(seed);
    const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
    const h = new Harness();
    const forecast = new DigestForecast(h.tree);
    const sessions: SessionInfo[] = [ANON_S1, { sessionId: 0x2002n, authInfo: [] }, { sessionId: 0x3003n, authInfo: [] }];
    const names = ["/a", "/b", "/a/x", "/a/y", "/b/z", "/c"];
    const expected: bigint[] = [];
    for (let round = 0; round < 300; round++) {
      const batch = 1 + Math.floor(random() * 5);
      for (let i = 0; i < batch; i++) {
        const path = pick(names);
        const session = pick(sessions);
        const choice = random();
        const prepared =
          choice < 0.08
            ? h.prepareClose(session.sessionId)
            : h.prepare(
                choice < 0.4
                  ? createOp(path, { data: `d${round}`, mode: pick([0, 1, 2, 3, 4]) })
                  : choice < 0.6
                    ? deleteOp(path)
                    : choice < 0.75
                      ? setDataOp(path, random() < 0.2 ? null : `v${round}`)
                      : choice < 0.85
                        ? setAclOp(path, OPEN_ACL)
                        : multiOp(createOp(pick(names)), setDataOp(pick(names), "m"), deleteOp(pick(names))),
                session,
              );
        expected.push(forecast.forecast(prepared.header, prepared.body));
      }
      while (h.pendingCount > 0 && random() < 0.8) {
        const outcome = h.applyNext();
        const applied = h.log[h.log.length - 1]!;
        forecast.applied(applied.header.zxid);
        expect(h.tree.treeDigest, `zxid ${applied.header.zxid} (${outcome.body.type}) seed ${seed}`).toBe(expected.shift());
      }
    }
    h.applyAll();
    expect(h.tree.treeDigest).toBe(recomputed(h.tree));
    expect(h.log.some((t) => t.body.type === OpCode.closeSession)).toBe(true);
  });

  it("stays exact with thousands of writes in flight, retired in uneven runs", () => {
    // More writes outstanding than the change records and forecasts keep before compacting,
    // applied a few at a time while more are prepared, as a pipelined burst does.
    const seed = Number(process.env.DIGEST_SEED ?? Date.now() % 1_000_000);
    console.log(`digest forecast in flight seed ${seed}`);
    const random = mulberry32(seed);
    const h = new Harness();
    const forecast = new DigestForecast(h.tree);
    const expected: bigint[] = [];
    const prepare = (op: Parameters<Harness["prepare"]>[0]) => {
      const prepared = h.prepare(op);
      expected.push(forecast.forecast(prepared.header, prepared.body));
    };
    for (let p = 0; p < 5; p++) prepare(createOp(`/p${p}`, { data: "parent" }));
    for (let round = 0; round < 4; round++) {
      for (let i = 0; i < 1500; i++) {
        const parent = `/p${Math.floor(random() * 5)}`;
        prepare(random() < 0.7 ? createOp(`${parent}/n${round}-${i}`, { data: `d${i}` }) : setDataOp(parent, `v${round}-${i}`));
      }
      let toApply = h.pendingCount - (round < 3 ? Math.floor(random() * 1200) : 0);
      while (toApply > 0) {
        const run = Math.min(toApply, 1 + Math.floor(random() * 40));
        for (let i = 0; i < run; i++) {
          h.applyNext();
          const applied = h.log[h.log.length - 1]!;
          forecast.applied(applied.header.zxid);
          expect(h.tree.treeDigest, `zxid ${applied.header.zxid} seed ${seed}`).toBe(expected.shift());
        }
        toApply -= run;
      }
    }
    expect(h.pendingCount).toBe(0);
    expect(h.preparer.outstandingCount).toBe(0);
    expect(h.tree.treeDigest).toBe(recomputed(h.tree));
  });
});

/** A tree loaded from `source`'s nodes as a snapshot named for `zxid`, `change` applied to each node first. */
function loadedAsSnapshot(source: DataTree, zxid: bigint, change = (node: { path: string; data: Buffer | null }) => node.data): DataTree {
  const tree = new DataTree();
  tree.beginRestore();
  for (const [id, acl] of source.acls.entries()) tree.restoreAcl(id, acl);
  for (const node of source.snapshotNodes()) tree.restoreNode(node.path, change(node), node.aclId, node.stat);
  tree.finishRestore(zxid);
  return tree;
}

describe("a loaded snapshot's digest for the snapshot's own zxid", () => {
  // ZooKeeper's snapshot.2 may hold txn 3 half applied while its digest is still txn 2's:
  // replaying txn 3 again settles it against txn 3's own digest.
  function writtenDuringTxn3(): { h: Harness; digestAt2: bigint; digestAt3: bigint } {
    const h = new Harness();
    h.prepare(createOp("/a", { data: "a" }));
    h.prepare(createOp("/b", { data: "b" }));
    h.applyAll();
    const digestAt2 = h.tree.treeDigest;
    h.prepare(createOp("/a/x", { data: "x" }));
    h.applyAll();
    return { h, digestAt2, digestAt3: h.tree.treeDigest };
  }

  it("matches at once when the nodes are the tree at that zxid", () => {
    const h = new Harness();
    h.prepare(createOp("/a"));
    h.applyAll();
    const tree = loadedAsSnapshot(h.tree, 1n);
    expect(tree.restoredDigest({ zxid: 1n, version: DIGEST_VERSION, digest: h.tree.treeDigest }, 1n)).toBeNull();
    expect(tree.snapshotDigestPending).toBe(false);
  });

  it("is not a mismatch when the next txn was caught half applied, once that txn is replayed", () => {
    const { h, digestAt2, digestAt3 } = writtenDuringTxn3();
    const tree = loadedAsSnapshot(h.tree, 2n);
    expect(tree.restoredDigest({ zxid: 2n, version: DIGEST_VERSION, digest: digestAt2 }, 2n)).toBeNull();
    expect(tree.snapshotDigestPending).toBe(true);
    const txn3 = h.log[2]!;
    tree.applyTxn(txn3.header, txn3.body);
    expect(tree.checkAppliedDigest(3n, { version: DIGEST_VERSION, treeDigest: digestAt3 })).toBeNull();
    expect(tree.snapshotDigestPending).toBe(false);
    expect(tree.digestMismatches).toBe(0);
  });

  it("is a mismatch when a node was changed in the file, found at the next txn", () => {
    const { h, digestAt2, digestAt3 } = writtenDuringTxn3();
    const tree = loadedAsSnapshot(h.tree, 2n, (node) => (node.path === "/b" ? Buffer.from("B") : node.data));
    expect(tree.restoredDigest({ zxid: 2n, version: DIGEST_VERSION, digest: digestAt2 }, 2n)).toBeNull();
    const txn3 = h.log[2]!;
    tree.applyTxn(txn3.header, txn3.body);
    expect(tree.checkAppliedDigest(3n, { version: DIGEST_VERSION, treeDigest: digestAt3 })).toMatchObject({ zxid: 3n, source: "txn" });
    expect(tree.digestMismatches).toBe(1);
  });
});
