import { execFile } from "node:child_process";
import type { ProgramOutput } from "./cell.js";

export const PROGRAM_TIMEOUT_MS = 60_000;

/**
 * Runs one client program to completion. A non-zero exit is an output like any other (the
 * matrix reports it); only a program that cannot start rejects. A hung program is killed at
 * the time limit and reported with exit code null.
 */
export function runProgram(
  command: string,
  args: readonly string[],
  opts: { env?: Record<string, string>; cwd?: string; stdin?: string; timeoutMs?: number } = {},
): Promise<ProgramOutput> {
  return new Promise((resolve, reject) => {
    const child = execFile(
      command,
      args,
      {
        cwd: opts.cwd,
        env: { ...process.env, ...opts.env },
        timeout: opts.timeoutMs ?? PROGRAM_TIMEOUT_MS,
        killSignal: "SIGKILL",
        maxBuffer: 16 * 1024 * 1024,
      },
      (error, stdout, stderr) => {
        if (error !== null && typeof error.code === "string") {
          reject(error);
          return;
        }
        const code = error === null ? 0 : error.killed ? null : (error.code ?? null);
        resolve({ code: typeof code === "number" ? code : null, stdout, stderr });
      },
    );
    child.stdin?.end(opts.stdin ?? "");
  });
}
