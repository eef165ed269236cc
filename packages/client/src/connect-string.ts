import { validatePath } from "./paths.js";

export interface HostPort {
  host: string;
  port: number;
}

export interface ConnectString {
  hosts: HostPort[];
  /** The chroot without a trailing slash, or "" when there is none. */
  chroot: string;
}

const DEFAULT_PORT = 2181;

/**
 * Parses ZooKeeper's connect string: "h1:2181,h2:2182/app/root". The chroot suffix applies to
 * every host; a host without a port gets 2181; IPv6 literals are written in brackets.
 */
export function parseConnectString(input: string): ConnectString {
  const slash = input.indexOf("/");
  const hostPart = slash < 0 ? input : input.slice(0, slash);
  let chroot = slash < 0 ? "" : input.slice(slash);
  if (chroot === "/") chroot = "";
  if (chroot !== "") validatePath(chroot);
  const hosts = hostPart
    .split(",")
    .map((s) => s.trim())
    .filter((s) => s !== "")
    .map(parseHostPort);
  if (hosts.length === 0) throw new Error(`connect string "${input}" names no host`);
  return { hosts, chroot };
}

function parseHostPort(text: string): HostPort {
  let host = text;
  let portText: string | undefined;
  if (text.startsWith("[")) {
    const close = text.indexOf("]");
    if (close < 0) throw new Error(`unterminated IPv6 literal in "${text}"`);
    host = text.slice(1, close);
    const rest = text.slice(close + 1);
    if (rest.startsWith(":")) portText = rest.slice(1);
  } else {
    const colon = text.lastIndexOf(":");
    if (colon >= 0) {
      host = text.slice(0, colon);
      portText = text.slice(colon + 1);
    }
  }
  const port = portText === undefined ? DEFAULT_PORT : Number(portText);
  if (!Number.isInteger(port) || port <= 0 || port > 65535) throw new Error(`bad port in "${text}"`);
  return { host, port };
}

/** Fisher-Yates with the caller's random source, so clients spread over the ensemble. */
export function shuffled<T>(items: readonly T[], random: () => number): T[] {
  const out = items.slice();
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}
