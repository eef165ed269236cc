import { lookup } from "node:dns/promises";

export interface HostPort {
  readonly host: string;
  readonly port: number;
}

/** "host:port", "[v6]:port" or ":port"; an empty text means every address, any port. */
export function parseHostPort(text: string): HostPort {
  if (text === "") return { host: "", port: 0 };
  const match = /^(?:\[([^\]]*)\]|([^:]*)):(\d{1,5})$/.exec(text);
  const port = match === null ? Number.NaN : Number(match[3]);
  if (match === null || port > 65535) throw new Error(`address ${text}: expected host:port`);
  return { host: match[1] ?? match[2] ?? "", port };
}

export function formatHostPort({ host, port }: HostPort): string {
  return host.includes(":") ? `[${host}]:${port}` : `${host}:${port}`;
}

/** A host name as an address, IPv4 first, as Go's resolver answers for the proxies' listen. */
export async function resolveHost(host: string): Promise<string> {
  if (host === "") return "";
  try {
    return (await lookup(host, { family: 4 })).address;
  } catch {
    return (await lookup(host)).address;
  }
}

/** The listen text in the resolved form a started proxy reports, to tell whether it changed. */
export async function resolveListen(text: string): Promise<string> {
  const { host, port } = parseHostPort(text);
  return formatHostPort({ host: await resolveHost(host), port });
}
