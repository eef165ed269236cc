#!/usr/bin/env node
import { spawn } from "node:child_process";
import { mkdir, writeFile } from "node:fs/promises";
import { loadavg } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { integerValue, UsageError } from "@zkts/cli-args";
import { machineFacts } from "./machine-facts.js";
import { type BenchAllRun, type RestartTable, benchAllMarkdown } from "./report-markdown.js";
import { OUTPUT_OPTIONS, outputMode, scriptArgs } from "./script-args.js";

/**
 * The whole comparison in one run, each part as its own script in its own process (a part that
 * fails does not take the others with it): the standalone read-percentage sweep and its chart,
 * the 3-member ensemble comparison, linearizable reads, failover, fresh starts, SNAP catch-up,
 * and restart with N znodes.
 * Writes report.md, the chart(s), results.json and each part's raw output under
 * bench/results/<date-time>/. The defaults finish in about ten minutes on a 2-core machine.
 */
const PARTS = ["sweep", "ensemble", "reads", "failover", "start", "snap", "restart"] as const;
type Part = (typeof PARTS)[number];

const { durationMs, seed, values, usage } = scriptArgs(
  "zkts-bench all",
  "The whole comparison of zkts with the reference ZooKeeper 3.8 (read-percentage sweep and chart,\nensemble, linearizable reads, failover, fresh start, SNAP catch-up, restart), written as one\nreport under bench/results/.",
  5,
  {
    rounds: { type: "string", value: "N", description: "failover rounds per ensemble (default 5)" },
    "ensemble-rounds": { type: "string", value: "N", description: "alternating rounds of the ensemble loads (default 3)" },
    znodes: { type: "string", value: "N", description: "znodes the restart and SNAP catch-up parts fill (default 20000)" },
    starts: { type: "string", value: "N", description: "fresh starts of each server (default 3)" },
    "restart-rounds": { type: "string", value: "N", description: "restarts of each server (default 1)" },
    parts: { type: "string", value: "LIST", description: `comma-separated parts to run (default ${PARTS.join(",")})` },
    out: { type: "string", value: "DIR", description: "where the report goes (default bench/results/<date-time>)" },
    ...OUTPUT_OPTIONS,
  },
);
const output = outputMode(values);
const settings = usage(() => {
  const parts = ((values.parts as string | undefined) ?? PARTS.join(",")).split(",").map((p) => p.trim());
  for (const part of parts) if (!(PARTS as readonly string[]).includes(part)) throw new UsageError(`--parts takes some of ${PARTS.join(",")}, not '${part}'`);
  return {
    parts: new Set(parts as Part[]),
    rounds: integerValue(values.rounds as string | undefined, "--rounds", 5, { min: 1 }),
    ensembleRounds: integerValue(values["ensemble-rounds"] as string | undefined, "--ensemble-rounds", 3, { min: 1 }),
    znodes: integerValue(values.znodes as string | undefined, "--znodes", 20_000, { min: 1 }),
    starts: integerValue(values.starts as string | undefined, "--starts", 3, { min: 1 }),
    restartRounds: integerValue(values["restart-rounds"] as string | undefined, "--restart-rounds", 1, { min: 1 }),
  };
});

const started = new Date();
// A directory name that sorts by time and needs no quoting: 2026-12-06T01-20-00Z.
const stamp = started
  .toISOString()
  .replace(/\.\d+Z$/, "Z")
  .replace(/:/g, "-");
const outDir = resolve((values.out as string | undefined) ?? join("bench", "results", stamp));
await mkdir(outDir, { recursive: true });
const scriptsDir = dirname(fileURLToPath(import.meta.url));
const machine = await machineFacts();
output.log(`bench:all: writing to ${outDir}; load average ${machine.loadAverageAtStart.map((v) => v.toFixed(2)).join(", ")}`);

const run: BenchAllRun = {
  startedAt: started.toISOString(),
  finishedAt: "",
  command: `zkts-bench all ${process.argv.slice(2).join(" ")}`.trim(),
  machine,
  failures: [],
  charts: [],
};

/** Runs one script to its end, its stderr passed through, and returns its stdout (saved beside the report). */
async function runScript(part: Part, script: string, args: string[]): Promise<string | null> {
  output.log(`bench:all: ${part}: ${script} ${args.join(" ")}`);
  const child = spawn(process.execPath, [join(scriptsDir, `${script}.js`), ...args], { stdio: ["ignore", "pipe", "inherit"] });
  const chunks: Buffer[] = [];
  child.stdout.on("data", (chunk: Buffer) => chunks.push(chunk));
  const code = await new Promise<number | null>((done) => child.on("close", done));
  const stdout = Buffer.concat(chunks).toString("utf8");
  await writeFile(join(outDir, `${part}.out`), stdout);
  if (code !== 0) {
    run.failures.push({ part, message: `${script} exited with ${code}; its output is in ${part}.out` });
    return null;
  }
  return stdout;
}

const common = ["--seconds", String(durationMs / 1000), "--seed", String(seed), "--json", ...(values.quiet === true ? ["--quiet"] : [])];
const parseJson = <T>(part: Part, text: string | null): T | undefined => {
  if (text === null) return undefined;
  try {
    return JSON.parse(text) as T;
  } catch (err) {
    run.failures.push({ part, message: `unreadable JSON: ${(err as Error).message}` });
    return undefined;
  }
};

if (settings.parts.has("sweep")) {
  const chart = "throughput-vs-reads.svg";
  run.sweep = parseJson("sweep", await runScript("sweep", "mix-sweep", [...common, "--svg", join(outDir, chart)]));
  if (run.sweep !== undefined) run.charts.push({ file: chart, caption: "Throughput against read percentage, standalone, ZooKeeper 3.8 and zkts" });
}
if (settings.parts.has("ensemble"))
  run.ensemble = parseJson("ensemble", await runScript("ensemble", "ensemble-compare", [...common, "--rounds", String(settings.ensembleRounds)]));
if (settings.parts.has("reads")) run.reads = parseJson("reads", await runScript("reads", "linearizable-reads", common));
if (settings.parts.has("failover")) {
  const args = ["--rounds", String(settings.rounds), "--json", ...(values.quiet === true ? ["--quiet"] : [])];
  run.failover = parseJson("failover", await runScript("failover", "failover", args));
}
const quiet = values.quiet === true ? ["--quiet"] : [];
if (settings.parts.has("start")) {
  run.freshStart = parseJson("start", await runScript("start", "fresh-start", ["--rounds", String(settings.starts), "--json", ...quiet]));
}
if (settings.parts.has("snap")) {
  const args = ["--znodes", String(settings.znodes), "--rounds", String(settings.restartRounds), "--json", ...quiet];
  run.snapCatchup = parseJson("snap", await runScript("snap", "snap-catchup", args));
}
if (settings.parts.has("restart")) {
  const args = ["--znodes", String(settings.znodes), "--rounds", String(settings.restartRounds), "--settle-seconds", "1", "--json", ...quiet];
  run.restart = parseJson<{ table: RestartTable }>("restart", await runScript("restart", "restart", args))?.table;
}

run.finishedAt = new Date().toISOString();
run.machine.loadAverageAtEnd = loadavg();
const markdown = benchAllMarkdown(run);
await writeFile(join(outDir, "report.md"), markdown);
await writeFile(join(outDir, "results.json"), `${JSON.stringify(run, null, 2)}\n`);
output.log(`bench:all: report in ${join(outDir, "report.md")}; load average ${run.machine.loadAverageAtEnd.map((v) => v.toFixed(2)).join(", ")}`);
process.stdout.write(output.json ? `${JSON.stringify(run, null, 2)}\n` : markdown);
if (run.failures.length > 0) process.exitCode = 1;
