import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";

const run = promisify(execFile);

/** lab/provision/docker.sh, from src/containers or dist/containers alike. */
export const DOCKER_PROVISION_SCRIPT = fileURLToPath(new URL("../../provision/docker.sh", import.meta.url));

/**
 * Makes sure a Docker engine answers (installing and starting it when needed, which the
 * script does idempotently) and returns the script's one line; throws with the script's
 * output when the engine cannot run on this machine.
 */
export async function ensureDockerEngine(): Promise<string> {
  try {
    const { stdout } = await run("bash", [DOCKER_PROVISION_SCRIPT], { timeout: 300_000 });
    return stdout.trim();
  } catch (err) {
    const e = err as { stdout?: string; stderr?: string; message: string };
    throw new Error(`no Docker engine: ${[e.stderr, e.stdout].filter(Boolean).join("\n").trim() || e.message}`);
  }
}
