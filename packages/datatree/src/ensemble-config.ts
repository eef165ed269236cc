import { checkMemberCounts, readDynamicConfig } from "./dynamic-config.js";
import { renderServerSpec } from "./server-spec.js";

/**
 * An ensemble's dynamic configuration, the text ZooKeeper keeps in /zookeeper/config:
 *
 *     server.1=10.0.0.1:2888:3888:participant;0.0.0.0:2181
 *     server.4=10.0.0.4:2888:3888:observer;10.0.0.4:2181
 *     version=100000000
 *
 * The version is the zxid of the reconfig that made the configuration. The order of `servers`
 * is the order ZooKeeper writes them in, which is the iteration order of its HashMap of members
 * (not sorted by id); the functions that produce configurations produce that order.
 */
export type ServerRole = "participant" | "observer";

export interface ClientAddress {
  host: string;
  port: number;
}

export interface EnsembleServer {
  id: number;
  /** As Java prints it back: IP literals normalised, names as written, "" as "localhost". */
  host: string;
  quorumPort: number;
  electionPort: number;
  role: ServerRole;
  /** null when the server line has no `;[host:]port` part. */
  client: ClientAddress | null;
}

export interface EnsembleConfig {
  version: bigint;
  servers: EnsembleServer[];
}

export interface DynamicConfigOptions {
  /**
   * QuorumPeerConfig's standaloneEnabled (default true): with it, a configuration of one voter
   * and some observers is refused; without it, one without voters is.
   */
  standaloneEnabled?: boolean;
}

/**
 * Reads a dynamic configuration as QuorumPeerConfig.parseDynamicConfig does: Properties
 * syntax, only `server.N` and `version` keys, each server line checked as QuorumServer checks
 * it. Servers come out in the order of the text. Throws EnsembleConfigError (BADARGUMENTS, or
 * MARSHALLINGERROR where ZooKeeper fails with a runtime exception); the first error in the
 * order ZooKeeper meets the keys wins. Hierarchical quorums (group.N, weight.N) are refused.
 */
export function parseEnsembleConfig(text: string, options: DynamicConfigOptions = {}): EnsembleConfig {
  const config = readDynamicConfig(text, "text");
  checkMemberCounts(config, options.standaloneEnabled ?? true);
  return config;
}

/**
 * The configuration in the order a ZooKeeper server holds it after loading its text (a
 * follower learning a new configuration, a leader started from its dynamic file): that order
 * can differ from the proposing leader's among ids that share a hash bin, and it is the one such
 * a server writes back (in a reconfig's reply, say).
 */
export function inLoadedOrder(config: EnsembleConfig): EnsembleConfig {
  return readDynamicConfig(renderEnsembleConfig(config), "loaded");
}

/** QuorumMaj.toString: one `server.N=...` line per member, then `version=<hex>` without a newline. */
export function renderEnsembleConfig(config: EnsembleConfig): string {
  const lines = config.servers.map((s) => `server.${s.id}=${renderServerSpec(s)}\n`);
  return `${lines.join("")}version=${BigInt.asUintN(64, config.version).toString(16)}`;
}

/** The voting members' ids, in configuration order. */
export function votersOf(config: EnsembleConfig): number[] {
  return config.servers.filter((s) => s.role === "participant").map((s) => s.id);
}

/** The observers' ids, in configuration order. */
export function observersOf(config: EnsembleConfig): number[] {
  return config.servers.filter((s) => s.role === "observer").map((s) => s.id);
}

/**
 * Leader.isQuorumSynced: whether the servers synced with the leader (the leader included) hold
 * a majority of the configuration's voters. A reconfig whose new configuration fails this is
 * answered NEWCONFIGNOQUORUM. ZooKeeper counts the leader and its synced followers only;
 * servers that are not voters of `config` never count.
 */
export function hasSyncedQuorum(config: EnsembleConfig, syncedIds: Iterable<number>): boolean {
  const voters = new Set(votersOf(config));
  const synced = new Set<number>();
  for (const id of syncedIds) if (voters.has(id)) synced.add(id);
  return synced.size > Math.floor(voters.size / 2);
}
