import { spawn, type ChildProcess } from "node:child_process";
import { openSync, closeSync, readFileSync, existsSync } from "node:fs";
import { mkdtemp, mkdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { exited, terminate, track } from "./children.js";
import { TICK_TIME_DEFAULT, writeZooCfg, zooCfgEntries, type ServerOptions } from "./config.js";
import { listensOn } from "./listener-owner.js";
import { fourLetterWord, freePort, portIsFree } from "./net.js";
import { tail } from "./run.js";

export type ServerKind = "reference" | "zkts";

export interface RunningServer {
  kind: ServerKind;
  /** Always "127.0.0.1". */
  host: string;
  /** Client port. */
  port: number;
  /** "127.0.0.1:<port>". */
  connectString: string;
  dataDir: string;
  /** The zoo.cfg it was started with. */
  configPath: string;
  /** Path of the file that receives the server's stdout and stderr. */
  logPath: string;
  /** Process id of the running server, or null while it is stopped. */
  readonly pid: number | null;
  /** SIGTERM, wait for exit, keep dataDir. */
  stop(): Promise<void>;
  /** SIGKILL, wait for exit, keep dataDir. */
  kill(): Promise<void>;
  /** Start again on the same port, config and dataDir. */
  restart(): Promise<void>;
  /** Stop if running and remove a dataDir it created. */
  cleanup(): Promise<void>;
}

/** How a server kind turns a zoo.cfg into a command line. */
export interface Launcher {
  kind: ServerKind;
  logName: string;
  command(
    configPath: string,
    config: Record<string, string>,
    systemProperties?: Record<string, string>,
    jvmFlags?: readonly string[],
  ): { file: string; args: string[]; env?: Record<string, string> };
}

export const START_TIMEOUT_MS_DEFAULT = 60_000;
const STOP_WAIT_MS = 15_000;
const READY_POLL_MS = 100;
const HOST = "127.0.0.1";

/** Thrown when the client port is taken before the server even starts. */
class PortInUseError extends Error {}

/** How many free ports to try when the caller did not choose one. */
const PORT_ATTEMPTS = 3;
const BIND_FAILURE = /Address already in use|BindException|EADDRINUSE/;

/** A start failed because one of its ports was taken (by then): another pick may succeed. */
export function isBindFailure(err: unknown): boolean {
  return err instanceof PortInUseError || BIND_FAILURE.test((err as Error)?.message ?? "");
}

/**
 * Writes the shared zoo.cfg, starts the server and resolves once it answers `srvr`. A port from
 * freePort() can be taken by someone else before the server binds it (the kernel hands the same
 * ephemeral range to outgoing connections), so without a fixed port a bind failure is retried on
 * a fresh port.
 */
export async function launch(launcher: Launcher, opts: ServerOptions = {}, pickPort: () => Promise<number> = freePort): Promise<RunningServer> {
  if (opts.port !== undefined) return launchOn(launcher, opts, opts.port);
  let lastError: unknown;
  for (let attempt = 0; attempt < PORT_ATTEMPTS; attempt++) {
    try {
      return await launchOn(launcher, opts, await pickPort());
    } catch (err) {
      if (!isBindFailure(err)) throw err;
      lastError = err;
    }
  }
  throw lastError;
}

async function launchOn(launcher: Launcher, opts: ServerOptions, port: number): Promise<RunningServer> {
  const ownsDataDir = opts.dataDir === undefined;
  const dataDir = opts.dataDir ?? (await mkdtemp(join(tmpdir(), `zkts-${launcher.kind}-`)));
  await mkdir(dataDir, { recursive: true });
  const configPath = join(dataDir, "zoo.cfg");
  const extra = opts.config ?? {};
  await writeZooCfg(configPath, zooCfgEntries(port, dataDir, opts.tickTime ?? TICK_TIME_DEFAULT, extra));
  const logPath = join(dataDir, launcher.logName);
  const startTimeoutMs = opts.startTimeoutMs ?? START_TIMEOUT_MS_DEFAULT;
  const { file, args, env } = launcher.command(configPath, extra, opts.systemProperties ?? {}, opts.jvmFlags ?? []);

  let child: ChildProcess | null = null;

  const startOnce = async (): Promise<void> => {
    if (!(await portIsFree(port))) {
      throw new PortInUseError(`cannot start ${launcher.kind} server: 127.0.0.1:${port} is already in use`);
    }
    // Append so that a restart keeps the earlier run's log for post-mortems.
    const logFd = openSync(logPath, "a");
    try {
      child = spawn(file, args, { stdio: ["ignore", logFd, logFd], cwd: dataDir, env: { ...process.env, ...env } });
    } finally {
      closeSync(logFd);
    }
    track(child);
    await waitReady(child, port, logPath, startTimeoutMs, `${launcher.kind} server (${file} ${args.join(" ")})`);
  };

  const server: RunningServer = {
    kind: launcher.kind,
    host: HOST,
    port,
    connectString: `${HOST}:${port}`,
    dataDir,
    configPath,
    logPath,
    get pid() {
      const current = child as ChildProcess | null;
      return current !== null && current.exitCode === null && current.signalCode === null ? (current.pid ?? null) : null;
    },
    async stop() {
      if (child) await terminate(child, "SIGTERM", STOP_WAIT_MS);
      child = null;
    },
    async kill() {
      if (child) await terminate(child, "SIGKILL", STOP_WAIT_MS);
      child = null;
    },
    async restart() {
      if (child) await terminate(child, "SIGTERM", STOP_WAIT_MS);
      child = null;
      await startOnce();
    },
    async cleanup() {
      await server.stop();
      if (ownsDataDir) await rm(dataDir, { recursive: true, force: true });
    },
  };

  try {
    await startOnce();
  } catch (err) {
    await server.kill();
    if (ownsDataDir) await rm(dataDir, { recursive: true, force: true });
    throw err;
  }
  return server;
}

/**
 * Polls `srvr` until the server answers, the process exits, or the time budget runs out. The
 * last two end in an error carrying the log's tail, which is where the reason usually is.
 */
async function waitReady(child: ChildProcess, port: number, logPath: string, timeoutMs: number, what: string): Promise<void> {
  let exitCode: number | null | undefined;
  void exited(child).then((code) => {
    exitCode = code;
  });
  const attempts = Math.ceil(timeoutMs / READY_POLL_MS);
  let lastError = "";
  const startedAt = performance.now();
  for (let attempt = 0; attempt < attempts && performance.now() - startedAt < timeoutMs; attempt++) {
    if (exitCode !== undefined) {
      throw new Error(`${what} exited with code ${exitCode} before answering srvr\n--- log tail (${logPath})\n${logTail(logPath)}`);
    }
    try {
      const answer = await fourLetterWord(HOST, port, "srvr", 2000);
      // The server must also be ours and alive: a reply from another process that bound the
      // port first (ours then fails its bind and exits) does not count.
      if (answer.includes("Mode:") || answer.includes("Zookeeper version")) {
        if (exitCode === undefined && child.pid !== undefined && listensOn(child.pid, port)) return;
        lastError = `srvr answered by a process other than ${child.pid} on port ${port}`;
      } else {
        lastError = `unexpected srvr reply: ${JSON.stringify(answer.slice(0, 200))}`;
      }
    } catch (err) {
      lastError = (err as Error).message;
    }
    await sleep(READY_POLL_MS);
  }
  await terminate(child, "SIGKILL", STOP_WAIT_MS);
  throw new Error(`${what} did not answer srvr on ${HOST}:${port} within ${timeoutMs} ms (last: ${lastError})\n--- log tail (${logPath})\n${logTail(logPath)}`);
}

function logTail(path: string): string {
  return existsSync(path) ? tail(readFileSync(path, "utf8")) : "(no log file)";
}
