import { readFileSync } from "node:fs";
import { fourLetterWord } from "@zkts/testkit";

/** Resident memory of a process in MiB, from /proc. */
export function rssMiB(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  const kb = Number(/^VmRSS:\s+(\d+) kB/m.exec(status)?.[1]);
  return Math.round(kb / 1024);
}

export function isAlive(pid: number | null): boolean {
  if (pid === null) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/**
 * One numeric mntr figure (zk_packets_received, zk_num_alive_connections, ...). A figure may be
 * negative for a moment: ZooKeeper 3.8 counts a request in `zk_outstanding_requests` only after
 * handing it to its first processor, so under load the final processor can count it out first.
 */
export async function mntrValue(host: string, port: number, key: string): Promise<number> {
  const text = await fourLetterWord(host, port, "mntr", 10_000);
  const value = new RegExp(`^${key}\\s+(-?\\d+)`, "m").exec(text)?.[1];
  if (value === undefined) {
    const line = new RegExp(`^${key}\\b.*$`, "m").exec(text)?.[0] ?? "(no such line)";
    throw new Error(`mntr has no number for ${key}: ${line}; ${text.length} characters, beginning:\n${text.slice(0, 2000)}`);
  }
  return Number(value);
}
