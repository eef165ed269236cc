import { memberHostName } from "./named-peers.js";
import { type PeerPort, peerProxyName } from "./proxy-mesh.js";
import type { PeerView } from "./zoo-cfg.js";

/**
 * Named peers inside containers (the containers driver's mode for runs that reconfig; see
 * named-peers.ts for the processes driver's).
 *
 * Every member's server lines read `server.K=zkK:<2800+K>:<3800+K>:<role>;0.0.0.0:2181`, the
 * same text everywhere, so the lines a reconfig hands every member are the lines each already
 * had. What a name means is local to each member's network namespace:
 *
 * - Member K's namespace belongs to its *pod*: a container started before the member (the
 *   member joins it with Docker's `NetworkMode: container:<pod>`, as a Kubernetes pod's
 *   containers share its infrastructure container's), on the lab's network under the alias
 *   `zkK`, publishing the client port. The pod outlives the member's kills and restarts, so
 *   its address, published port and forwarders stay; a killed member's ports refuse
 *   connections, as a killed process's do.
 * - In every member's hosts file (the JVM's `jdk.net.hosts.file`, zkts's preload), `zkJ` is
 *   127.1.0.J: a loopback alias, local to each namespace (all of 127/8 is). The pod of member
 *   K runs the lab's Toxiproxy with no API anyone drives (loopback only), created from a file
 *   at start: on 127.1.0.J at J's quorum and election ports, for every J but K, a plain
 *   forwarder to the Toxiproxy container's proxy of the link K->J. That proxy, one per directed
 *   link and port as with addresses, goes on to `zkJ` at J's ports, which Docker's DNS
 *   resolves to J's pod, where J listens. The nemesis drives that one Toxiproxy only.
 * - Each member's peer ports differ (2800+K, 3800+K), so member K can bind them on every
 *   address of its namespace (quorumListenOnAllIPs) beside its pod's forwarders, which listen
 *   at the other members' ports on loopback aliases; nobody needs to know the pod's address.
 *
 * Client addresses in the lines are 0.0.0.0:2181 for everyone: nobody dials them (the lab's
 * clients go through the client proxies), and a member binds its client port on them.
 */
export const CONTAINER_NAMED_PEERS_MAX = 199;

const QUORUM_PORT_BASE = 2800;
const ELECTION_PORT_BASE = 3800;
/** Inside a pod, the forwarders' own API, on loopback only: nobody outside the namespace reaches it. */
export const POD_FORWARDERS_API = { host: "127.0.0.1", port: 8474 } as const;

/** Member `id`'s quorum and election ports (it binds them on every address of its pod). */
export function containerPeerPorts(id: number): { readonly quorum: number; readonly election: number } {
  checkId(id);
  return { quorum: QUORUM_PORT_BASE + id, election: ELECTION_PORT_BASE + id };
}

/** Where, inside any member's namespace, `zkJ` resolves: the pod's forwarders to that member. */
export function containerPeerAlias(id: number): string {
  checkId(id);
  return `127.1.0.${id}`;
}

/** Member `id`'s server line, as every member reads it. */
export function containerPeerView(id: number, clientPort: number): PeerView {
  const ports = containerPeerPorts(id);
  const name = memberHostName(id);
  return { quorum: `${name}:${ports.quorum}`, election: `${name}:${ports.election}`, client: `0.0.0.0:${clientPort}` };
}

/** The `server.N=...` text a reconfig names for a member in this role. */
export function containerServerSpec(id: number, role: "participant" | "observer", clientPort: number): string {
  const ports = containerPeerPorts(id);
  return `server.${id}=${memberHostName(id)}:${ports.quorum}:${ports.election}:${role};0.0.0.0:${clientPort}`;
}

/**
 * The hosts file of every member (the same text for all): each name a loopback alias, and the
 * pod's host name (`hostname`, which the JVM looks up about itself) as well, since the JVM
 * resolves only through the file once it is given one.
 */
export function containerHostsFile(members: readonly number[], hostname: string): string {
  const lines = members.map((m) => `${containerPeerAlias(m)} ${memberHostName(m)}`);
  const ownName = members.some((m) => memberHostName(m) === hostname) ? "" : ` ${hostname}`;
  return [`127.0.0.1 localhost${ownName}`, ...lines, ""].join("\n");
}

/** One forwarder of a pod, in the shape Toxiproxy's `-config` file and /populate take. */
export interface PodForwarder {
  readonly name: string;
  readonly listen: string;
  readonly upstream: string;
  readonly enabled: boolean;
}

/**
 * Member `viewer`'s pod: for each other member and peer port, a forwarder on that member's
 * loopback alias and port to `proxyOf(viewer, member, port)`, the Toxiproxy container's proxy
 * of that directed link (`host:port` on the lab's network).
 */
export function podForwarders(viewer: number, members: readonly number[], proxyOf: (from: number, to: number, port: PeerPort) => string): PodForwarder[] {
  return members
    .filter((m) => m !== viewer)
    .flatMap((to) =>
      (["quorum", "election"] as const).map((port) => ({
        name: peerProxyName(viewer, to, port),
        listen: `${containerPeerAlias(to)}:${containerPeerPorts(to)[port]}`,
        upstream: proxyOf(viewer, to, port),
        enabled: true,
      })),
    );
}

function checkId(id: number): void {
  if (!Number.isInteger(id) || id < 1 || id > CONTAINER_NAMED_PEERS_MAX)
    throw new Error(`named peers in containers number members 1..${CONTAINER_NAMED_PEERS_MAX}, not ${id}`);
}
