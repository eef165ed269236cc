import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { type DriverName, type Target, allZkts, parseTarget } from "../cluster/cluster.js";
import { NEMESIS_FAMILIES } from "../nemesis/planner.js";
import { runLab } from "../run/run.js";
import { loadScenarios } from "./library.js";
import { expectationFor, runScenario } from "./run-scenario.js";

export const CATALOGUE_USAGE = `usage: zkts-lab catalogue [--driver processes] [--targets zookeeper,zkts,mixed:ZZK,...] [--seed N] [--random-time 120s] [--only NAME,...]
  Runs every scenario of lab/scenarios on each target, then a run of every nemesis family (set
  and register workloads, --random-time each), and prints a Markdown table of the outcomes:
  what the scenario table in lab/README.md shows. Exit status 0 when every outcome is as expected
  (random runs: valid), 1 otherwise, 3 bad usage.`;

export async function catalogueCommand(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      driver: { type: "string", default: "processes" },
      targets: { type: "string", default: "zookeeper,zkts" },
      seed: { type: "string", default: "1" },
      "random-time": { type: "string", default: "120s" },
      only: { type: "string" },
      help: { type: "boolean", short: "h" },
    },
  });
  if (values.help) {
    process.stdout.write(`${CATALOGUE_USAGE}\n`);
    return 0;
  }
  const seed = Number(values.seed);
  const targets: Target[] = [];
  for (const text of values.targets!.split(",")) {
    const target = parseTarget(text);
    if (target === null) {
      process.stderr.write(`zkts-lab catalogue: --targets takes zookeeper, zkts or mixed:<K|Z per member>, not ${text}\n${CATALOGUE_USAGE}\n`);
      return 3;
    }
    targets.push(target);
  }
  const driver = values.driver as DriverName;
  const only = values.only?.split(",");
  const randomMs = Number(/^(\d+)s$/.exec(values["random-time"]!)?.[1] ?? "120") * 1000;
  const work = mkdtempSync(join(tmpdir(), "zkts-lab-catalogue-"));
  const quiet = () => undefined;
  const rows: string[] = [
    "| scenario | reproduces | " + targets.map((t) => (t === "zookeeper" ? "ZooKeeper 3.8" : t === "zkts" ? "zkts" : `mixed ${t.slice(6)}`)).join(" | ") + " |",
    `|---|---|${targets.map(() => "---|").join("")}`,
  ];
  let allAsExpected = true;
  for (const scenario of loadScenarios().filter((s) => only === undefined || only.includes(s.name))) {
    const cells: string[] = [];
    for (const target of targets) {
      const outcome = await runScenario(scenario, { target, driver, seed, out: join(work, `${scenario.name}-${target}`) }, quiet);
      allAsExpected &&= outcome.asExpected;
      const reads = scenario.workload === "register" ? `${expectationFor(scenario, target).reads} reads: ` : "";
      cells.push(
        `${reads}${outcome.run.verdict}${outcome.asExpected ? "" : ` (expected ${outcome.expected})`}${outcome.run.crashes.length > 0 ? `, ${outcome.run.crashes.length} crash(es)` : ""}`,
      );
      process.stdout.write(
        `${scenario.name} on ${target}: ${outcome.run.verdict} (${outcome.asExpected ? "as expected" : `expected ${outcome.expected}`}) ${outcome.run.out}\n`,
      );
    }
    rows.push(`| \`${scenario.name}\` | ${scenario.references.join(", ")} | ${cells.join(" | ")} |`);
  }
  if (only === undefined) {
    for (const workload of ["set", "register"] as const) {
      const cells: string[] = [];
      for (const target of targets) {
        const families = driver === "containers" ? NEMESIS_FAMILIES.filter((f) => f !== "disk") : [...NEMESIS_FAMILIES];
        const reads = workload === "register" && allZkts(target, 5) ? "linearizable" : "plain";
        const run = await runLab(
          { driver, target, nodes: 5, workload, reads, nemesis: families, timeMs: randomMs, rate: 200, seed, out: join(work, `random-${workload}-${target}`) },
          quiet,
        );
        allAsExpected &&= run.verdict === "valid";
        cells.push(`${run.verdict}, ${run.schedule.length} actions, ${run.operations.ok} ok ops`);
        process.stdout.write(`random ${workload} on ${target}: ${run.verdict} ${run.out}\n`);
      }
      rows.push(`| random ${workload}, every nemesis, 5 members | | ${cells.join(" | ")} |`);
    }
  }
  process.stdout.write(`\n${rows.join("\n")}\n\nseed ${seed}, driver ${driver}; runs in ${work}\n`);
  return allAsExpected ? 0 : 1;
}
