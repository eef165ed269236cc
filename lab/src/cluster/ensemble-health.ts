import { setTimeout as sleep } from "node:timers/promises";

const POLL_MS = 100;

/** How a driver tells what its members are doing; the health rules below are the same for every driver. */
export interface MemberProbe {
  readonly members: readonly number[];
  isRunning(member: number): boolean;
  /** The member's srvr Mode, or null when it does not serve. */
  mode(member: number): Promise<string | null>;
  /** Members that exited without being asked to and are still down, one line each: waiting stops at the first. */
  crashedAndDown?(): string[];
}

/** The member that reports itself leader, or null (none, or more than one claim it). */
export async function leaderOf(probe: MemberProbe): Promise<number | null> {
  const modes = await Promise.all(probe.members.map((id) => probe.mode(id)));
  const leaders = probe.members.filter((_, i) => modes[i] === "leader");
  return leaders.length === 1 ? leaders[0]! : null;
}

/** Waits until one leader serves and every running member serves. */
export async function waitUntilHealthy(probe: MemberProbe, timeoutMs: number): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  let seen = "";
  while (performance.now() < deadline) {
    const crashed = probe.crashedAndDown?.() ?? [];
    if (crashed.length > 0) throw new Error(`a member exited by itself: ${crashed.join("; ")}`);
    const running = probe.members.filter((id) => probe.isRunning(id));
    const modes = await Promise.all(running.map((id) => probe.mode(id)));
    seen = running.map((id, i) => `${id}=${modes[i] ?? "down"}`).join(" ");
    if (modes.filter((m) => m === "leader").length === 1 && modes.every((m) => m !== null)) return;
    await sleep(POLL_MS);
  }
  throw new Error(`no single leader with every running member serving within ${timeoutMs} ms (${seen})`);
}
