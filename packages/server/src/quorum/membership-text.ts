import { memberOfSpec, specOfMember } from "@zkts/config";
import { CONFIG_PATH, type DataTree, type EnsembleConfig, observersOf, parseEnsembleConfig, renderEnsembleConfig, votersOf } from "@zkts/datatree";
import { OpCode, readTxnEntry } from "@zkts/jute";
import type { Entry, Membership } from "@zkts/zab";
import type { QuorumMember } from "@zkts/config";

// An ensemble's membership travels and is stored as ZooKeeper's dynamic configuration text
// (/zookeeper/config, NEWLEADER, election notifications, the dynamic config file). These
// functions move between that text, the zab core's Membership and the transports' addresses.

/** The text as a Membership; empty text (no configuration sent) is version 0 with no members. */
export function membershipFromConfigText(data: Uint8Array): Membership {
  if (data.length === 0) return { version: 0n, voters: [], observers: [], data };
  const config = parseEnsembleConfig(Buffer.from(data.buffer, data.byteOffset, data.byteLength).toString("utf8"), { standaloneEnabled: false });
  return membershipOfConfig(config);
}

export function membershipOfConfig(config: EnsembleConfig): Membership {
  return { version: config.version, voters: votersOf(config), observers: observersOf(config), data: Buffer.from(renderEnsembleConfig(config), "utf8") };
}

/** zoo.cfg's server lines as a configuration of the given version. */
export function configOfMembers(members: readonly QuorumMember[], version: bigint): EnsembleConfig {
  return { version, servers: members.map(specOfMember) };
}

/** The addresses a configuration text names, for the transports. */
export function addressesOfConfigText(data: Uint8Array): QuorumMember[] {
  if (data.length === 0) return [];
  const config = parseEnsembleConfig(Buffer.from(data.buffer, data.byteOffset, data.byteLength).toString("utf8"), { standaloneEnabled: false });
  return config.servers.map(memberOfSpec);
}

/**
 * As ZooKeeper does when a member starts, /zookeeper/config holds the configuration in force
 * (its data version -1, its mzxid the configuration's version). Only a tree that does not hold
 * one yet is written: a snapshot or a reconfig txn brings a newer one. The time is 0 so that
 * every member's tree stays identical.
 */
export function initConfigNode(tree: DataTree, membership: Membership): void {
  const node = tree.getNode(CONFIG_PATH);
  if (node === undefined || (node.data !== null && node.data.length > 0) || membership.data.length === 0) return;
  tree.setData(CONFIG_PATH, Buffer.from(membership.data), -1, membership.version, 0n);
}

/** The configuration `m` stamped with another version (a leader's first, see PeerOptions.restampMembership). */
export function restampedMembership(m: Membership, version: bigint): Membership {
  const config = parseEnsembleConfig(Buffer.from(m.data.buffer, m.data.byteOffset, m.data.byteLength).toString("utf8"), { standaloneEnabled: false });
  return membershipOfConfig({ ...config, version });
}

/**
 * A configuration made active outside a reconfig txn (a leader's first version, or one a
 * NEWLEADER brought) shows in /zookeeper/config as ZooKeeper's initConfigInZKDatabase shows
 * it: its mzxid the version. A reconfig txn already wrote its own.
 */
export function showConfigNode(tree: DataTree, membership: Membership): void {
  const node = tree.getNode(CONFIG_PATH);
  if (node === undefined || membership.data.length === 0 || membership.version <= node.mzxid) return;
  tree.setData(CONFIG_PATH, Buffer.from(membership.data), -1, membership.version, 0n);
}

/**
 * ZooKeeper's reconfig transactions are setData of /zookeeper/config with the new
 * configuration's text (whose version is the txn's zxid); the header's type says which
 * transactions they are, so only those are decoded.
 */
export function reconfigMembership(entry: Entry): Membership | null {
  // Asked of every entry the core takes in: the type is read off the bytes, making nothing.
  if (txnTypeOf(entry.data) !== OpCode.reconfig) return null;
  const data = Buffer.from(entry.data.buffer, entry.data.byteOffset, entry.data.byteLength);
  const { body } = readTxnEntry(data, 0x7fffffff);
  if (body.type !== OpCode.reconfig) return null;
  return membershipFromConfigText(body.txn.data ?? Buffer.alloc(0));
}

/** TxnHeader: clientId (8), cxid (4), zxid (8), time (8), then the type. */
const TXN_TYPE_OFFSET = 28;

/** The txn header's type, big-endian at TXN_TYPE_OFFSET; null when the bytes end before it. */
function txnTypeOf(bytes: Uint8Array): number | null {
  const at = TXN_TYPE_OFFSET;
  if (bytes.length < at + 4) return null;
  return (bytes[at]! << 24) | (bytes[at + 1]! << 16) | (bytes[at + 2]! << 8) | bytes[at + 3]!;
}
