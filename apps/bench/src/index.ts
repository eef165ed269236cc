// The load generator of zkts-bench as a library; the command itself is bin/zkts-bench.js.
export { BenchConnection, formatResult, runLoad, type LoadOptions, type LoadResult } from "./load.js";
