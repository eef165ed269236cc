import { readdir, readFile, stat } from "node:fs/promises";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { CreateRequest, GetDataRequest, Ids, OpCode } from "@zkts/jute";
import type { RunningServer } from "@zkts/testkit";
import { BenchConnection } from "./load.js";

/** How the running server is ended before a restart. */
export type StopMode = "kill" | "clean";

export interface FillOptions {
  znodes: number;
  dataSize: number;
  /** Children under each parent znode (the tree is /<root>/bNNNN/nNNNNNN). */
  fanOut: number;
  clients: number;
  outstanding: number;
}

export interface FillResult {
  znodes: number;
  errors: number;
  elapsedMs: number;
}

export const BENCH_ROOT = "/restart-bench";
const OPEN_ACL = [...Ids.OPEN_ACL_UNSAFE];

function parentPath(index: number): string {
  return `${BENCH_ROOT}/b${String(index).padStart(5, "0")}`;
}

/** Every path the fill creates, parents before their children, root first. */
export function fillPaths(options: Pick<FillOptions, "znodes" | "fanOut">): string[] {
  const paths = [BENCH_ROOT];
  const parents = Math.ceil(options.znodes / options.fanOut);
  for (let p = 0; p < parents; p++) paths.push(parentPath(p));
  for (let i = 0; i < options.znodes; i++) {
    paths.push(`${parentPath(Math.floor(i / options.fanOut))}/n${String(i).padStart(7, "0")}`);
  }
  return paths;
}

/**
 * Creates the znodes through pipelined sessions: the root and parents first (in order, one
 * session), then the leaves spread over `clients` sessions with `outstanding` creates each in
 * flight. Every znode gets `dataSize` bytes; only the leaves are counted as the fill's znodes.
 */
export async function fill(server: RunningServer, options: FillOptions): Promise<FillResult> {
  const data = Buffer.alloc(options.dataSize, 0x62);
  const paths = fillPaths(options);
  const leavesFrom = paths.length - options.znodes;
  const started = performance.now();
  let errors = await createAll(server, [paths.slice(0, leavesFrom)], data, 1);
  const shares: string[][] = Array.from({ length: options.clients }, () => []);
  for (let i = leavesFrom; i < paths.length; i++) shares[i % options.clients]!.push(paths[i]!);
  errors += await createAll(server, shares, data, options.outstanding);
  return { znodes: options.znodes, errors, elapsedMs: performance.now() - started };
}

/** One session per list, each creating its paths in order with up to `outstanding` in flight. */
async function createAll(server: RunningServer, lists: string[][], data: Buffer, outstanding: number): Promise<number> {
  let errors = 0;
  await Promise.all(
    lists.map(async (paths) => {
      const c = await BenchConnection.open(server.host, server.port);
      try {
        await new Promise<void>((resolve) => {
          let next = 0;
          let inFlight = 0;
          const issue = () => {
            const path = paths[next++]!;
            inFlight++;
            c.send(OpCode.create, (w) => CreateRequest.write(w, { path, data, acl: OPEN_ACL, flags: 0 }));
          };
          c.onReply = (err) => {
            inFlight--;
            if (err !== 0) errors++;
            if (next < paths.length) issue();
            else if (inFlight === 0) resolve();
          };
          if (paths.length === 0) resolve();
          while (next < paths.length && inFlight < outstanding) issue();
        });
      } finally {
        c.close();
      }
    }),
  );
  return errors;
}

/**
 * One read through a fresh session: true when getData on `path` succeeds. A server that is not
 * serving yet refuses the connection or closes it at the handshake; both count as not yet.
 */
export async function readOnce(host: string, port: number, path: string, timeoutMs: number): Promise<boolean> {
  let connection: BenchConnection | null = null;
  let timer: NodeJS.Timeout | undefined;
  const attempt = (async () => {
    // A connection the server closes before answering the handshake never resolves open():
    // the timeout below ends that attempt.
    connection = await BenchConnection.open(host, port);
    const replied = new Promise<number>((resolve) => (connection!.onReply = (err) => resolve(err)));
    connection.send(OpCode.getData, (w) => GetDataRequest.write(w, { path, watch: false }));
    return (await replied) === 0;
  })().catch(() => false);
  const timeout = new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), timeoutMs)));
  try {
    return await Promise.race([attempt, timeout]);
  } finally {
    clearTimeout(timer);
    (connection as BenchConnection | null)?.close();
  }
}

/** The resident set size of a process in MB, from /proc. */
export async function rssMb(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, "utf8");
  const match = /VmRSS:\s+(\d+) kB/.exec(status);
  if (match === null) throw new Error(`no VmRSS in /proc/${pid}/status`);
  return Number(match[1]) / 1024;
}

export function pidOf(server: RunningServer): number {
  const pid = server.pid;
  if (pid === null) throw new Error(`${server.kind} server is not running`);
  return pid;
}

export interface RestartResult {
  /** From the old process's exit to the first successful read through a new session. */
  servingMs: number;
  rssAtServingMb: number;
  rssSettledMb: number;
}

const READ_ATTEMPT_MS = 20;
const READ_TIMEOUT_MS = 2000;

/**
 * Ends the server (SIGKILL or SIGTERM), starts it again on the same data directory, and times
 * the first read that succeeds: a new attempt every 20 ms, each on its own session, so one
 * attempt stuck on a server that is still loading does not hold up the next.
 */
export async function restartAndTime(server: RunningServer, mode: StopMode, settleMs: number, deadlineMs: number): Promise<RestartResult> {
  if (mode === "kill") await server.kill();
  else await server.stop();
  const started = performance.now();
  const restarting = server.restart();
  let failed: unknown = null;
  restarting.catch((err: unknown) => (failed = err));
  const servingMs = await new Promise<number>((resolve, reject) => {
    let done = false;
    const tick = () => {
      if (done) return;
      if (failed !== null) {
        done = true;
        reject(failed);
        return;
      }
      if (performance.now() - started > deadlineMs) {
        done = true;
        reject(new Error(`${server.kind} did not serve a read within ${deadlineMs} ms of its restart`));
        return;
      }
      void readOnce(server.host, server.port, BENCH_ROOT, READ_TIMEOUT_MS).then((ok) => {
        if (ok && !done) {
          done = true;
          resolve(performance.now() - started);
        }
      });
      setTimeout(tick, READ_ATTEMPT_MS);
    };
    tick();
  });
  await restarting;
  const rssAtServingMb = await rssMb(pidOf(server));
  await sleep(settleMs);
  return { servingMs, rssAtServingMb, rssSettledMb: await rssMb(pidOf(server)) };
}

/** Size in MB of the newest snapshot in a data directory (what a restart loads). */
export async function newestSnapshotMb(dataDir: string): Promise<number | null> {
  const dir = join(dataDir, "version-2");
  const names = (await readdir(dir).catch(() => [] as string[])).filter((n) => /^snapshot\.[0-9a-f]+$/.test(n));
  if (names.length === 0) return null;
  names.sort((a, b) => (BigInt(`0x${a.slice(9)}`) < BigInt(`0x${b.slice(9)}`) ? -1 : 1));
  return (await stat(join(dir, names[names.length - 1]!))).size / (1024 * 1024);
}
