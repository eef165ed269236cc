import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { OpCode, type ACL, type StatPersisted, type TxnEntry } from "@zkts/jute";
import type { SnapshotNode } from "../../src/index.js";

export const OPEN_ACL: ACL[] = [{ perms: 31, id: { scheme: "world", id: "anyone" } }];

export function createTxn(zxid: bigint, path: string, data = `data@${zxid}`): TxnEntry {
  return {
    header: { clientId: 0x1234n, cxid: Number(zxid & 0xffffn), zxid, time: 1_700_000_000_000n + zxid, type: OpCode.create },
    body: {
      type: OpCode.create,
      txn: { path, data: Buffer.from(data), acl: OPEN_ACL, ephemeral: false, parentCVersion: Number(zxid & 0xffffn) },
    },
    digest: { version: 2, treeDigest: zxid * 7919n },
  };
}

export function setDataTxn(zxid: bigint, path: string, data: string): TxnEntry {
  return {
    header: { clientId: 0x1234n, cxid: 1, zxid, time: 1_700_000_000_000n + zxid, type: OpCode.setData },
    body: { type: OpCode.setData, txn: { path, data: Buffer.from(data), version: 1 } },
    digest: null,
  };
}

/** Txns with consecutive zxids from `first`, creating /n<zxid>. */
export function txnRange(first: bigint, count: number): TxnEntry[] {
  return Array.from({ length: count }, (_, i) => createTxn(first + BigInt(i), `/n${first + BigInt(i)}`));
}

export function stat(zxid: bigint, ephemeralOwner = 0n): StatPersisted {
  return {
    czxid: zxid,
    mzxid: zxid,
    ctime: 1_700_000_000_000n,
    mtime: 1_700_000_000_001n,
    version: 0,
    cversion: 0,
    aversion: 0,
    ephemeralOwner,
    pzxid: zxid,
  };
}

/** A small tree in preorder: root, /zookeeper, /zookeeper/quota, /app, /app/<children>. */
export function smallTree(children = 3): SnapshotNode[] {
  const nodes: SnapshotNode[] = [
    { path: "", data: null, acl: -1n, stat: stat(0n) },
    { path: "/zookeeper", data: Buffer.alloc(0), acl: -1n, stat: stat(0n) },
    { path: "/zookeeper/quota", data: Buffer.alloc(0), acl: -1n, stat: stat(0n) },
    { path: "/app", data: Buffer.from("app-data"), acl: 1n, stat: stat(2n) },
  ];
  for (let i = 0; i < children; i++) {
    nodes.push({ path: `/app/c${i}`, data: Buffer.from(`child ${i}`), acl: 1n, stat: stat(3n + BigInt(i), i === 0 ? 0x77n : 0n) });
  }
  return nodes;
}

export async function withTempDir<T>(fn: (dir: string) => Promise<T>): Promise<T> {
  const dir = await mkdtemp(join(tmpdir(), "zkts-storage-"));
  try {
    return await fn(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** mulberry32: a tiny seeded generator so randomized tests replay from their printed seed. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The seed from ZKTS_SEED, or a fresh one; printed so a failure can be replayed. */
export function testSeed(name: string): number {
  const seed = process.env.ZKTS_SEED !== undefined ? Number(process.env.ZKTS_SEED) : (Math.random() * 2 ** 32) >>> 0;
  console.log(`${name}: seed ${seed} (replay with ZKTS_SEED=${seed})`);
  return seed;
}
