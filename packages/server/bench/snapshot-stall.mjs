// Measures how long the event loop is blocked while the server snapshots a large tree.
// Usage: node packages/server/bench/snapshot-stall.mjs [znodes=1000000]
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DataTree } from "@zkts/datatree";
import { OpCode } from "@zkts/jute";
import { writeSnapshot } from "@zkts/storage";
import { snapshotSource } from "@zkts/server";

const total = Number(process.argv[2] ?? 1_000_000);
const fanout = 1000;
const tree = new DataTree();
const acl = [{ perms: 31, id: { scheme: "world", id: "anyone" } }];
const data = Buffer.alloc(64, 0x62);
let zxid = 0n;
const create = (path) => {
  zxid++;
  tree.applyTxn(
    { clientId: 1n, cxid: 0, zxid, time: 0n, type: OpCode.create },
    { type: OpCode.create, txn: { path, data, acl, ephemeral: false, parentCVersion: -1 } },
  );
};
const built = Date.now();
for (let p = 0; p * fanout < total; p++) {
  create(`/p${p}`);
  for (let c = 0; c < fanout && p * fanout + c < total; c++) create(`/p${p}/c${c}`);
}
console.log(`built ${tree.nodeCount} znodes in ${Date.now() - built} ms`);

const dir = mkdtempSync(join(tmpdir(), "zkts-snap-"));
let last = performance.now();
let worst = 0;
const gaps = [];
const ticker = setInterval(() => {
  const now = performance.now();
  const gap = now - last;
  gaps.push(gap);
  if (gap > worst) worst = gap;
  last = now;
}, 1);
const started = performance.now();
const written = await writeSnapshot(snapshotSource(tree, new Map()), { dataDir: dir, zxid: tree.lastProcessedZxid });
const elapsed = performance.now() - started;
clearInterval(ticker);
gaps.sort((a, b) => a - b);
console.log(
  `snapshot of ${written.nodes} znodes, ${(written.bytes / 1048576).toFixed(1)} MiB, in ${elapsed.toFixed(0)} ms; ` +
    `event-loop gap p50 ${gaps[Math.floor(gaps.length / 2)].toFixed(1)} ms, p99 ${gaps[Math.floor(gaps.length * 0.99)].toFixed(1)} ms, longest ${worst.toFixed(1)} ms`,
);
rmSync(dir, { recursive: true, force: true });
