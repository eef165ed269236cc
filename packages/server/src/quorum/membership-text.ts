import type { Membership } from "@zkts/zab";

/**
 * The membership a ZooKeeper dynamic configuration text describes: its `server.N=` lines
 * (role `:observer` or `:participant`, participant when absent) and its `version=<hex>`
 * line. Only ids and roles are read here; addresses are the transports' business.
 */
export function membershipFromConfigText(data: Uint8Array): Membership {
  const text = Buffer.from(data.buffer, data.byteOffset, data.byteLength).toString("utf8");
  const voters: number[] = [];
  const observers: number[] = [];
  let version = 0n;
  for (const raw of text.split("\n")) {
    const line = raw.trim();
    const server = /^server\.(\d+)=([^;]*)/.exec(line);
    if (server !== null) {
      const id = Number(server[1]);
      if (/:observer\s*$/.test(server[2] as string)) observers.push(id);
      else voters.push(id);
      continue;
    }
    const v = /^version=([0-9a-fA-F]+)$/.exec(line);
    if (v !== null) version = BigInt(`0x${v[1]}`);
  }
  return { version, voters, observers, data };
}
