import { ErrorCode } from "@zkts/jute";
import type { ClientAddress, EnsembleServer, ServerRole } from "./ensemble-config.js";
import { inetHost } from "./java-inet.js";
import { javaSplit, javaTrim, parseJavaInt, parseJavaLong } from "./java-text.js";
import { KeeperError } from "./keeper-error.js";

/**
 * A configuration ZooKeeper refuses. Where ZooKeeper throws a ConfigException the answer is
 * BADARGUMENTS; where a Java runtime exception escapes (a server id that is not a number, a
 * port out of range) the request fails with MARSHALLINGERROR instead.
 */
export class EnsembleConfigError extends KeeperError {
  constructor(code: typeof ErrorCode.BADARGUMENTS | typeof ErrorCode.MARSHALLINGERROR, readonly detail: string) {
    super(code);
    this.message = `${this.message}: ${detail}`;
  }
}

export function badArguments(detail: string): EnsembleConfigError {
  return new EnsembleConfigError(ErrorCode.BADARGUMENTS, detail);
}

export function marshallingError(detail: string): EnsembleConfigError {
  return new EnsembleConfigError(ErrorCode.MARSHALLINGERROR, detail);
}

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

const WRONG_FORMAT =
  " does not have the form server_config or server_config;client_config where server_config is" +
  " host:port:port or host:port:port:type and client_config is port or host:port";

/**
 * QuorumServer(sid, addressStr): `host:quorumPort:electionPort[:type][;[clientHost:]clientPort]`,
 * checked in ZooKeeper's order (the client part first). Hosts are kept as Java prints them back.
 * ZooKeeper 3.8 accepts several `|`-separated addresses only with zookeeper.multiAddress.enabled,
 * which is off by default; zkts never enables it.
 */
export function parseServerSpec(id: number, spec: string): EnsembleServer {
  const serverAndClient = javaSplit(spec, ";");
  if (serverAndClient.length === 0) throw marshallingError(`server.${id}: "${spec}" has no server address`);
  const addresses = javaSplit(serverAndClient[0]!, "|");
  const client = serverAndClient.length === 2 ? parseClientAddress(spec, serverAndClient[1]!) : null;
  if (addresses.length > 1) {
    throw badArguments(`Multiple address feature is disabled, but multiple addresses were specified for sid ${id}`);
  }
  // An empty address list (a spec of only "|") would give a server without addresses; refused.
  if (addresses.length === 0) throw badArguments(`${spec}${WRONG_FORMAT}`);
  const parts = hostAndPort(addresses[0]!);
  if (serverAndClient.length > 2 || parts.length < 3 || parts.length > 4) throw badArguments(`${spec}${WRONG_FORMAT}`);
  const host = inetHost(parts[0]!).text;
  const quorumPort = port(parts[0]!, parts[1]!);
  const electionPort = port(parts[0]!, parts[2]!);
  if (quorumPort === electionPort) {
    throw badArguments(`Client and election port must be different! Please update the configuration file on server.${id}`);
  }
  const role = parts.length === 4 ? roleOf(parts[3]!) : "participant";
  return { id, host, quorumPort, electionPort, role, client };
}

/** The client part: a port, or host:port; the host defaults to the wildcard address. */
function parseClientAddress(spec: string, text: string): ClientAddress {
  const parts = hostAndPort(text);
  if (parts.length > 2) throw badArguments(`${spec}${WRONG_FORMAT}`);
  if (parts.length === 0) throw marshallingError(`${spec}: the client address has no port`);
  const host = parts.length === 2 ? parts[0]! : "0.0.0.0";
  return { host: inetHost(host).text, port: port(host, parts[parts.length - 1]!) };
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
function port(host: string, text: string): number {
  const value = parseJavaInt(text);
  if (value === null) throw badArguments(`Address unresolved: ${host}:${text}`);
  if (value < 0 || value > 0xffff) throw marshallingError(`port out of range: ${value}`);
  return value;
}

function roleOf(text: string): ServerRole {
  switch (javaTrim(text).toLowerCase()) {
    case "observer":
      return "observer";
    case "participant":
      return "participant";
    default:
      throw badArguments(`Unrecognised peertype: ${text}`);
  }
}

/** QuorumServer.toString: ports, the role always, then the client address when there is one. */
export function renderServerSpec(server: EnsembleServer): string {
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
export function checkAddressDuplicate(joiner: EnsembleServer, other: EnsembleServer): void {
  const theirs = new Set(comparableAddresses(other));
  for (const mine of comparableAddresses(joiner)) {
    if (theirs.has(mine)) throw badArguments(`${mine} of server.${joiner.id} conflicts ${mine} of server.${other.id}`);
  }
}

function comparableAddresses(server: EnsembleServer): string[] {
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
