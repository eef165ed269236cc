/**
 * The packed znode store against a plain model (a Map of objects with Sets of child names):
 * a seeded random sequence of inserts, removals, data and stat changes, checked after every
 * step for paths, child order, data bytes, stat fields and each node's digest share (equal to
 * nodeDigest of the same node as a plain value). The data arena runs with small chunks and a
 * low compaction threshold so chunk boundaries, values with a chunk of their own and
 * compactions all happen; views handed out earlier must keep their bytes through all of it.
 */
import { describe, expect, it } from "vitest";
import { NO_SLOT, ZnodeStore } from "../src/znode-store.js";
import { crc32, crc32Update, nodeDigest } from "../src/digest.js";
import { newZnode } from "../src/znode.js";

interface ModelNode {
  data: Buffer | null;
  czxid: bigint;
  mzxid: bigint;
  version: number;
  children: string[];
}

function random(seed: number): () => number {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) / 0x100000000;
  };
}

function parentOf(path: string): string {
  const cut = path.lastIndexOf("/");
  return cut === 0 ? "/" : path.substring(0, cut);
}

describe("ZnodeStore", () => {
  it("agrees with a plain model over a random sequence of changes", () => {
    const seed = Number(process.env.ZNODE_STORE_SEED ?? Date.now() % 1_000_000);
    process.stdout.write(`znode store seed ${seed}\n`);
    const next = random(seed);
    const store = new ZnodeStore({ chunkBytes: 4096, compactDeadBytesMin: 8192 });
    store.clear();
    const model = new Map<string, ModelNode>();
    const held: { view: Buffer; copy: Buffer }[] = [];
    const root = store.insert("/", NO_SLOT);
    store.rehash(root);
    model.set("/", { data: null, czxid: 0n, mzxid: 0n, version: 0, children: [] });
    const sizes = [0, 1, 7, 100, 900, 3000, 5000];
    const someData = (): Buffer | null => {
      if (next() < 0.1) return null;
      const size = sizes[Math.floor(next() * sizes.length)]!;
      return Buffer.from(Array.from({ length: size }, () => Math.floor(next() * 256)));
    };
    for (let step = 0; step < 2000; step++) {
      const paths = [...model.keys()];
      const path = paths[Math.floor(next() * paths.length)]!;
      const choice = next();
      if (choice < 0.3) {
        const child = `${path === "/" ? "" : path}/n${step}`;
        const slot = store.insert(child, store.slotOf(path));
        const data = someData();
        store.setData(slot, data);
        store.setLong(slot, "czxid", BigInt(step));
        store.setLong(slot, "mzxid", BigInt(step));
        store.rehash(slot);
        model.set(child, { data, czxid: BigInt(step), mzxid: BigInt(step), version: 0, children: [] });
        model.get(path)!.children.push(child.substring(child.lastIndexOf("/") + 1));
      } else if (choice < 0.45 && path !== "/" && model.get(path)!.children.length === 0) {
        store.remove(store.slotOf(path), store.slotOf(parentOf(path)));
        model.delete(path);
        const siblings = model.get(parentOf(path))!.children;
        siblings.splice(siblings.indexOf(path.substring(path.lastIndexOf("/") + 1)), 1);
      } else {
        const slot = store.slotOf(path);
        const view = store.data(slot);
        if (view !== null) held.push({ view, copy: Buffer.from(view) });
        const data = someData();
        store.setData(slot, data);
        store.setLong(slot, "mzxid", BigInt(step));
        store.setInt(slot, "version", step);
        store.rehash(slot);
        Object.assign(model.get(path)!, { data, mzxid: BigInt(step), version: step });
      }
      if (step % 250 === 0 || step === 1999) check(store, model);
    }
    expect(store.compactions).toBeGreaterThan(0);
    for (const { view, copy } of held) expect(view.equals(copy)).toBe(true);
  });
});

/** Every difference between store and model, as lines (one expect per check keeps it quick). */
function check(store: ZnodeStore, model: Map<string, ModelNode>): void {
  const differences: string[] = [];
  if (store.size !== model.size) differences.push(`size ${store.size} != ${model.size}`);
  for (const [path, m] of model) {
    const slot = store.slotOf(path);
    if (slot === NO_SLOT) {
      differences.push(`${path} missing`);
      continue;
    }
    const names = store.childNames(slot);
    if (names.join("/") !== m.children.join("/") || store.childCount(slot) !== m.children.length) differences.push(`${path} children`);
    const data = store.data(slot);
    if ((data === null) !== (m.data === null) || (data !== null && !data.equals(m.data!))) differences.push(`${path} data`);
    if (store.dataSize(slot) !== (m.data?.length ?? 0)) differences.push(`${path} data size`);
    if (store.long(slot, "czxid") !== m.czxid || store.long(slot, "mzxid") !== m.mzxid || store.int(slot, "version") !== m.version) {
      differences.push(`${path} stat`);
    }
    const plain = { ...newZnode(m.data, 0n, m.czxid, 0n, 0n), mzxid: m.mzxid, pzxid: 0n, version: m.version };
    if (BigInt(store.digest(slot)) !== nodeDigest(path, plain)) differences.push(`${path} digest`);
  }
  expect(differences).toEqual([]);
}

describe("crc32Update", () => {
  it("equals the byte-at-a-time CRC-32 for every length and offset up to 40", () => {
    const bytes = Buffer.from(Array.from({ length: 80 }, (_, i) => (i * 131 + 7) & 0xff));
    for (let start = 0; start < 20; start++) {
      for (let length = 0; length <= 40; length++) {
        const sliced = (crc32Update(0xffffffff, bytes, start, start + length) ^ 0xffffffff) >>> 0;
        expect(sliced).toBe(crc32(bytes.subarray(start, start + length)));
      }
    }
  });
});
