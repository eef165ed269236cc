import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";

/**
 * Runs a compiled benchmark script (`dist/<name>.js`) as a user would, with `args` then
 * `--json --quiet`, and returns what it printed, parsed. A script that fails or runs past
 * `timeoutMs` rejects with its output.
 */
export async function runScriptJson<T>(name: string, args: readonly string[], timeoutMs: number): Promise<T> {
  const script = fileURLToPath(new URL(`../dist/${name}.js`, import.meta.url));
  const { stdout } = await promisify(execFile)(process.execPath, [script, ...args, "--json", "--quiet"], { timeout: timeoutMs });
  return JSON.parse(stdout) as T;
}
