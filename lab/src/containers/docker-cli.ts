import { type ChildProcess, spawn } from "node:child_process";

export interface DockerCall {
  /** Extra environment (e.g. DOCKER_BUILDKIT=0). */
  readonly env?: Record<string, string>;
  /** A command whose stdout becomes docker's stdin (a tar stream for `docker import -`). */
  readonly stdinFrom?: { readonly file: string; readonly args: readonly string[] };
}

interface Finished {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

function finished(child: ChildProcess, collectStdout: boolean): Promise<Finished> {
  return new Promise((resolve, reject) => {
    const out: Buffer[] = [];
    let err = "";
    if (collectStdout) child.stdout?.on("data", (chunk: Buffer) => out.push(chunk));
    child.stderr?.on("data", (chunk: Buffer) => (err += chunk.toString()));
    child.once("error", reject);
    child.once("close", (code) => resolve({ code, stdout: Buffer.concat(out).toString(), stderr: err }));
  });
}

/**
 * Runs the docker CLI and resolves with its stdout; rejects with the command line and the
 * tail of stderr when it (or the command feeding it) exits non-zero. The CLI is used for
 * what testcontainers does not cover (import, build, image inspection).
 */
export async function docker(args: readonly string[], call: DockerCall = {}): Promise<string> {
  const child = spawn("docker", args, {
    env: { ...process.env, ...call.env },
    stdio: [call.stdinFrom === undefined ? "ignore" : "pipe", "pipe", "pipe"],
  });
  let feeding: Promise<Finished> | null = null;
  if (call.stdinFrom !== undefined) {
    const feeder = spawn(call.stdinFrom.file, call.stdinFrom.args, { stdio: ["ignore", "pipe", "pipe"] });
    feeder.stdout!.pipe(child.stdin!);
    feeding = finished(feeder, false);
  }
  const [result, fed] = await Promise.all([
    finished(child, true).catch((e: Error) => {
      throw new Error(`docker ${args[0]}: ${e.message} (is the docker CLI installed? see lab/provision/docker.sh)`);
    }),
    feeding,
  ]);
  if (fed !== null && fed.code !== 0) {
    throw new Error(`${call.stdinFrom!.file} feeding docker ${args[0]} failed (exit ${fed.code}): ${tail(fed.stderr)}`);
  }
  if (result.code !== 0) throw new Error(`docker ${args.slice(0, 2).join(" ")} failed (exit ${result.code}): ${tail(result.stderr)}`);
  return result.stdout;
}

function tail(text: string): string {
  return text.trim().split("\n").slice(-8).join("\n");
}

/** True when the engine holds an image with this tag. */
export async function imageExists(tag: string): Promise<boolean> {
  return docker(["image", "inspect", "--format", "{{.Id}}", tag]).then(
    () => true,
    () => false,
  );
}
