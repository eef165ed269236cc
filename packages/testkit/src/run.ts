import { spawn } from "node:child_process";
import { track } from "./children.js";

export interface ProcessResult {
  code: number | null;
  stdout: string;
  stderr: string;
  /** Both streams together (stdout, then stderr), for checks that do not care which stream. */
  output?: string;
}

export interface RunOptions {
  env?: Record<string, string>;
  timeoutMs?: number;
  stdin?: string;
  cwd?: string;
}

export const RUN_TIMEOUT_MS_DEFAULT = 60_000;

/**
 * Runs a program to completion and collects its output. A run that exceeds its time budget is
 * SIGKILLed and rejected, so a hung client cannot hang the test suite.
 */
export function runProcess(command: string, args: readonly string[], opts: RunOptions = {}): Promise<ProcessResult> {
  const timeoutMs = opts.timeoutMs ?? RUN_TIMEOUT_MS_DEFAULT;
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      cwd: opts.cwd,
      env: { ...process.env, ...opts.env },
      stdio: ["pipe", "pipe", "pipe"],
    });
    track(child);
    const stdout: Buffer[] = [];
    const stderr: Buffer[] = [];
    child.stdout.on("data", (chunk: Buffer) => stdout.push(chunk));
    child.stderr.on("data", (chunk: Buffer) => stderr.push(chunk));
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill("SIGKILL");
    }, timeoutMs);
    child.once("error", (err) => {
      clearTimeout(timer);
      reject(err);
    });
    child.once("close", (code) => {
      clearTimeout(timer);
      const result = {
        code,
        stdout: Buffer.concat(stdout).toString("utf8"),
        stderr: Buffer.concat(stderr).toString("utf8"),
      };
      if (timedOut) {
        reject(
          new Error(`${command} ${args.join(" ")} timed out after ${timeoutMs} ms\n--- stdout\n${tail(result.stdout)}\n--- stderr\n${tail(result.stderr)}`),
        );
      } else {
        resolve(result);
      }
    });
    // A client that exits before reading all of stdin must not crash the test with EPIPE.
    child.stdin.on("error", () => {});
    child.stdin.end(opts.stdin ?? "");
  });
}

/** The last `lines` lines of `text`, for error messages. */
export function tail(text: string, lines = 40): string {
  return text.split("\n").slice(-lines).join("\n");
}
