#!/usr/bin/env node
import { writeFile } from "node:fs/promises";
import { integerValue, UsageError } from "@zkts/cli-args";
import { startReferenceZooKeeper, startZkts } from "@zkts/testkit";
import { type LoadOptions, formatResult, loadReport, runLoad, throughput } from "./load.js";
import { OUTPUT_OPTIONS, outputMode, scriptArgs } from "./script-args.js";
import { lineChartSvg } from "./svg-chart.js";

/**
 * Throughput against the share of reads, 0 % to 100 % in steps of 10, on the reference
 * ZooKeeper 3.8 and standalone zkts: the shape of the ZooKeeper paper's throughput-vs-read-
 * percentage figure, on one machine. Each point runs on ZooKeeper then on zkts, so a change in
 * the machine's load between points touches both; --svg writes the chart.
 */
const { durationMs, seed, values, usage } = scriptArgs(
  "zkts-bench mix-sweep",
  "Throughput against the read percentage (0, 10, ..., 100 %) on the reference ZooKeeper 3.8 and\nstandalone zkts, point by point; --svg writes the chart.",
  3,
  {
    clients: { type: "string", value: "N", description: "sessions (default 8)" },
    outstanding: { type: "string", value: "N", description: "requests in flight per session (default 32)" },
    size: { type: "string", value: "BYTES", description: "znode data size (default 1024)" },
    "warmup-seconds": { type: "string", value: "N", description: "unmeasured load on each server before each point (default 1)" },
    svg: { type: "string", value: "FILE", description: "write the throughput chart to FILE" },
    ...OUTPUT_OPTIONS,
  },
);
const output = outputMode(values);
const shape = usage(() => {
  const svg = values.svg as string | undefined;
  if (svg === "") throw new UsageError("--svg takes a file name");
  return {
    clients: integerValue(values.clients as string | undefined, "--clients", 8, { min: 1 }),
    outstanding: integerValue(values.outstanding as string | undefined, "--outstanding", 32, { min: 1 }),
    dataSize: integerValue(values.size as string | undefined, "--size", 1024, { min: 0 }),
    warmupMs: integerValue(values["warmup-seconds"] as string | undefined, "--warmup-seconds", 1, { min: 0 }) * 1000,
    svg,
  };
});

const READ_PERCENTS = [0, 10, 20, 30, 40, 50, 60, 70, 80, 90, 100];

const reference = await startReferenceZooKeeper();
const zkts = await startZkts();
const points: { readPercent: number; reference: ReturnType<typeof loadReport>; zkts: ReturnType<typeof loadReport>; ratio: number }[] = [];
try {
  for (const readPercent of READ_PERCENTS) {
    const base: Omit<LoadOptions, "host" | "port"> = {
      clients: shape.clients,
      outstanding: shape.outstanding,
      durationMs,
      dataSize: shape.dataSize,
      readRatio: readPercent / 100,
      seed,
      progress: output.progress,
    };
    const measured = [];
    for (const server of [reference, zkts]) {
      const options = { ...base, host: server.host, port: server.port };
      if (shape.warmupMs > 0) await runLoad({ ...options, durationMs: shape.warmupMs, progress: null });
      output.log(`mix-sweep: ${readPercent} % reads on ${server === reference ? "ZooKeeper" : "zkts"}`);
      measured.push(loadReport(options, await runLoad(options)));
    }
    const [r, z] = measured as [ReturnType<typeof loadReport>, ReturnType<typeof loadReport>];
    points.push({ readPercent, reference: r, zkts: z, ratio: throughput(z) / throughput(r) });
    if (!output.json) {
      process.stdout.write(`\n${readPercent} % reads (${shape.clients} clients x ${shape.outstanding} outstanding, ${durationMs / 1000} s, seed ${seed})\n`);
      process.stdout.write(`${formatResult("  reference ZooKeeper", r)}\n${formatResult("  zkts", z)}\n`);
      process.stdout.write(`  throughput ratio zkts/reference: ${(throughput(z) / throughput(r)).toFixed(2)}\n`);
    }
  }
} finally {
  await Promise.all([reference.cleanup(), zkts.cleanup()]);
}

if (shape.svg !== undefined) {
  const series = (name: string, of: (p: (typeof points)[number]) => ReturnType<typeof loadReport>) => ({
    name,
    points: points.map((p) => ({ x: p.readPercent, y: of(p).operationsPerSecond })),
  });
  const svg = lineChartSvg({
    title: `Throughput vs read percentage, standalone, ${shape.clients} x ${shape.outstanding} in flight, ${shape.dataSize} B`,
    xLabel: "Percentage of read requests (getData; the rest setData)",
    yLabel: "Operations per second",
    series: [series("ZooKeeper 3.8", (p) => p.reference), series("zkts", (p) => p.zkts)],
    xTicks: READ_PERCENTS,
  });
  await writeFile(shape.svg, svg);
  output.log(`mix-sweep: chart written to ${shape.svg}`);
}
if (output.json) {
  const parameters = { durationMs, seed, clients: shape.clients, outstanding: shape.outstanding, dataSize: shape.dataSize, warmupMs: shape.warmupMs };
  process.stdout.write(`${JSON.stringify({ script: "mix-sweep", parameters, seed, points }, null, 2)}\n`);
}
