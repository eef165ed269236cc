#!/usr/bin/env node
// zkts-check: see cli/args.ts for usage.
import { readFileSync, writeFileSync } from "node:fs";
import { performance } from "node:perf_hooks";
import { packageVersion } from "@zkts/cli-args";
import { runCli } from "./cli/run.js";

// A reader that stops early (`| head`) closes the pipe; that is not an error of the check.
process.stdout.on("error", (error: NodeJS.ErrnoException) => {
  if (error.code !== "EPIPE") throw error;
});

process.exitCode = runCli(process.argv.slice(2), {
  readFile: (path) => readFileSync(path, "utf8"),
  writeFile: (path, text) => writeFileSync(path, text),
  clock: () => performance.now(),
  out: (text) => process.stdout.write(text),
  err: (text) => process.stderr.write(text),
  version: packageVersion(import.meta.url),
});
