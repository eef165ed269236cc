import { spawn } from "node:child_process";
import { track } from "./children.js";
import { debian } from "./paths.js";
import { RUN_TIMEOUT_MS_DEFAULT, tail, type ProcessResult } from "./run.js";

/**
 * cli_mt runs the commands it reads on stdin in one session, but it gives no prompt, runs many
 * commands asynchronously, prints nothing for a successful `exists`, and in batch mode (-c) never
 * exits after `exists`, `wexists`, `myid` or `addauth`. So each command is followed by a
 * sentinel `sync` whose completion line always appears, and after that of the previous command's
 * output (replies and completions come back in order). The next command is sent only then.
 */
const SENTINEL_PATH = "/zookeeper";
const SENTINEL = `sync ${SENTINEL_PATH}`;
const SENTINEL_DONE = /^\[\/zookeeper\]: rc = -?\d+$/gm;
const SENTINEL_LINES = /^\[\/zookeeper\]: rc = -?\d+\n(\tname = \/zookeeper\n)?/gm;
/**
 * A sync's completion prints its rc line and its name line from different threads, which may
 * write them to different streams: a name line left alone in a stream is the sentinel's too.
 */
const SENTINEL_NAME_LINES = /^\tname = \/zookeeper\n?/gm;
const CONNECTED = "CONNECTED_STATE";

export interface CliMtOptions {
  env?: Record<string, string>;
  /** Budget for the whole session; default 60000. */
  timeoutMs?: number;
}

/**
 * Runs `commands` in order in one cli_mt session and then quits, which closes the session.
 * cli_mt prints most results on stderr and exits 0 whatever the commands did ("rc = -101").
 */
export function runCliMtSession(connectString: string, commands: readonly string[], opts: CliMtOptions = {}): Promise<ProcessResult> {
  const timeoutMs = opts.timeoutMs ?? RUN_TIMEOUT_MS_DEFAULT;
  return new Promise((resolve, reject) => {
    const child = spawn(debian.cliMt, ["-h", connectString], {
      env: { ...process.env, ...opts.env },
      stdio: ["pipe", "pipe", "pipe"],
    });
    track(child);
    let stdout = "";
    let stderr = "";
    let connected = false;
    let next = 0;
    let quitting = false;
    child.stdin.on("error", () => {});

    const advance = () => {
      if (!connected) {
        if (!(stdout + stderr).includes(CONNECTED)) return;
        connected = true;
      }
      const done = countSentinels(stdout) + countSentinels(stderr);
      while (!quitting && next === done) {
        if (next === commands.length) {
          quitting = true;
          child.stdin.end("quit\n");
          return;
        }
        child.stdin.write(`${commands[next]}\n${SENTINEL}\n`);
        next++;
      }
    };
    child.stdout.on("data", (chunk: Buffer) => {
      stdout += chunk.toString("utf8");
      advance();
    });
    child.stderr.on("data", (chunk: Buffer) => {
      stderr += chunk.toString("utf8");
      advance();
    });

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
      const result: ProcessResult = { code, stdout: stripSentinels(stdout), stderr: stripSentinels(stderr) };
      result.output = result.stdout + result.stderr;
      if (timedOut) {
        const stage = connected ? `after sending ${next} of ${commands.length} commands` : "before connecting";
        reject(new Error(`cli_mt -h ${connectString} timed out after ${timeoutMs} ms ${stage}\n--- output\n${tail(result.output)}`));
      } else {
        resolve(result);
      }
    });
  });
}

function countSentinels(text: string): number {
  return text.match(SENTINEL_DONE)?.length ?? 0;
}

function stripSentinels(text: string): string {
  return text.replace(SENTINEL_LINES, "").replace(SENTINEL_NAME_LINES, "");
}
