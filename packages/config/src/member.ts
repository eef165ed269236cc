/**
 * The one description of an ensemble member: what a `server.N` line of zoo.cfg or of the
 * dynamic configuration says about it. zoo.cfg's reader, the quorum transports and the reports
 * use it as QuorumMember; the dynamic configuration (/zookeeper/config, reconfig) keeps the same
 * fields with the client address as one value, as ZooKeeper's QuorumServer holds it (ServerSpec).
 */
export type ServerRole = "participant" | "observer";

export interface ClientAddress {
  host: string;
  port: number;
}

export interface QuorumMember {
  id: number;
  /** As Java prints it back: IP literals normalised, names as written, "" as "localhost". */
  host: string;
  quorumPort: number;
  electionPort: number;
  role: ServerRole;
  /** The client address after `;` in the server line, if it has one (conf and voting_view show it). */
  clientHost?: string | null;
  clientPort?: number | null;
}

/** A member as the dynamic configuration holds it; `client` is null when the line has no `;[host:]port` part. */
export type ServerSpec = Omit<QuorumMember, "clientHost" | "clientPort"> & { client: ClientAddress | null };

/** The member a dynamic configuration's server line describes. */
export function memberOfSpec(spec: ServerSpec): Required<QuorumMember> {
  const { id, host, quorumPort, electionPort, role, client } = spec;
  return { id, host, quorumPort, electionPort, role, clientHost: client?.host ?? null, clientPort: client?.port ?? null };
}

/** A member as a dynamic configuration's server line; a client port without a host gets the wildcard address. */
export function specOfMember(member: QuorumMember): ServerSpec {
  const { id, host, quorumPort, electionPort, role, clientHost, clientPort } = member;
  const client = clientPort === undefined || clientPort === null ? null : { host: clientHost ?? "0.0.0.0", port: clientPort };
  return { id, host, quorumPort, electionPort, role, client };
}
