import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { existsSync } from "node:fs";
import type { MemberKind } from "./cluster.js";
import { hostsFileOf, linkProxyAddress, memberHostName, memberPeerAddress, resolvingThrough } from "./named-peers.js";
import { PortReservation } from "./port-reservation.js";
import { type MemberUpstreams, type PeerPort, peerProxyName } from "./proxy-mesh.js";
import type { PeerView } from "./zoo-cfg.js";

const HOST = "127.0.0.1";

/** A member's real ports. */
export interface MemberPorts {
  readonly client: number;
  readonly quorum: number;
  readonly election: number;
}

/** How the processes driver addresses members and proxies; see `portAddressing` and `namedAddressing`. */
export interface PeerAddressing {
  readonly named: boolean;
  /** Where the member really listens (the proxies' upstreams). */
  upstreams(id: number): MemberUpstreams;
  /** The listen address of the mesh's proxy `name` (`host:0`: any port). */
  proxyListen(name: string): string;
  /** The `server.N` line `viewer` gets for `peer`, given where the mesh's proxies listen. */
  view(
    viewer: number,
    peer: number,
    proxies: { peerAddress(from: number, to: number, port: PeerPort): string; clientAddress(member: number): string },
  ): PeerView;
  /** Writes what the member needs beside its zoo.cfg and returns its command line and extra environment. */
  launch(
    id: number,
    memberDir: string,
    kind: MemberKind,
    command: { file: string; args: string[] },
  ): Promise<{ command: { file: string; args: string[] }; env: Record<string, string> }>;
  /** The `server.N` spec a reconfig names for a member (named addressing only). */
  serverSpec?(id: number, role: "participant" | "observer"): string;
  /** Frees the reserved ports just before the members start. */
  release(): Promise<void>;
}

/**
 * Addresses in the server lines: every member on 127.0.0.1 ports, each member's lines naming
 * the proxies only it dials. A reconfig would hand every member the leader's lines, so this
 * mode serves runs without one.
 */
export async function portAddressing(ids: readonly number[]): Promise<{ addressing: PeerAddressing; ports: ReadonlyMap<number, MemberPorts> }> {
  const reservation = await PortReservation.take(ids.length * 3);
  const ports = new Map<number, MemberPorts>();
  ids.forEach((id, i) => {
    const [client, quorum, election] = reservation.ports.slice(i * 3, i * 3 + 3) as [number, number, number];
    ports.set(id, { client, quorum, election });
  });
  const addressing: PeerAddressing = {
    named: false,
    upstreams: (id) => {
      const p = ports.get(id)!;
      return { client: `${HOST}:${p.client}`, quorum: `${HOST}:${p.quorum}`, election: `${HOST}:${p.election}` };
    },
    proxyListen: () => `${HOST}:0`,
    view: (viewer, peer, proxies) => {
      const own = ports.get(peer)!;
      return viewer === peer
        ? { quorum: `${HOST}:${own.quorum}`, election: `${HOST}:${own.election}`, client: `${HOST}:${own.client}` }
        : { quorum: proxies.peerAddress(viewer, peer, "quorum"), election: proxies.peerAddress(viewer, peer, "election"), client: proxies.clientAddress(peer) };
    },
    launch: async (_id, _dir, _target, command) => ({ command, env: {} }),
    release: () => reservation.release(),
  };
  return { addressing, ports };
}

/**
 * Names in the server lines (named-peers.ts): member j binds its peer ports on 127.1.0.j, the
 * proxy of i->j listens on 127.2.i.j at the same ports, and each member resolves `zkJ` through
 * a hosts file of its own. Every member's lines are the same text, so a reconfig's lines mean
 * the right proxy to each member. Client ports stay on 127.0.0.1.
 */
export async function namedAddressing(ids: readonly number[]): Promise<{ addressing: PeerAddressing; ports: ReadonlyMap<number, MemberPorts> }> {
  const preload = hostsPreloadPath();
  const clientPorts = await PortReservation.take(ids.length);
  // Each member's peer ports are reserved on its own address; distinct numbers across members
  // keep every `host:port` of the configuration distinct by its text alone.
  const peerPorts: PortReservation[] = [];
  const taken = new Set<number>();
  const ports = new Map<number, MemberPorts>();
  for (const [i, id] of ids.entries()) {
    let reservation = await PortReservation.take(2, memberPeerAddress(id));
    while (reservation.ports.some((p) => taken.has(p))) {
      const retry = await PortReservation.take(2, memberPeerAddress(id));
      await reservation.release();
      reservation = retry;
    }
    peerPorts.push(reservation);
    const [quorum, election] = reservation.ports as [number, number];
    taken.add(quorum).add(election);
    ports.set(id, { client: clientPorts.ports[i]!, quorum, election });
  }
  const proxyListens = new Map<string, string>();
  for (const from of ids) {
    for (const to of ids) {
      if (from === to) continue;
      for (const port of ["quorum", "election"] as const)
        proxyListens.set(peerProxyName(from, to, port), `${linkProxyAddress(from, to)}:${ports.get(to)![port]}`);
    }
  }
  const viewOf = (peer: number): PeerView => {
    const p = ports.get(peer)!;
    return { quorum: `${memberHostName(peer)}:${p.quorum}`, election: `${memberHostName(peer)}:${p.election}`, client: `${HOST}:${p.client}` };
  };
  const addressing: PeerAddressing = {
    named: true,
    upstreams: (id) => {
      const p = ports.get(id)!;
      return { client: `${HOST}:${p.client}`, quorum: `${memberPeerAddress(id)}:${p.quorum}`, election: `${memberPeerAddress(id)}:${p.election}` };
    },
    proxyListen: (name) => proxyListens.get(name) ?? `${HOST}:0`,
    view: (_viewer, peer) => viewOf(peer),
    async launch(id, memberDir, kind, command) {
      const hostsFile = join(memberDir, "hosts");
      await writeFile(hostsFile, hostsFileOf(id, ids));
      return resolvingThrough(kind, command, hostsFile, preload);
    },
    serverSpec(id, role) {
      const v = viewOf(id);
      return `server.${id}=${v.quorum}:${v.election.substring(v.election.lastIndexOf(":") + 1)}:${role};${v.client}`;
    },
    async release() {
      await clientPorts.release();
      for (const r of peerPorts) await r.release();
    },
  };
  return { addressing, ports };
}

/** The compiled preload (lab/dist), from src/cluster or dist/cluster alike. */
function hostsPreloadPath(): string {
  const url = new URL("../../dist/cluster/hosts-preload.js", import.meta.url);
  if (!existsSync(fileURLToPath(url))) throw new Error(`${fileURLToPath(url)} does not exist; build the lab first (npm run build)`);
  return url.href;
}
