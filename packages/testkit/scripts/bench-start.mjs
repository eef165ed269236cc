#!/usr/bin/env node
// Prints how long the harness takes to start and stop servers and to run each client once, so
// test authors can budget. Build first (npm run build). Usage: node bench-start.mjs [rounds]
import { performance } from "node:perf_hooks";
import { runCliMt, runKazoo, runZkCli, startServer } from "../dist/index.js";
import { existsSync } from "node:fs";
import { zktsMain } from "../dist/paths.js";

const rounds = Math.max(1, Math.min(20, Number(process.argv[2] ?? 3)));

async function timed(fn) {
  const started = performance.now();
  await fn();
  return performance.now() - started;
}

function summary(label, samples) {
  const sorted = [...samples].sort((a, b) => a - b);
  const median = sorted[Math.floor(sorted.length / 2)];
  console.log(
    `${label.padEnd(28)} median ${median.toFixed(0).padStart(6)} ms   min ${sorted[0].toFixed(0).padStart(6)} ms   max ${sorted.at(-1).toFixed(0).padStart(6)} ms   (n=${samples.length})`,
  );
}

const kinds = existsSync(zktsMain) ? ["reference", "zkts"] : ["reference"];
for (const kind of kinds) {
  const start = [];
  const stop = [];
  const kazoo = [];
  const zkcli = [];
  const climt = [];
  for (let round = 0; round < rounds; round++) {
    let server;
    start.push(await timed(async () => (server = await startServer(kind))));
    try {
      kazoo.push(
        await timed(() =>
          runKazoo(`
from kazoo.client import KazooClient
zk = KazooClient(hosts="${server.connectString}")
zk.start(timeout=15)
zk.create("/bench-${round}", b"x")
zk.stop()
`),
        ),
      );
      zkcli.push(await timed(() => runZkCli(server.connectString, [`get /bench-${round}`])));
      climt.push(await timed(() => runCliMt(server.connectString, [`get /bench-${round}`])));
    } finally {
      stop.push(await timed(() => server.cleanup()));
    }
  }
  console.log(`--- ${kind}`);
  summary("start (until srvr answers)", start);
  summary("stop + cleanup", stop);
  summary("runKazoo create", kazoo);
  summary("runZkCli get", zkcli);
  summary("runCliMt get", climt);
}
