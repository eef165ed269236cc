// The load generator of zkts-bench as a library; the command itself is bin/zkts-bench.js.
export { BenchConnection, formatResult, loadReport, runLoad, throughput, type LoadOptions, type LoadReport, type LoadResult } from "./load.js";
export type { LatencySummary } from "./histogram.js";
