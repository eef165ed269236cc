#!/usr/bin/env node
// The fuzzing tier, longer: `npm run fuzz -w zkts-server -- --seconds 600 --seed 42 [--only standalone|ensemble]`.
// It runs the same vitest files as `npm test`, with FUZZ_SECONDS and FUZZ_SEED set, and prints
// the seed first so a run that finds something can be replayed.
import { spawnSync } from "node:child_process";
import { randomInt } from "node:crypto";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const args = process.argv.slice(2);
const option = (name) => {
  const at = args.indexOf(`--${name}`);
  return at === -1 ? undefined : args[at + 1];
};
const seconds = Number(option("seconds") ?? 600);
const seed = Number(option("seed") ?? randomInt(0, 2 ** 32));
const only = option("only");
if (!Number.isFinite(seconds) || seconds <= 0 || !Number.isInteger(seed)) {
  console.error("usage: fuzz [--seconds N] [--seed N] [--only standalone|ensemble]");
  process.exit(2);
}
const files = only === undefined ? ["test/fuzz-standalone.test.ts", "test/fuzz-ensemble.test.ts"] : [`test/fuzz-${only}.test.ts`];
console.log(`fuzz: seed ${seed}, ${seconds} s per target (${files.join(", ")})`);
const appDir = join(dirname(fileURLToPath(import.meta.url)), "..");
const result = spawnSync("npx", ["vitest", "run", "--testTimeout", String((seconds + 300) * 1000), ...files], {
  cwd: appDir,
  stdio: "inherit",
  env: { ...process.env, FUZZ_SECONDS: String(seconds), FUZZ_SEED: String(seed) },
});
console.log(`fuzz: seed ${seed} ${result.status === 0 ? "passed" : "FAILED"} (replay: npm run fuzz -w zkts-server -- --seconds ${seconds} --seed ${seed})`);
process.exit(result.status ?? 1);
