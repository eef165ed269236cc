import { readFileSync, readdirSync } from "node:fs";
import { setTimeout as sleep } from "node:timers/promises";

/**
 * Freezes a process (SIGSTOP) and resolves once every one of its threads has stopped. kill()
 * returns as soon as the signal is queued, and Linux stops a thread group from the thread that
 * takes the signal: on a busy machine that thread may wait for a CPU while the others, a JVM's
 * network and log threads among them, run on for milliseconds. A test that pauses a member so
 * it cannot see a proposal must wait for this, or the member may take the proposal and ACK it.
 */
export async function pauseProcess(pid: number, timeoutMs = 10_000): Promise<void> {
  process.kill(pid, "SIGSTOP");
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const running = threadsNotStopped(pid);
    if (running === 0) return;
    if (Date.now() > deadline) throw new Error(`process ${pid}: ${running} threads still running ${timeoutMs} ms after SIGSTOP`);
    await sleep(1);
  }
}

/** Thaws a process paused with pauseProcess (SIGCONT). */
export function resumeProcess(pid: number): void {
  process.kill(pid, "SIGCONT");
}

/** Threads of `pid` not in the stopped state (T, or t when traced); a thread that exits meanwhile does not count. */
function threadsNotStopped(pid: number): number {
  let running = 0;
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    let stat: string;
    try {
      stat = readFileSync(`/proc/${pid}/task/${tid}/stat`, "utf8");
    } catch {
      continue;
    }
    // "tid (comm) S ...": the state follows the last ')', as comm may hold spaces and parentheses.
    const state = stat[stat.lastIndexOf(")") + 2];
    if (state !== "T" && state !== "t") running++;
  }
  return running;
}
