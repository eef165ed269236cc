/**
 * Sustained fsynced appends per second and append latency (p50/p99/max) of the group-commit
 * appender on this machine's disk, for several numbers of appends in flight.
 *
 *   npm run bench:append -w @zkts/storage [-- seconds [dir]]
 *
 * Each writer appends a ~100-byte setData txn, waits for it to be durable, and appends the
 * next, like a client waiting for its reply; with W writers, up to W appends are in flight
 * and share fsyncs.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { OpCode, type TxnEntry } from "@zkts/jute";
import { TxnLogAppender } from "@zkts/storage";

const seconds = Number(process.argv[2] ?? 5);
const baseDir = process.argv[3] ?? tmpdir();
const WRITERS = [1, 8, 64, 256];
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

async function run(writers: number): Promise<void> {
  const dir = await mkdtemp(join(baseDir, "zkts-bench-append-"));
  const appender = await TxnLogAppender.open({ dataLogDir: dir });
  let nextZxid = 1n;
  const latencies: number[] = [];
  const deadline = performance.now() + seconds * 1000;
  const started = performance.now();
  async function writer(): Promise<void> {
    while (performance.now() < deadline) {
      const t0 = performance.now();
      await appender.append(txn(nextZxid++));
      latencies.push(performance.now() - t0);
    }
  }
  await Promise.all(Array.from({ length: writers }, writer));
  const elapsed = (performance.now() - started) / 1000;
  await appender.close();
  await rm(dir, { recursive: true, force: true });
  const sorted = Float64Array.from(latencies).sort();
  const fsync = appender.fsyncStats();
  console.log(
    [
      `writers=${String(writers).padStart(3)}`,
      `appends/s=${(latencies.length / elapsed).toFixed(0).padStart(7)}`,
      `fsyncs/s=${(fsync.count / elapsed).toFixed(0).padStart(5)}`,
      `txns/fsync=${(latencies.length / Math.max(1, fsync.count)).toFixed(1).padStart(6)}`,
      `p50=${percentile(sorted, 50).toFixed(2)}ms`,
      `p99=${percentile(sorted, 99).toFixed(2)}ms`,
      `max=${sorted[sorted.length - 1]!.toFixed(2)}ms`,
      `fsync avg=${fsync.avgMs.toFixed(2)}ms max=${fsync.maxMs.toFixed(2)}ms`,
    ].join("  "),
  );
}

console.log(`group-commit appender, ${seconds}s per run, files under ${baseDir}, forceSync on, 64 MiB preallocation`);
for (const writers of WRITERS) await run(writers);
