import { setTimeout as sleep } from "node:timers/promises";

/** Polls `condition` every `intervalMs` until it holds, failing with `what` after `timeoutMs`. */
export async function waitUntil(condition: () => boolean, timeoutMs: number, what: string, intervalMs = 5): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  const attemptsMax = Math.ceil(timeoutMs / intervalMs) + 1;
  for (let attempt = 0; attempt < attemptsMax; attempt++) {
    if (condition()) return;
    if (performance.now() > deadline) break;
    await sleep(intervalMs);
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
}
