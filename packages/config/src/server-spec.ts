import { badArguments, marshallingError } from "./errors.js";
import { inetHost } from "./java-inet.js";
import { javaSplit, javaTrim, parseJavaInt, parseJavaLong } from "./java-text.js";
import type { QuorumMember, ServerRole, ServerSpec } from "./member.js";

/**
 * A server id as Long.parseLong reads it. Ids are JavaScript numbers here, so ids beyond 2^53,
 * which ZooKeeper would take, are refused.
 */
export function parseServerId(text: string): number {
  const id = parseJavaLong(text);
  if (id === null) throw marshallingError(`server id "${text}" is not a number`);
  if (id > BigInt(Number.MAX_SAFE_INTEGER) || id < BigInt(Number.MIN_SAFE_INTEGER)) {
    throw badArguments(`server id ${id} is too large`);
  }
  return Number(id);
}

export interface ServerSpecOptions {
  /** "refuse" (ZooKeeper's default, and a reconfig's) or "useFirst" (zoo.cfg). */
  multipleAddresses?: "refuse" | "useFirst";
}

const FORM = { kind: "form" } as const;

const WRONG_FORMAT =
  " does not have the form server_config or server_config;client_config where server_config is" +
  " host:port:port or host:port:port:type and client_config is port or host:port";

/**
 * QuorumServer(sid, addressStr): `host:quorumPort:electionPort[:type][;[clientHost:]clientPort]`,
 * checked in ZooKeeper's order (the client part first). Hosts are kept as Java prints them back.
 * ZooKeeper 3.8 accepts several `|`-separated addresses only with zookeeper.multiAddress.enabled,
 * which is off by default; zkts never enables it, and a reconfig is refused them. zoo.cfg's
 * reader takes the first of them (`multipleAddresses: "useFirst"`), as zkts always has.
 */
export function parseServerSpec(id: number, spec: string, options: ServerSpecOptions = {}): ServerSpec {
  const { client, ...server } = readServerLine(id, spec, options);
  return { ...server, client: client === null ? null : { host: client.host ?? WILDCARD, port: client.port } };
}

/**
 * The same line as a QuorumMember, whose clientHost stays null when the line names only a
 * client port: zoo.cfg's clientPortAddress may then choose the address (ZooKeeper's QuorumServer
 * would take the wildcard address, as parseServerSpec does).
 */
export function parseQuorumMember(id: number, spec: string, options: ServerSpecOptions = {}): Required<QuorumMember> {
  const { client, ...server } = readServerLine(id, spec, options);
  return { ...server, clientHost: client?.host ?? null, clientPort: client?.port ?? null };
}

const WILDCARD = "0.0.0.0";

type ServerLine = Omit<ServerSpec, "client"> & { client: { host: string | null; port: number } | null };

function readServerLine(id: number, spec: string, options: ServerSpecOptions): ServerLine {
  const serverAndClient = javaSplit(spec, ";");
  if (serverAndClient.length === 0) throw marshallingError(`server.${id}: "${spec}" has no server address`, FORM);
  const addresses = javaSplit(serverAndClient[0]!, "|");
  const client = serverAndClient.length === 2 ? parseClientAddress(spec, serverAndClient[1]!) : null;
  if (addresses.length > 1 && options.multipleAddresses !== "useFirst") {
    throw badArguments(`Multiple address feature is disabled, but multiple addresses were specified for sid ${id}`);
  }
  // An empty address list (a spec of only "|") would give a server without addresses; refused.
  if (addresses.length === 0) throw badArguments(`${spec}${WRONG_FORMAT}`, FORM);
  const parts = hostAndPort(options.multipleAddresses === "useFirst" ? javaTrim(addresses[0]!) : addresses[0]!);
  if (serverAndClient.length > 2 || parts.length < 3 || parts.length > 4) throw badArguments(`${spec}${WRONG_FORMAT}`, FORM);
  const host = inetHost(parts[0]!).text;
  const quorumPort = port(parts[0]!, parts[1]!, "quorum");
  const electionPort = port(parts[0]!, parts[2]!, "election");
  if (quorumPort === electionPort) {
    throw badArguments(`Client and election port must be different! Please update the configuration file on server.${id}`);
  }
  const role = parts.length === 4 ? roleOf(parts[3]!) : "participant";
  return { id, host, quorumPort, electionPort, role, client };
}

/** The client part: a port, or host:port; null for the host when the part names none. */
function parseClientAddress(spec: string, text: string): ServerLine["client"] {
  const parts = hostAndPort(text);
  if (parts.length > 2) throw badArguments(`${spec}${WRONG_FORMAT}`, FORM);
  if (parts.length === 0) throw marshallingError(`${spec}: the client address has no port`, FORM);
  const host = parts.length === 2 ? parts[0]! : null;
  return { host: host === null ? null : inetHost(host).text, port: port(host ?? WILDCARD, parts[parts.length - 1]!, "client") };
}

/** ConfigUtils.getHostAndPort: splits on ":", except inside a leading "[...]" (an IPv6 literal). */
function hostAndPort(text: string): string[] {
  if (!text.startsWith("[")) return javaSplit(text, ":");
  const close = text.indexOf("]");
  if (close < 0) throw badArguments(`${text} starts with '[' but has no matching ']:'`);
  if (close + 2 === text.length) throw badArguments(`${text} doesn't have a port after colon`);
  if (close + 2 < text.length) return [text.substring(1, close), ...javaSplit(text.substring(close + 2), ":")];
  return [text.replace(/[[\]]/g, "")];
}

/** A port as Integer.parseInt reads it (a ConfigException), then InetSocketAddress's range check (a runtime exception). */
function port(host: string, text: string, part: "quorum" | "election" | "client"): number {
  const value = parseJavaInt(text);
  if (value === null) throw badArguments(`Address unresolved: ${host}:${text}`, { kind: "port", part, text });
  if (value < 0 || value > 0xffff) throw marshallingError(`port out of range: ${value}`, { kind: "port", part, text });
  return value;
}

function roleOf(text: string): ServerRole {
  switch (javaTrim(text).toLowerCase()) {
    case "observer":
      return "observer";
    case "participant":
      return "participant";
    default:
      throw badArguments(`Unrecognised peertype: ${text}`, { kind: "role", text });
  }
}

/** QuorumServer.toString: ports, the role always, then the client address when there is one. */
export function renderServerSpec(server: ServerSpec): string {
  const client = server.client === null ? "" : `;${delimitedHost(server.client.host)}:${server.client.port}`;
  return `${delimitedHost(server.host)}:${server.quorumPort}:${server.electionPort}:${server.role}${client}`;
}

/** IPv6 hosts are written in brackets. */
function delimitedHost(host: string): string {
  return host.includes(":") ? `[${host}]` : host;
}

/**
 * QuorumServer.checkAddressDuplicate: the joiner may share no address with another server.
 * Loopback and wildcard addresses are left out, as ZooKeeper leaves them out. ZooKeeper also
 * leaves out names that do not resolve and compares resolved names by address; without name
 * lookups, names other than "localhost" are compared as written (ignoring case).
 */
export function checkAddressDuplicate(joiner: ServerSpec, other: ServerSpec): void {
  const theirs = new Set(comparableAddresses(other));
  for (const mine of comparableAddresses(joiner)) {
    if (theirs.has(mine)) throw badArguments(`${mine} of server.${joiner.id} conflicts ${mine} of server.${other.id}`);
  }
}

function comparableAddresses(server: ServerSpec): string[] {
  const addresses: { host: string; port: number }[] = [
    { host: server.host, port: server.quorumPort },
    ...(server.client === null ? [] : [server.client]),
    { host: server.host, port: server.electionPort },
  ];
  const out: string[] = [];
  for (const { host, port } of addresses) {
    const inet = inetHost(host);
    if (inet.special) continue;
    out.push(`${inet.address ?? inet.text.toLowerCase()}:${port}`);
  }
  return out;
}
