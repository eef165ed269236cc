import { readFileSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";

/**
 * Facts about this process and its files that ZooKeeper's operator reports include. Each is
 * null where the platform does not say (the descriptor counts come from Linux's /proc).
 */

/** Open file descriptors of this process (ZooKeeper's zk_open_file_descriptor_count). */
export function openFileDescriptorCount(): number | null {
  try {
    return readdirSync("/proc/self/fd").length;
  } catch {
    return null;
  }
}

/** The soft limit on open files (zk_max_file_descriptor_count). */
export function maxFileDescriptorCount(): number | null {
  try {
    const line = /^Max open files\s+(\d+)/m.exec(readFileSync("/proc/self/limits", "utf8"));
    return line === null ? null : Number(line[1]);
  } catch {
    return null;
  }
}

/** Bytes of every file under `dir`, as ZooKeeper's dirs and conf report them; 0 when it does not exist. */
export function directorySizeBytes(dir: string): number {
  let entries;
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch {
    return 0;
  }
  let total = 0;
  for (const entry of entries) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) total += directorySizeBytes(path);
    else {
      try {
        total += statSync(path).size;
      } catch {
        // Removed between listing and stat (autopurge, a snapshot renamed into place).
      }
    }
  }
  return total;
}
