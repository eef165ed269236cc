#!/usr/bin/env node
import { formatResult, runLoad } from "./load.js";

const USAGE = `usage: zkts-bench [--server host:port] [--clients N] [--outstanding N] [--duration SECONDS]
                  [--size BYTES] [--read-ratio 0..1] [--seed N]

Runs a pipelined getData/setData load against any ZooKeeper-compatible server and prints
throughput and latency.`;

function parse(argv: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === "--help" || arg === "-h") {
      process.stdout.write(`${USAGE}\n`);
      process.exit(0);
    }
    if (!arg.startsWith("--")) throw new Error(`unexpected argument ${arg}`);
    out[arg.substring(2)] = argv[++i] ?? "";
  }
  return out;
}

const args = parse(process.argv.slice(2));
const [host, port] = (args.server ?? "127.0.0.1:2181").split(":");
const seed = Number(args.seed ?? 1);
const result = await runLoad({
  host: host!,
  port: Number(port ?? 2181),
  clients: Number(args.clients ?? 8),
  outstanding: Number(args.outstanding ?? 32),
  durationMs: Number(args.duration ?? 10) * 1000,
  dataSize: Number(args.size ?? 1024),
  readRatio: Number(args["read-ratio"] ?? 0.5),
  seed,
});
process.stdout.write(`seed ${seed}\n${formatResult(`${host}:${port}`, result)}\n`);
