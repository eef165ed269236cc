/**
 * Writes a snapshot of N synthetic znodes (default 1,000,000) and reports the longest
 * event-loop stall while it runs, measured two ways: a 1 ms timer's largest lateness and
 * perf_hooks' event-loop delay histogram. Then the same for reading it back: opening
 * (structure and seals checked) and iterating its nodes.
 *
 *   npm run bench:snapshot -w @zkts/storage [-- nodes [dir]]
 */
import { mkdtemp, rm } from "node:fs/promises";
import { cpus, loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { monitorEventLoopDelay } from "node:perf_hooks";
import type { StatPersisted } from "@zkts/jute";
import { openSnapshot, writeSnapshot, type SnapshotNode } from "@zkts/storage";

const total = Number(process.argv[2] ?? 1_000_000);
const baseDir = process.argv[3] ?? tmpdir();
const FANOUT = 1000;

function stat(zxid: bigint): StatPersisted {
  return {
    czxid: zxid,
    mzxid: zxid,
    ctime: 1_764_000_000_000n,
    mtime: 1_764_000_000_000n,
    version: 0,
    cversion: 0,
    aversion: 0,
    ephemeralOwner: 0n,
    pzxid: zxid,
  };
}

/** Root, /zookeeper, then /p<i> parents each holding up to FANOUT children with 32-byte data. */
function* syntheticTree(): Generator<SnapshotNode> {
  const data = Buffer.alloc(32, 0x62);
  yield { path: "", data: Buffer.alloc(0), acl: -1n, stat: stat(0n) };
  yield { path: "/zookeeper", data: Buffer.alloc(0), acl: -1n, stat: stat(0n) };
  let emitted = 2;
  for (let p = 0; emitted < total; p++) {
    yield { path: `/p${p}`, data, acl: -1n, stat: stat(BigInt(emitted)) };
    emitted++;
    for (let c = 0; c < FANOUT && emitted < total; c++, emitted++) {
      yield { path: `/p${p}/node-${c}`, data, acl: -1n, stat: stat(BigInt(emitted)) };
    }
  }
}

/**
 * Tracks the largest gap between ticks of a 1 ms timer beyond its due time, and the CPU time
 * the process used during that gap (all threads): a gap with far less CPU than wall time was
 * the process being descheduled on a busy machine, not code blocking the loop.
 */
function stallMeter(): { stop: () => { stallMs: number; cpuMs: number } } {
  let last = performance.now();
  let lastCpu = process.cpuUsage();
  let worst = { stallMs: 0, cpuMs: 0 };
  const timer = setInterval(() => {
    const now = performance.now();
    const cpu = process.cpuUsage(lastCpu);
    const stallMs = now - last - 1;
    if (stallMs > worst.stallMs) worst = { stallMs, cpuMs: (cpu.user + cpu.system) / 1000 };
    last = now;
    lastCpu = process.cpuUsage();
  }, 1);
  return {
    stop() {
      clearInterval(timer);
      return worst;
    },
  };
}

function describeStall(worst: { stallMs: number; cpuMs: number }): string {
  return `${worst.stallMs.toFixed(1)} ms (process CPU during it: ${worst.cpuMs.toFixed(1)} ms)`;
}

const dir = await mkdtemp(join(baseDir, "zkts-bench-snapshot-"));
try {
  const histogram = monitorEventLoopDelay({ resolution: 1 });
  histogram.enable();
  const meter = stallMeter();
  const t0 = performance.now();
  const written = await writeSnapshot(
    { sessions: new Map([[1n, 30_000]]), acls: new Map([[-1n, [{ perms: 31, id: { scheme: "world", id: "anyone" } }]]]), nodes: syntheticTree() },
    { dataDir: dir, zxid: BigInt(total) },
  );
  const writeMs = performance.now() - t0;
  const stall = meter.stop();
  histogram.disable();
  console.log(
    `load average ${loadavg()
      .map((l) => l.toFixed(2))
      .join(" ")} on ${cpus().length} cores`,
  );
  console.log(
    `write: ${written.nodes} nodes, ${(written.bytes / 1048576).toFixed(1)} MiB in ${(writeMs / 1000).toFixed(2)} s (${(written.bytes / 1048576 / (writeMs / 1000)).toFixed(0)} MiB/s, fsync included)`,
  );
  console.log(`  longest event-loop stall (1 ms timer lateness): ${describeStall(stall)}`);
  console.log(
    `  event-loop delay histogram: p50 ${(histogram.percentile(50) / 1e6).toFixed(1)} ms, p99 ${(histogram.percentile(99) / 1e6).toFixed(1)} ms, max ${(histogram.max / 1e6).toFixed(1)} ms`,
  );

  const readMeter = stallMeter();
  const t1 = performance.now();
  const snapshot = await openSnapshot(written.path, { maxBuffer: 1 << 20 });
  const openMs = performance.now() - t1;
  const t2 = performance.now();
  let count = 0;
  for await (const _ of snapshot.nodes()) count++;
  const iterateMs = performance.now() - t2;
  const iterateStall = readMeter.stop();
  console.log(`read: open (read, check structure and seals) ${openMs.toFixed(0)} ms; iterate ${count} nodes ${iterateMs.toFixed(0)} ms`);
  console.log(`  longest event-loop stall while reading: ${describeStall(iterateStall)}`);
} finally {
  await rm(dir, { recursive: true, force: true });
}
