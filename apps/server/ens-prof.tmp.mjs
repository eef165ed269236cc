import { startZktsEnsemble } from "/work/main/packages/testkit/dist/index.js";
import { runLoad } from "/work/main/apps/bench/dist/load.js";
const ens = await startZktsEnsemble();
try {
  const leader = await ens.waitForLeader(60000);
  const target = process.env.TARGET === "leader" ? leader : ens.members.find((m) => m !== leader);
  console.log("leader", ens.members.indexOf(leader) + 1, "target", ens.members.indexOf(target) + 1, "pids", ens.members.map((m) => m.server.pid).join(","));
  const base = { host: target.server.host, port: target.server.port, clients: 8, outstanding: 64, dataSize: 1024, readRatio: 0, seed: 7, progress: null, ...(process.env.RATE ? { ratePerSecond: Number(process.env.RATE) } : {}) };
  const r = await runLoad({ ...base, durationMs: Number(process.env.SECS ?? 8) * 1000 });
  console.log(r.operations / (r.elapsedMs / 1000));
} finally { await ens.cleanup(); }
