import { readFileSync, readdirSync, readlinkSync } from "node:fs";

/** TCP state LISTEN as /proc/net/tcp writes it. */
const LISTEN = "0A";

/**
 * Whether process `pid` holds the socket listening on `port` (Linux, from /proc). A `srvr`
 * answer on a port proves only that something serves there: during a restart another server
 * started meanwhile may have bound the port first, and the process that was launched then
 * fails its bind and exits a moment later. Where /proc cannot tell, the answer is yes.
 */
export function listensOn(pid: number, port: number): boolean {
  const inodes = listenerInodes(port);
  if (inodes === null) return true;
  let fds: string[];
  try {
    fds = readdirSync(`/proc/${pid}/fd`);
  } catch {
    return true;
  }
  for (const fd of fds) {
    try {
      const match = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${pid}/fd/${fd}`));
      if (match !== null && inodes.has(match[1]!)) return true;
    } catch {
      // The descriptor closed while we looked.
    }
  }
  return false;
}

/** Inodes of the sockets listening on `port`, or null when /proc/net is not readable. */
function listenerInodes(port: number): Set<string> | null {
  const hexPort = port.toString(16).toUpperCase().padStart(4, "0");
  const inodes = new Set<string>();
  let readAny = false;
  for (const table of ["/proc/net/tcp", "/proc/net/tcp6"]) {
    let text: string;
    try {
      text = readFileSync(table, "utf8");
    } catch {
      continue;
    }
    readAny = true;
    for (const line of text.split("\n").slice(1)) {
      // sl local_address rem_address st tx_queue:rx_queue tr:tm->when retrnsmt uid timeout inode
      const fields = line.trim().split(/\s+/);
      if (fields.length < 10) continue;
      if (fields[1]!.endsWith(`:${hexPort}`) && fields[3] === LISTEN) inodes.add(fields[9]!);
    }
  }
  return readAny ? inodes : null;
}
