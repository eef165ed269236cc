import { EnsembleConfigError, type QuorumMember, type ServerRole, type ServerSpecFault, parseQuorumMember } from "@zkts/config";
import { ConfigError } from "./config-error.js";
import { booleanValue } from "./config-values.js";

export interface EnsembleConfig {
  /** This server's id, from dataDir/myid. */
  myid: number;
  /** The `server.N` lines, each with its client address read (null where the line has none). */
  members: Required<QuorumMember>[];
  /** Ticks a learner may take to connect and sync. */
  initLimit: number;
  /** Ticks a learner may fall behind before it is dropped. */
  syncLimit: number;
  role: ServerRole;
  /**
   * quorumListenOnAllIPs: bind the quorum and election ports on every address rather than
   * on the host of this server's own line (which may be a proxy or an outside address).
   */
  quorumListenOnAllIPs: boolean;
  /** The configuration's version when ZooKeeper's dynamic configuration file gave the server lines (else 0). */
  configVersion?: bigint;
}

/**
 * Parses `server.N=host:quorumPort:electionPort[:participant|observer][;[clientHost:]clientPort]`
 * with @zkts/config's reader of server lines (ZooKeeper's QuorumServer), wording its errors with
 * the key. As zkts always has, only the first of several `|`-separated addresses is used.
 */
export function parseMember(key: string, value: string): Required<QuorumMember> {
  const idText = key.substring("server.".length);
  if (!/^\d+$/.test(idText)) throw new ConfigError(`${key}: the server id must be a non-negative integer`);
  try {
    return parseQuorumMember(Number(idText), value, { multipleAddresses: "useFirst" });
  } catch (err) {
    if (err instanceof EnsembleConfigError) throw new ConfigError(memberMessage(key, value, err.fault, err.detail));
    throw err;
  }
}

function memberMessage(key: string, value: string, fault: ServerSpecFault, detail: string): string {
  switch (fault.kind) {
    case "form":
      return `${key}: expected host:quorumPort:electionPort[:participant|observer], got "${value}"`;
    case "port":
      return `${key} ${fault.part} port: expected a port number, got "${fault.text}"`;
    case "role":
      return `${key}: unknown server type "${fault.text}" (participant or observer)`;
    case "other":
      return `${key}: ${detail}`;
  }
}

/**
 * The ensemble described by zoo.cfg, or null for a standalone server: no `server.N` lines,
 * or (as in ZooKeeper, with standaloneEnabled) a single participant.
 */
export function ensembleFromProperties(props: ReadonlyMap<string, string>, readMyid: () => string | null): EnsembleConfig | null {
  const members: Required<QuorumMember>[] = [];
  for (const [key, value] of props) if (/^server\.\d+$/.test(key) || /^server\./.test(key)) members.push(parseMember(key, value));
  if (members.length === 0) return null;
  const seen = new Set<number>();
  for (const m of members) {
    if (seen.has(m.id)) throw new ConfigError(`server.${m.id}: the id appears twice`);
    seen.add(m.id);
  }
  const participants = members.filter((m) => m.role === "participant");
  const standaloneEnabled = (props.get("standaloneEnabled") ?? "true").trim().toLowerCase() !== "false";
  if (participants.length === 0) throw new ConfigError("the server list has no participant");
  if (participants.length === 1 && standaloneEnabled) return null;
  const limit = (key: string) => {
    const text = props.get(key);
    if (text === undefined || text.trim() === "") throw new ConfigError(`${key} is required for an ensemble`);
    if (!/^\d+$/.test(text.trim()) || Number(text) < 1) throw new ConfigError(`${key}: expected a positive integer, got "${text}"`);
    return Number(text);
  };
  const initLimit = limit("initLimit");
  const syncLimit = limit("syncLimit");
  const quorumListenOnAllIPs = booleanValue("quorumListenOnAllIPs", props.get("quorumListenOnAllIPs"), false);
  const myidText = readMyid();
  if (myidText === null) throw new ConfigError("myid file is missing in dataDir (it holds this server's id from the server.N lines)");
  if (!/^\s*\d+\s*$/.test(myidText)) throw new ConfigError(`myid: expected a server id, got "${myidText.trim()}"`);
  const myid = Number(myidText.trim());
  const me = members.find((m) => m.id === myid);
  if (me === undefined) throw new ConfigError(`myid ${myid} is not in the server list (server.N lines)`);
  return { myid, members, initLimit, syncLimit, role: me.role, quorumListenOnAllIPs };
}

/**
 * Where a member serves clients. As in ZooKeeper 3.5+, the client address of the member's own
 * `server.N` line (`;[host:]port`) is the one it listens on, and zoo.cfg may then leave out
 * `clientPort`; a `clientPort` or specific `clientPortAddress` that disagrees with that line is
 * a configuration error rather than a guess.
 */
export function ownClientAddress(
  ensemble: EnsembleConfig,
  given: { clientPort: number | null; clientPortAddress: string | null },
): { clientPort: number; clientPortAddress: string; plainClientPort: true } | null {
  const me = ensemble.members.find((m) => m.id === ensemble.myid)!;
  if (me.clientPort === null) return null;
  const lineAddress = `${me.clientHost ?? "0.0.0.0"}:${me.clientPort}`;
  const portDiffers = given.clientPort !== null && given.clientPort !== me.clientPort;
  const wildcard = given.clientPortAddress === null || given.clientPortAddress === "0.0.0.0" || given.clientPortAddress === "::";
  const hostDiffers = !wildcard && me.clientHost !== null && given.clientPortAddress !== me.clientHost;
  if (portDiffers || hostDiffers) {
    throw new ConfigError(
      `server.${me.id} gives this server's client address as ${lineAddress}, but clientPort/clientPortAddress say ` +
        `${given.clientPortAddress ?? "0.0.0.0"}:${given.clientPort ?? "(unset)"}`,
    );
  }
  return { clientPort: me.clientPort, clientPortAddress: me.clientHost ?? given.clientPortAddress ?? "0.0.0.0", plainClientPort: true };
}
