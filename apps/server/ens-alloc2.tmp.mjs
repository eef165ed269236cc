import { readFileSync, writeFileSync } from "node:fs";
import { startZktsEnsemble } from "/work/main/packages/testkit/dist/index.js";
import { runLoad } from "/work/main/apps/bench/dist/load.js";
const WHO = process.env.WHO ?? "leader";
const ens = await startZktsEnsemble();
function cdp(url) {
  const ws = new WebSocket(url); let id = 0; const pending = new Map();
  ws.onmessage = (e) => { const m = JSON.parse(e.data); if (m.id && pending.has(m.id)) { pending.get(m.id)(m); pending.delete(m.id); } };
  const ready = new Promise((r) => (ws.onopen = r));
  return { ready, send: (method, params = {}) => new Promise((r) => { const i = ++id; pending.set(i, r); ws.send(JSON.stringify({ id: i, method, params })); }), close: () => ws.close() };
}
try {
  const leader = await ens.waitForLeader(60000);
  const target = process.env.TARGET === "leader" ? leader : ens.members.find((m) => m !== leader);
  const other = ens.members.find((m) => m !== leader && m !== target) ?? ens.members.find((m) => m !== leader);
  const who = WHO === "leader" ? leader : WHO === "target" ? target : other;
  const base = { host: target.server.host, port: target.server.port, clients: 8, outstanding: 64, dataSize: 1024, readRatio: 0, seed: 7, progress: null, ...(process.env.RATE ? { ratePerSecond: Number(process.env.RATE) } : {}) };
  await runLoad({ ...base, durationMs: 2000 });
  const url = /Debugger listening on (ws:\S+)/.exec(readFileSync(who.server.logPath, "utf8"))[1];
  const c = cdp(url); await c.ready;
  await c.send("HeapProfiler.startSampling", { samplingInterval: 4096, includeObjectsCollectedByMajorGC: true, includeObjectsCollectedByMinorGC: true });
  const r = await runLoad({ ...base, durationMs: 4000 });
  const res = await c.send("HeapProfiler.stopSampling");
  writeFileSync(`/tmp/perf/alloc2-${WHO}.json`, JSON.stringify(res.result.profile));
  console.log("ops", r.operations);
  c.close();
} finally { await ens.cleanup(); }
