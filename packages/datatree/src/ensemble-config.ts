import { renderServerSpec } from "@zkts/config";
import { type EnsembleConfig, checkMemberCounts, readDynamicConfig } from "./dynamic-config.js";

export type { EnsembleConfig };

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
