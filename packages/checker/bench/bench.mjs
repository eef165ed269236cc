// Prints how long the checker takes on the corpora and on a large generated history.
// Not a test: figures depend on the machine. Run with `npm run bench` (builds first).
//   node bench/bench.mjs [--runs N]
import { readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { performance } from "node:perf_hooks";
import { casRegister, checkOperations, kvEntry, pairEvents, parseHistory, seededRandom, simulateCasRegisterHistory } from "../dist/index.js";

const runsArg = process.argv.indexOf("--runs");
const runs = runsArg > 0 ? Number(process.argv[runsArg + 1]) : 5;
const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), "../../..");
const corpus = join(repoRoot, "..", "shared", "corpus");

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

/** Runs fn `runs` times after one warm-up and returns the median time in ms and the last result. */
function time(fn) {
  let result = fn();
  const times = [];
  for (let i = 0; i < runs; i++) {
    const start = performance.now();
    result = fn();
    times.push(performance.now() - start);
  }
  return { ms: median(times), result };
}

const fmt = (ms) => `${ms.toFixed(1).padStart(8)} ms`;

// The etcd corpus: parse once, then time the checking of all 102 histories.
const expected = readFileSync(join(corpus, "jepsen-etcd", "EXPECTED.txt"), "utf8")
  .trim()
  .split("\n")
  .map((line) => line.split(/\s+/));
const etcd = expected.map(([file, verdict]) => ({
  file,
  verdict,
  history: parseHistory(readFileSync(join(corpus, "jepsen-etcd", file), "utf8"), "jepsen-log"),
}));
const perHistory = etcd.map(({ file, verdict, history }) => {
  const { ms, result } = time(() => checkOperations(casRegister(), history.operations));
  if (result.verdict !== verdict) throw new Error(`${file}: ${result.verdict}, expected ${verdict}`);
  return { file, ms };
});
const total = perHistory.reduce((sum, h) => sum + h.ms, 0);
const slowest = perHistory.reduce((a, b) => (b.ms > a.ms ? b : a));
console.log(`jepsen-etcd, 102 histories (check only, median of ${runs}):`);
console.log(`  total ${fmt(total)}   per history: median ${median(perHistory.map((h) => h.ms)).toFixed(2)} ms, max ${fmt(slowest.ms)} (${slowest.file})`);
const parseAndCheck = time(() => {
  for (const { file } of etcd) checkOperations(casRegister(), parseHistory(readFileSync(join(corpus, "jepsen-etcd", file), "utf8"), "jepsen-log").operations);
});
console.log(`  total including reading and parsing ${fmt(parseAndCheck.ms)}`);

console.log("kv corpus, partitioned by key:");
for (const name of ["c10-ok", "c10-bad", "c50-ok", "c50-bad"]) {
  const history = parseHistory(readFileSync(join(corpus, "kv", `${name}.txt`), "utf8"), "kv");
  const { ms, result } = time(() => checkOperations(kvEntry(), history.operations));
  console.log(`  ${name.padEnd(8)} ${String(history.operations.length).padStart(5)} ops  ${result.verdict.padEnd(16)} ${fmt(ms)}`);
}
{
  const history = parseHistory(readFileSync(join(corpus, "kv", "c10-ok.txt"), "utf8"), "kv");
  const start = performance.now();
  const result = checkOperations(kvEntry(), history.operations, { partition: false, clock: () => performance.now(), timeoutMs: 60_000 });
  console.log(`  c10-ok without partitioning (one run, 60 s limit): ${result.verdict} ${fmt(performance.now() - start)}`);
}

console.log("generated cas-register histories (seeded):");
for (const shape of [
  { operations: 10_000, processes: 20, keys: 100, unknownRate: 0.003, seed: 1 },
  { operations: 10_000, processes: 20, keys: 10, unknownRate: 0.003, seed: 2 },
  { operations: 2_000, processes: 10, keys: 1, unknownRate: 0.003, seed: 3 },
  // One object, high concurrency and many crashed ops: the exponential end of the search.
  { operations: 1_000, processes: 20, keys: 1, unknownRate: 0.05, seed: 7 },
]) {
  const history = pairEvents(simulateCasRegisterHistory({ ...shape, random: seededRandom(shape.seed) }));
  const unknown = history.operations.filter((op) => op.status === "unknown").length;
  const { ms, result } = time(() => checkOperations(casRegister(), history.operations));
  console.log(
    `  ${shape.operations} ops, ${shape.processes} processes, ${shape.keys} keys, ${unknown} unknown outcomes: ${result.verdict.padEnd(14)} ${fmt(ms)}`,
  );
}
