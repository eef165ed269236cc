/**
 * Sustained fsynced txns per second and batch latency (p50/p99/max) of the log appender on
 * this machine's disk, for several batch sizes.
 *
 *   npm run bench:append -w @zkts/storage [-- seconds [dir]]
 *
 * One batch is in flight at a time, as the servers hand them over (the standalone pipeline's
 * group commit, an ensemble member's Ready): a batch of B ~100-byte setData txns is appended,
 * and the next follows once it is durable. Each batch costs one write and one fsync.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { OpCode, type TxnEntry } from "@zkts/jute";
import { TxnLogAppender } from "@zkts/storage";

const seconds = Number(process.argv[2] ?? 5);
const baseDir = process.argv[3] ?? tmpdir();
const BATCH_SIZES = [1, 8, 64, 256];
const DATA = Buffer.alloc(64, 0x61);

function txn(zxid: bigint): TxnEntry {
  return {
    header: { clientId: 0x1000n, cxid: Number(zxid & 0x7fffffffn), zxid, time: BigInt(Date.now()), type: OpCode.setData },
    body: { type: OpCode.setData, txn: { path: "/bench/node", data: DATA, version: Number(zxid & 0x7fffffffn) } },
    digest: null,
  };
}

function percentile(sorted: Float64Array, p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

async function run(batchSize: number): Promise<void> {
  const dir = await mkdtemp(join(baseDir, "zkts-bench-append-"));
  const appender = await TxnLogAppender.open({ dataLogDir: dir });
  let nextZxid = 1n;
  let txns = 0;
  const latencies: number[] = [];
  const deadline = performance.now() + seconds * 1000;
  const started = performance.now();
  while (performance.now() < deadline) {
    const batch = Array.from({ length: batchSize }, () => txn(nextZxid++));
    const t0 = performance.now();
    await appender.appendBatch(batch);
    latencies.push(performance.now() - t0);
    txns += batchSize;
  }
  const elapsed = (performance.now() - started) / 1000;
  await appender.close();
  await rm(dir, { recursive: true, force: true });
  const sorted = Float64Array.from(latencies).sort();
  const fsync = appender.fsyncStats();
  console.log(
    [
      `batch=${String(batchSize).padStart(3)}`,
      `txns/s=${(txns / elapsed).toFixed(0).padStart(7)}`,
      `fsyncs/s=${(fsync.count / elapsed).toFixed(0).padStart(5)}`,
      `p50=${percentile(sorted, 50).toFixed(2)}ms`,
      `p99=${percentile(sorted, 99).toFixed(2)}ms`,
      `max=${sorted[sorted.length - 1]!.toFixed(2)}ms`,
      `fsync avg=${fsync.avgMs.toFixed(2)}ms max=${fsync.maxMs.toFixed(2)}ms`,
    ].join("  "),
  );
}

console.log(`log appender, one batch in flight, ${seconds}s per batch size, files under ${baseDir}, forceSync on, 64 MiB preallocation`);
for (const batchSize of BATCH_SIZES) await run(batchSize);
