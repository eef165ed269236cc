import { type ServerSpec, badArguments, checkAddressDuplicate, parseServerId, parseServerSpec, splitTrimmed } from "@zkts/config";
import { ErrorCode, type ReconfigRequest } from "@zkts/jute";
import { checkMemberCounts, readDynamicConfig } from "./dynamic-config.js";
import type { DynamicConfigOptions, EnsembleConfig } from "./ensemble-config.js";
import { JavaLongHashOrder } from "./java-hash-order.js";
import { KeeperError } from "./keeper-error.js";

/**
 * The configuration a reconfig request asks for, as ZooKeeper's PrepRequestProcessor computes
 * it from the last configuration it saw: the version check, then either the whole new member
 * list (newMembers, which wins when present) or the current members minus `leavingServers`
 * plus `joiningServers`, then at least two voters (one without standaloneEnabled). The result
 * has version `zxid`, the zxid of the reconfig's transaction.
 *
 * Throws KeeperError: BADVERSION, BADARGUMENTS, or MARSHALLINGERROR where ZooKeeper fails
 * with a runtime exception (a server id that is not a number, a port out of range). The checks
 * only the leader can make come before (RECONFIGINPROGRESS) and after (NEWCONFIGNOQUORUM).
 */
export function applyReconfig(current: EnsembleConfig, request: ReconfigRequest, zxid: bigint, options: DynamicConfigOptions = {}): EnsembleConfig {
  const standaloneEnabled = options.standaloneEnabled ?? true;
  if (request.curConfigId !== -1n && request.curConfigId !== current.version) {
    throw new KeeperError(ErrorCode.BADVERSION);
  }
  const servers =
    request.newMembers !== null
      ? replaceMembers(request.newMembers, standaloneEnabled)
      : changeMembers(current, request.joiningServers, request.leavingServers);
  const voters = servers.filter((s) => s.role === "participant").length;
  if (standaloneEnabled && voters < 2) throw badArguments("Reconfig failed - new configuration must include at least 2 followers");
  if (voters < 1) throw badArguments("Reconfig failed - new configuration must include at least 1 follower");
  return { version: zxid, servers };
}

/** Non-incremental: newMembers, commas or newlines between lines, read as a dynamic configuration. */
function replaceMembers(newMembers: string, standaloneEnabled: boolean): ServerSpec[] {
  const config = readDynamicConfig(newMembers.replaceAll(",", "\n"), "loaded");
  checkMemberCounts(config, standaloneEnabled);
  return config.servers;
}

/**
 * Incremental: a copy of the current members (a HashMap copied in the current order, which
 * decides the new order), leavers removed (unknown ids are ignored), then each joiner checked
 * and put in, replacing a member with its id.
 */
function changeMembers(current: EnsembleConfig, joining: string | null, leaving: string | null): ServerSpec[] {
  const order = JavaLongHashOrder.copyOf(current.servers.map((s) => s.id));
  const members = new Map(current.servers.map((s) => [s.id, s]));
  for (const text of leaving === null ? [] : splitTrimmed(leaving, ",")) {
    const id = parseServerId(text);
    order.remove(id);
    members.delete(id);
  }
  for (const joiner of joining === null ? [] : splitTrimmed(joining, ",")) {
    const server = parseJoiner(joiner);
    for (const other of members.values()) if (other.id !== server.id) checkAddressDuplicate(server, other);
    order.remove(server.id);
    order.put(server.id);
    members.set(server.id, server);
  }
  return order.ids().map((id) => members.get(id)!);
}

/** `server.N=spec`; the id is whatever follows the last dot of the key, and the client port is required. */
function parseJoiner(joiner: string): ServerSpec {
  const parts = splitTrimmed(joiner, "=");
  if (parts.length !== 2) throw badArguments("Wrong format of server string");
  const key = parts[0]!;
  const server = parseServerSpec(parseServerId(key.substring(key.lastIndexOf(".") + 1)), parts[1]!);
  if (server.client === null) {
    throw badArguments("Wrong format of server string - each server should have 3 ports specified");
  }
  return server;
}
