import { hostname } from "node:os";

/**
 * Per-viewer name resolution, the mesh mode a reconfig needs.
 *
 * With addresses in the `server.N` lines each member needs lines of its own (its view of a
 * peer is the proxy only it dials), and a reconfig undoes that: every member adopts the
 * leader's lines. With names, the lines are the same for everyone (`zk3:<q>:<e>`) and each
 * member resolves the names through a hosts file of its own. Every 127.x.y.z address is local
 * on Linux, so member j listens on 127.1.0.j, and the proxy for the directed link i->j listens
 * on 127.2.i.j at j's own quorum and election ports: in member i's hosts file `zkJ` is
 * 127.2.i.j, and its own name is its own address.
 */
export const NAMED_PEERS_MAX = 254;

/** The name every member's server lines give member `id`. */
export function memberHostName(id: number): string {
  return `zk${id}`;
}

/** Where member `id` binds its quorum and election ports. */
export function memberPeerAddress(id: number): string {
  checkId(id);
  return `127.1.0.${id}`;
}

/** Where the proxy of the link `from` -> `to` listens (at `to`'s own ports). */
export function linkProxyAddress(from: number, to: number): string {
  checkId(from);
  checkId(to);
  return `127.2.${from}.${to}`;
}

/** Member `viewer`'s hosts file: its own name is its own address, every other name the proxy it dials. */
export function hostsFileOf(viewer: number, members: readonly number[]): string {
  const lines = members.map((m) => `${m === viewer ? memberPeerAddress(m) : linkProxyAddress(viewer, m)} ${memberHostName(m)}`);
  // The JVM resolves only through this file once it is given one: the names a process looks
  // up about itself must be in it too.
  return [`127.0.0.1 localhost ${hostname()}`, ...lines, ""].join("\n");
}

/** The environment variable that names the hosts file to the lab's preload for zkts members. */
export const HOSTS_FILE_ENV = "ZKTS_LAB_HOSTS_FILE";

/**
 * A member's command line resolving names through `hostsFile`: the JVM through its own
 * `jdk.net.hosts.file`, a zkts member through the lab's preload (hosts-preload.ts), which
 * makes node's dns.lookup read the file. Server code is unchanged.
 */
export function resolvingThrough(
  target: "zkts" | "zookeeper",
  command: { file: string; args: string[] },
  hostsFile: string,
  preloadUrl: string,
): { command: { file: string; args: string[] }; env: Record<string, string> } {
  if (target === "zookeeper") return { command: { file: command.file, args: [`-Djdk.net.hosts.file=${hostsFile}`, ...command.args] }, env: {} };
  return { command: { file: command.file, args: ["--import", preloadUrl, ...command.args] }, env: { [HOSTS_FILE_ENV]: hostsFile } };
}

function checkId(id: number): void {
  if (!Number.isInteger(id) || id < 1 || id > NAMED_PEERS_MAX) throw new Error(`named peers number members 1..${NAMED_PEERS_MAX}, not ${id}`);
}
