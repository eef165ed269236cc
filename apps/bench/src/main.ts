#!/usr/bin/env node
import { integerValue, numberValue, parseOrExit, UsageError, withUsageErrors, type CommandSpec } from "@zkts/cli-args";
import { formatResult, loadReport, runLoad } from "./load.js";
import { OUTPUT_OPTIONS, outputMode, VERSION } from "./script-args.js";

const SPEC = {
  name: "zkts-bench",
  version: VERSION,
  synopsis: [
    "zkts-bench [--server HOST:PORT] [--clients N] [--outstanding N] [--duration SECONDS] [--size BYTES] [--read-ratio 0..1] [--seed N] [--rate OPS] [--json] [--quiet]",
    "zkts-bench compare|ensemble-compare|linearizable-reads|failover|fresh-start|snap-catchup|restart|mix-sweep|all --help",
  ],
  summary:
    "Runs a pipelined getData/setData load against any ZooKeeper-compatible server and prints\nthroughput and latency (HDR histograms: p50/p90/p99/p99.9/max per operation).",
  options: {
    server: { type: "string", value: "HOST:PORT", description: "the server to load (default 127.0.0.1:2181)" },
    clients: { type: "string", value: "N", description: "sessions, each on its own connection (default 8)" },
    outstanding: { type: "string", value: "N", description: "requests in flight per session (default 32)" },
    duration: { type: "string", value: "SECONDS", description: "how long to measure (default 10)" },
    size: { type: "string", value: "BYTES", description: "znode data size (default 1024)" },
    "read-ratio": { type: "string", value: "0..1", description: "share of getData among requests (default 0.5)" },
    seed: { type: "string", value: "N", description: "seed of the operation choices (default 1)" },
    rate: {
      type: "string",
      value: "OPS",
      description:
        "offered load: requests per second across all sessions on a fixed schedule, latency counted from when each was due (default: none, each session sends as replies come back)",
    },
    ...OUTPUT_OPTIONS,
  },
  epilogue:
    "The comparison subcommands start the reference ZooKeeper and zkts through @zkts/testkit (in a\n" +
    "checkout: npm run bench). Exit status: 0 measured, 1 the server failed, 2 usage error.",
} as const satisfies CommandSpec;

/** The comparison scripts, run as subcommands (subcommand: module); they start servers through @zkts/testkit. */
const SCRIPTS: Record<string, string> = {
  compare: "compare",
  "ensemble-compare": "ensemble-compare",
  "linearizable-reads": "linearizable-reads",
  failover: "failover",
  "fresh-start": "fresh-start",
  "snap-catchup": "snap-catchup",
  restart: "restart",
  "mix-sweep": "mix-sweep",
  all: "bench-all",
};

const script = process.argv[2];
if (script !== undefined && Object.hasOwn(SCRIPTS, script)) {
  await import(`./${SCRIPTS[script]}.js`);
} else {
  await loadCommand();
}

async function loadCommand(): Promise<void> {
  const { values } = parseOrExit(SPEC, process.argv.slice(2));
  const options = withUsageErrors(SPEC, () => {
    const server = values.server ?? "127.0.0.1:2181";
    const match = /^(.+):(\d+)$/.exec(server);
    if (match === null) throw new UsageError(`--server takes host:port, not '${server}'`);
    return {
      host: match[1]!,
      port: integerValue(match[2], "--server port", 2181, { min: 1, max: 65535 }),
      clients: integerValue(values.clients, "--clients", 8, { min: 1 }),
      outstanding: integerValue(values.outstanding, "--outstanding", 32, { min: 1 }),
      durationMs: numberValue(values.duration, "--duration", 10, { min: 0.1 }) * 1000,
      dataSize: integerValue(values.size, "--size", 1024, { min: 0 }),
      readRatio: numberValue(values["read-ratio"], "--read-ratio", 0.5, { min: 0, max: 1 }),
      seed: integerValue(values.seed, "--seed", 1),
      ...(values.rate === undefined ? {} : { ratePerSecond: numberValue(values.rate, "--rate", 0, { min: 1 }) }),
    };
  });
  const output = outputMode(values);
  const result = await runLoad({ ...options, progress: output.progress });
  if (output.json) {
    process.stdout.write(`${JSON.stringify(loadReport(options, result), null, 2)}\n`);
    return;
  }
  process.stdout.write(`seed ${options.seed}\n${formatResult(`${options.host}:${options.port}`, result)}\n`);
  for (const [operation, s] of Object.entries(result.byOperation)) {
    if (s.count === 0) continue;
    process.stdout.write(
      `  ${operation.padEnd(8)} ${String(s.count).padStart(9)} ops   p50 ${s.p50.toFixed(2)} ms   p90 ${s.p90.toFixed(2)} ms   p99 ${s.p99.toFixed(2)} ms   p99.9 ${s.p999.toFixed(2)} ms   max ${s.max.toFixed(1)} ms\n`,
    );
  }
}
