import { debian } from "./paths.js";
import { runCliMtSession } from "./climt.js";
import { runProcess, type ProcessResult, type RunOptions } from "./run.js";

export interface ClientOptions {
  /** Extra environment variables for the client process. */
  env?: Record<string, string>;
  /** Kill the client and reject after this long; default 60000. */
  timeoutMs?: number;
}

/** JVM flags for the one-shot Java CLI: start quickly, nothing else matters. */
const CLIENT_JVM_FLAGS = "-XX:+UseSerialGC -XX:TieredStopAtLevel=1 -Xshare:auto";

/**
 * Runs Python source with the system interpreter, where Debian's python3-kazoo is installed.
 * The source gets the connect string however the caller chooses (usually interpolated).
 */
export function runKazoo(source: string, opts: ClientOptions = {}): Promise<ProcessResult> {
  return runProcess(debian.python, ["-c", source], {
    env: { PYTHONUNBUFFERED: "1", ...opts.env },
    ...timeout(opts),
  }).then(withOutput);
}

/**
 * Runs zkCli.sh against `connectString`. A single command without quotes is passed as
 * arguments, so the exit code reports its failure (1); several commands, or one with quotes,
 * are fed on stdin in one session, where the exit code is 0 whatever the commands did.
 * SLF4J start-up chatter is removed from both streams. Note that zkCli prints some results
 * (e.g. "Created /a") on stderr; `output` holds both streams.
 */
export async function runZkCli(connectString: string, commands: string[], opts: ClientOptions = {}): Promise<ProcessResult> {
  const env = { CLIENT_JVMFLAGS: CLIENT_JVM_FLAGS, ...opts.env };
  const single = commands.length === 1 && !/["']/.test(commands[0]!);
  const run: RunOptions = { env, ...timeout(opts) };
  const args = ["-server", connectString];
  if (single) {
    args.push(...commands[0]!.trim().split(/\s+/));
  } else {
    run.stdin = commands.map((c) => `${c}\n`).join("") + "quit\n";
  }
  const result = await runProcess(debian.zkCli, args, run);
  return withOutput({ code: result.code, stdout: stripJvmNoise(result.stdout), stderr: stripJvmNoise(result.stderr) });
}

/**
 * Runs the C client cli_mt with `commands` in order, in one session, then quits (closing the
 * session). cli_mt prints most results on stderr (see `output`) and exits 0 even when a command
 * fails ("rc = -101"). See climt.ts for how commands are paced.
 */
export function runCliMt(connectString: string, commands: string[], opts: ClientOptions = {}): Promise<ProcessResult> {
  return runCliMtSession(connectString, commands, opts);
}

/** Removes the lines SLF4J prints when it finds no logging binding, and log4j warnings. */
export function stripJvmNoise(text: string): string {
  return text
    .split("\n")
    .filter((line) => !/^(SLF4J|log4j):/.test(line))
    .join("\n");
}

function timeout(opts: ClientOptions): { timeoutMs?: number } {
  return opts.timeoutMs === undefined ? {} : { timeoutMs: opts.timeoutMs };
}

/** Adds `output`: stdout followed by stderr, for checks that do not care which stream. */
function withOutput(result: ProcessResult): ProcessResult {
  return { ...result, output: result.stdout + result.stderr };
}
