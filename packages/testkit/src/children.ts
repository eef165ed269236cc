import type { ChildProcess } from "node:child_process";

/**
 * Every long-lived child the harness starts, so none outlives the test process: a server left
 * behind by a crashed test would hold its port and memory on a shared machine.
 */
const live = new Set<ChildProcess>();
let hooked = false;

export function track(child: ChildProcess): void {
  live.add(child);
  child.once("exit", () => live.delete(child));
  if (!hooked) {
    hooked = true;
    process.once("exit", killAll);
    for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const) process.once(signal, () => onSignal(signal));
  }
}

/**
 * On a terminating signal the "exit" event does not fire, so kill the children here. If nothing
 * else handles the signal, re-raise it (this listener is gone by then) so the default action,
 * termination, still happens.
 */
function onSignal(signal: NodeJS.Signals): void {
  killAll();
  if (process.listenerCount(signal) === 0) process.kill(process.pid, signal);
}

function killAll(): void {
  for (const child of live) {
    try {
      child.kill("SIGKILL");
    } catch {
      // Already gone; nothing else can be done from an exit handler.
    }
  }
}

/** Resolves with the exit code (or null after a signal) once `child` has exited. */
export function exited(child: ChildProcess): Promise<number | null> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(child.exitCode);
  return new Promise((resolve) => child.once("exit", (code) => resolve(code)));
}

/** Sends `signal`, waits up to `waitMs`, then SIGKILLs; resolves once the child is gone. */
export async function terminate(child: ChildProcess, signal: NodeJS.Signals, waitMs: number): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const done = exited(child);
  child.kill(signal);
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<"late">((resolve) => {
    timer = setTimeout(() => resolve("late"), waitMs);
  });
  const outcome = await Promise.race([done, late]);
  clearTimeout(timer);
  if (outcome === "late") {
    child.kill("SIGKILL");
    await done;
  }
}
