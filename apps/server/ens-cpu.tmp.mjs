// Per-member CPU per write through a follower of a zkts ensemble (or the reference), from /proc.
import { readFileSync } from "node:fs";
import { startZktsEnsemble, startReferenceEnsemble } from "/work/main/packages/testkit/dist/index.js";
import { runLoad } from "/work/main/apps/bench/dist/load.js";
const KIND = process.env.KIND ?? "zkts";
const SECS = Number(process.env.SECS ?? 8);
const READ = Number(process.env.READ ?? 0);
const OUT = Number(process.env.OUT ?? 32);
const TARGET = process.env.TARGET ?? "follower";
const ticks = (pid) => { const f = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1].split(" "); const io = Object.fromEntries(readFileSync(`/proc/${pid}/io`, "utf8").trim().split("\n").map((l) => l.split(": "))); return { u: Number(f[11]), s: Number(f[12]), minflt: Number(f[7]), r: Number(io.syscr), w: Number(io.syscw) }; };
const self = () => { const u = process.cpuUsage(); return u.user + u.system; };
const ens = await (KIND === "zkts" ? startZktsEnsemble() : startReferenceEnsemble());
try {
  const leader = await ens.waitForLeader(60000);
  const target = TARGET === "leader" ? leader : ens.members.find((m) => m !== leader);
  const base = { host: target.server.host, port: target.server.port, clients: 8, outstanding: OUT, dataSize: 1024, readRatio: READ, seed: 7, progress: null, ...(process.env.RATE ? { ratePerSecond: Number(process.env.RATE) } : {}) };
  await runLoad({ ...base, durationMs: 2000 });
  const pids = ens.members.map((m) => m.server.pid);
  const before = pids.map(ticks); const selfBefore = self();
  const r = await runLoad({ ...base, durationMs: SECS * 1000 });
  const after = pids.map(ticks); const selfUs = self() - selfBefore;
  const ops = r.operations;
  console.log(`${KIND} ${TARGET} read=${READ} out=${OUT}: ${(ops / (r.elapsedMs / 1000)).toFixed(0)} ops/s p50=${r.latencyMs.p50?.toFixed?.(2)} p99=${r.latencyMs.p99?.toFixed?.(2)}`);
  ens.members.forEach((m, i) => {
    const du = (after[i].u - before[i].u) * 10000 / ops, ds = (after[i].s - before[i].s) * 10000 / ops;
    console.log(`  member ${i + 1}${m === leader ? " (leader)" : m === target ? " (target)" : ""}: ${(du + ds).toFixed(1)} us/op (user ${du.toFixed(1)} sys ${ds.toFixed(1)}) minflt/op ${((after[i].minflt - before[i].minflt) / ops).toFixed(2)} syscr/op ${((after[i].r - before[i].r) / ops).toFixed(2)} syscw/op ${((after[i].w - before[i].w) / ops).toFixed(2)}`);
  });
  console.log(`  load generator: ${(selfUs / ops).toFixed(1)} us/op`);
} finally { await ens.cleanup(); }
