/**
 * How ZooKeeper's `new InetSocketAddress(host, port)` treats a configured host, without any
 * name lookup: IP literals are normalised the way Java prints them back (getHostString), names
 * are kept as written, and an empty host means the loopback address, named "localhost".
 */
export interface InetHost {
  /** What getHostString returns, and so what ZooKeeper writes back into the configuration. */
  text: string;
  /** The address an IP literal stands for, normalised; null for a name. */
  address: string | null;
  /** Loopback or wildcard: ZooKeeper leaves these out when it looks for conflicting addresses. */
  special: boolean;
}

export function inetHost(host: string): InetHost {
  if (host === "" || host.toLowerCase() === "localhost") return { text: host === "" ? "localhost" : host, address: null, special: true };
  const v4 = ipv4Literal(host);
  if (v4 !== null) return { text: v4, address: v4, special: v4.startsWith("127.") || v4 === "0.0.0.0" };
  const v6 = ipv6Literal(host);
  if (v6 !== null) return { text: v6, address: v6, special: /^(0:){7}[01]$/.test(v6) };
  return { text: host, address: null, special: false };
}

/**
 * Java's IPv4 literal forms: a, a.b, a.b.c or a.b.c.d in decimal (leading zeros allowed and
 * still decimal), the last part filling the remaining bytes, at most 15 characters.
 */
function ipv4Literal(text: string): string | null {
  if (text.length === 0 || text.length > 15 || !/^[0-9]+(\.[0-9]+){0,3}$/.test(text)) return null;
  const parts = text.split(".").map(Number);
  const last = parts.pop()!;
  if (parts.some((p) => p > 255)) return null;
  const lastBytes = 4 - parts.length;
  if (last >= 2 ** (8 * lastBytes)) return null;
  const bytes = [...parts];
  for (let i = lastBytes - 1; i >= 0; i--) bytes.push(Math.floor(last / 2 ** (8 * i)) % 256);
  return bytes.join(".");
}

/**
 * An IPv6 literal as Java prints it: eight groups in lowercase hex without leading zeros and
 * without `::` compression, a numeric scope kept; an IPv4-mapped address becomes IPv4.
 */
function ipv6Literal(text: string): string | null {
  const percent = text.indexOf("%");
  const address = percent === -1 ? text : text.substring(0, percent);
  const scope = percent === -1 ? null : text.substring(percent + 1);
  if (!address.includes(":") || (scope !== null && !/^[0-9]+$/.test(scope))) return null;
  const halves = address.split("::");
  if (halves.length > 2) return null;
  const head = ipv6Groups(halves[0]!, halves.length === 1);
  const tail = halves.length === 2 ? ipv6Groups(halves[1]!, true) : [];
  if (head === null || tail === null) return null;
  let groups: number[];
  if (halves.length === 1) {
    if (head.length !== 8) return null;
    groups = head;
  } else {
    // "::" stands for at least one group of zeros.
    const missing = 8 - head.length - tail.length;
    if (missing < 1) return null;
    groups = [...head, ...Array<number>(missing).fill(0), ...tail];
  }
  if (groups.slice(0, 5).every((g) => g === 0) && groups[5] === 0xffff) {
    return `${groups[6]! >> 8}.${groups[6]! & 0xff}.${groups[7]! >> 8}.${groups[7]! & 0xff}`;
  }
  return groups.map((g) => g.toString(16)).join(":") + (scope === null ? "" : `%${scope}`);
}

/** The 16-bit groups of one side of "::"; a dotted quad may end the address. */
function ipv6Groups(text: string, mayEndWithIpv4: boolean): number[] | null {
  if (text === "") return [];
  const parts = text.split(":");
  const groups: number[] = [];
  for (let i = 0; i < parts.length; i++) {
    const part = parts[i]!;
    if (i === parts.length - 1 && mayEndWithIpv4 && part.includes(".")) {
      const v4 = /^[0-9]+(\.[0-9]+){3}$/.test(part) ? ipv4Literal(part) : null;
      if (v4 === null) return null;
      const [a, b, c, d] = v4.split(".").map(Number) as [number, number, number, number];
      groups.push((a << 8) | b, (c << 8) | d);
    } else if (/^[0-9a-fA-F]{1,4}$/.test(part)) {
      groups.push(parseInt(part, 16));
    } else {
      return null;
    }
  }
  return groups;
}
