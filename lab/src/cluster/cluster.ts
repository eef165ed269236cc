/**
 * One interface over every way the lab runs an ensemble (child processes on loopback,
 * containers, and the deterministic simulation), so that workloads, nemeses and checkers are
 * written once. Member ids are the ensemble's server ids (1..n).
 */
/**
 * What the members run: all zkts, all Apache ZooKeeper 3.8, or a mixed ensemble naming each
 * member's server in id order, K for zkts and Z for ZooKeeper (`mixed:ZZK`: members 1 and 2
 * ZooKeeper, member 3 zkts), voting together.
 */
export type Target = "zkts" | "zookeeper" | `mixed:${string}`;
export type MemberKind = "zkts" | "zookeeper";

const MIXED = /^mixed:([KZ]+)$/;

/** The server member `id` (from 1) runs; a mixed target shorter than the ensemble repeats its last letter. */
export function memberKind(target: Target, id: number): MemberKind {
  const mixed = MIXED.exec(target);
  if (mixed === null) return target as MemberKind;
  const letters = mixed[1]!;
  return letters[Math.min(id, letters.length) - 1] === "K" ? "zkts" : "zookeeper";
}

/** Whether every member runs zkts (zkts's own options, linearizable reads, unsafe modes). */
export function allZkts(target: Target, nodes: number): boolean {
  for (let id = 1; id <= nodes; id++) if (memberKind(target, id) !== "zkts") return false;
  return true;
}

/** A target as the command lines name it; null when it is none. */
export function parseTarget(text: string): Target | null {
  return text === "zkts" || text === "zookeeper" || MIXED.test(text) ? (text as Target) : null;
}
export type DriverName = "processes" | "containers" | "simulated";

/** The link between two members a fault acts on, named from the dialling side. */
export interface PeerLink {
  readonly from: number;
  readonly to: number;
}

/** Toxics the lab applies to links, in Toxiproxy's vocabulary (shared/reference/lab.md §4). */
export type LinkToxic =
  /** `holdClose`: a close waits at the black hole too, as a real partition holds back the FIN (the lab's own Toxiproxy only). */
  | { readonly type: "timeout"; readonly timeoutMs: number; readonly holdClose?: boolean }
  | { readonly type: "latency"; readonly latencyMs: number; readonly jitterMs: number }
  | { readonly type: "bandwidth"; readonly rateKBps: number }
  | { readonly type: "slicer"; readonly averageSize: number; readonly sizeVariation: number; readonly delayUs: number }
  | { readonly type: "reset_peer"; readonly timeoutMs: number };

/**
 * Which traffic a link fault touches: a member's traffic to a peer (both of ZooKeeper's
 * ports, quorum and election) or a client's traffic to a member.
 */
export type LinkScope = { readonly kind: "peer"; readonly link: PeerLink } | { readonly kind: "client"; readonly member: number };

export interface LinkFaults {
  /**
   * Applies `toxic` to the links in scope, on the given direction ("both": the dialling side's
   * requests and the answers). A silent partition is timeout 0 both ways.
   */
  add(scopes: readonly LinkScope[], toxic: LinkToxic, direction: "upstream" | "downstream" | "both"): Promise<void>;
  /** Removes every toxic from every link (a heal); connections a black hole held are closed. */
  healAll(): Promise<void>;
}

export interface Cluster {
  readonly driver: DriverName;
  readonly target: Target;
  /** Server ids of the voting members, then the observers. */
  readonly members: readonly number[];
  /** Where a client reaches a member (through the member's client proxy when links are faulted). */
  clientAddress(member: number): string;
  /** Every member's client address, comma separated. */
  connectString(): string;
  /** The member that reports itself leader, or null (none, or more than one claim it). */
  leader(): Promise<number | null>;
  /** The mode a member reports (leader, follower, observer, standalone, read-only), or null when it does not serve. */
  mode(member: number): Promise<string | null>;
  /** kill -9 (default) or SIGTERM; resolves when the member is gone. */
  kill(member: number, signal?: "SIGKILL" | "SIGTERM"): Promise<void>;
  /** Starts a member that is down again, on its own data directory; does not wait for it to serve. */
  start(member: number): Promise<void>;
  /** SIGSTOP / SIGCONT (the container runtime's freezer for containers). */
  pause(member: number): Promise<void>;
  resume(member: number): Promise<void>;
  /** Takes every free byte of the member's data disk (writes then fail with ENOSPC); freeDisk gives them back. */
  fillDisk(member: number): Promise<void>;
  freeDisk(member: number): Promise<void>;
  /** True while the member's process runs (paused counts as running). */
  isRunning(member: number): boolean;
  readonly links: LinkFaults;
  /**
   * The `server.N=...` text a reconfig names for a member in this role. Only clusters whose
   * members are named the same way by every member have it (the processes and containers
   * drivers with named peers): there the text means each member's own proxy to that member.
   */
  serverSpec?(member: number, role: "participant" | "observer"): string;
  /** Waits until one leader serves and every running member serves. */
  waitHealthy(timeoutMs: number): Promise<void>;
  /** Members that exited without being asked to (a crash), with how: the run reports them. */
  crashes(): string[];
  /** Copies each member's log into `dir` (one file per member). */
  collectLogs(dir: string): Promise<string[]>;
  /** Stops everything and removes what the driver made (processes, directories, containers, proxies). */
  close(): Promise<void>;
}
