import { type ServerSpec, badArguments, javaTrim, loadProperties, marshallingError, parseJavaLong, parseServerId, parseServerSpec } from "@zkts/config";
import { JavaLongHashOrder, propertiesKeyOrder } from "./java-hash-order.js";

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
export interface EnsembleConfig {
  version: bigint;
  /** Each server line as @zkts/config reads it. */
  servers: ServerSpec[];
}

/**
 * Properties.load, then the key checks of QuorumPeerConfig.parseDynamicConfig and the parsing
 * of QuorumMaj(Properties). Keys are visited in the order java.util.Properties iterates them,
 * which decides which error ZooKeeper meets first. Servers come out in the order of the text,
 * or in the order of the HashMap ZooKeeper loads them into.
 */
export function readDynamicConfig(text: string, order: "text" | "loaded"): EnsembleConfig {
  const properties = loadProperties(text);
  const keys = propertiesKeyOrder([...properties.keys()]);
  let hierarchical = false;
  for (const key of keys.map(javaTrim)) {
    if (key.startsWith("group") || key.startsWith("weight")) hierarchical = true;
    else if (!key.startsWith("server.") && key !== "version") throw badArguments(`Unrecognised parameter: ${key}`);
  }
  // ZooKeeper would build a QuorumHierarchical; zkts ensembles only run majority quorums.
  if (hierarchical) throw badArguments("hierarchical quorums (group.N, weight.N) are not supported");

  let version = 0n;
  const members = new Map<number, ServerSpec>();
  const loaded = JavaLongHashOrder.empty();
  const idOfKey = new Map<string, number>();
  for (const key of keys) {
    const value = properties.get(key)!;
    if (key.startsWith("server.")) {
      const id = parseServerId(key.substring(key.indexOf(".") + 1));
      members.set(id, parseServerSpec(id, value));
      loaded.put(id);
      idOfKey.set(key, id);
    } else if (key === "version") {
      const parsed = parseJavaLong(value, 16);
      if (parsed === null) throw marshallingError(`version "${value}" is not hexadecimal`);
      version = parsed;
    }
  }
  const ids = order === "loaded" ? loaded.ids() : [...new Set([...properties.keys()].flatMap((k) => idOfKey.get(k) ?? []))];
  return { version, servers: ids.map((id) => members.get(id)!) };
}

/** parseDynamicConfig's checks on the numbers of voters and observers (runtime exceptions there). */
export function checkMemberCounts(config: EnsembleConfig, standaloneEnabled: boolean): void {
  const voters = config.servers.filter((s) => s.role === "participant").length;
  const observers = config.servers.length - voters;
  if (voters === 0) {
    if (!standaloneEnabled) throw marshallingError("standaloneEnabled = false then number of participants should be >0");
    if (observers > 0) throw marshallingError("Observers w/o participants is an invalid configuration");
  } else if (voters === 1 && standaloneEnabled && observers > 0) {
    throw marshallingError("Observers w/o quorum is an invalid configuration");
  }
}
