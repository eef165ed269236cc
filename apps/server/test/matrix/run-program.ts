import { spawn } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import type { ProgramOutput } from "./cell.js";
import { matrixWorkDir } from "./work-dir.js";

export const PROGRAM_TIMEOUT_MS = 60_000;

/** The line a program prints when it reaches its checkpoint (see checkpoint below). */
export const CHECKPOINT_LINE = "checkpoint";

/**
 * What the harness does while a program waits at its checkpoint (in the ensemble column: kill
 * the leader and wait until a new one serves).
 */
export type CheckpointAction = () => Promise<void>;

let checkpointFiles = 0;

/**
 * Runs one client program to completion. A non-zero exit is an output like any other (the
 * matrix reports it); only a program that cannot start rejects. A hung program is killed at
 * the time limit and reported with exit code null.
 *
 * With `checkpoint`, the program finds a file path in MATRIX_CHECKPOINT: it prints
 * "checkpoint", waits until that file exists, then until its clients are connected, and goes
 * on. The harness runs the action when the line appears and creates the file when the action is
 * done. A file (rather than a line on stdin) suits every client's language and event loop: the
 * kazoo programs read their source from stdin, and gevent or eventlet can poll a path without
 * blocking their hub. Without `checkpoint` the variable is unset and programs pass straight by.
 */
export function runProgram(
  command: string,
  args: readonly string[],
  opts: { env?: Record<string, string>; cwd?: string; stdin?: string; timeoutMs?: number; checkpoint?: CheckpointAction } = {},
): Promise<ProgramOutput> {
  return new Promise((resolve, reject) => {
    const checkpointFile = opts.checkpoint === undefined ? undefined : join(matrixWorkDir(), `checkpoint-${process.pid}-${++checkpointFiles}`);
    const env = { ...process.env, ...opts.env, ...(checkpointFile === undefined ? {} : { MATRIX_CHECKPOINT: checkpointFile }) };
    const child = spawn(command, args, { cwd: opts.cwd, env, stdio: ["pipe", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    let timedOut = false;
    let checkpointSeen = false;
    // The program may end while the action runs; the caller gets the output once both are over.
    let actionSettled: Promise<void> = Promise.resolve();
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill("SIGKILL");
    }, opts.timeoutMs ?? PROGRAM_TIMEOUT_MS);
    child.stdout.setEncoding("utf8").on("data", (chunk: string) => {
      stdout += chunk;
      if (opts.checkpoint === undefined || checkpointSeen || !stdout.split("\n").slice(0, -1).includes(CHECKPOINT_LINE)) return;
      checkpointSeen = true;
      actionSettled = opts.checkpoint().then(
        () => writeFileSync(checkpointFile!, ""),
        (err: Error) => {
          stderr += `\ncheckpoint action failed: ${err.message}\n`;
          child.kill("SIGKILL");
        },
      );
    });
    child.stderr.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk));
    child.on("error", (err) => {
      clearTimeout(timer);
      reject(err);
    });
    child.on("close", (code) => {
      clearTimeout(timer);
      void actionSettled.then(() => resolve({ code: timedOut ? null : code, stdout, stderr }));
    });
    child.stdin.on("error", () => undefined);
    child.stdin.end(opts.stdin ?? "");
  });
}
