/**
 * ZooKeeper packs container and TTL markers into a znode's stored ephemeralOwner
 * (EphemeralType): containers are 0x8000000000000000, TTL nodes 0xFF00_0000_0000_0000 | ttl.
 * Clients always see 0 for both. The TTL prefix means something only with extended types
 * enabled; otherwise ZooKeeper reads such an owner as a session id, which is what server id
 * 255 produces (extended types are what cap server ids at 254).
 */
export const CONTAINER_EPHEMERAL_OWNER = -0x8000000000000000n; // 0x8000000000000000 as a signed long
const EXTENDED_MASK = -0x100000000000000n; // 0xff00000000000000 as a signed long
const TTL_MASK = 0xffffffffffn;
export const TTL_MAX_MS = (1n << 40n) - 1n;

export type EphemeralKind = "void" | "normal" | "container" | "ttl";

export function ephemeralKind(owner: bigint, extendedTypesEnabled = true): EphemeralKind {
  if (owner === 0n) return "void";
  if (owner === CONTAINER_EPHEMERAL_OWNER) return "container";
  if (extendedTypesEnabled && (owner & EXTENDED_MASK) === EXTENDED_MASK) return "ttl";
  return "normal";
}

export function ttlOwner(ttlMs: bigint): bigint {
  return EXTENDED_MASK | (ttlMs & TTL_MASK);
}

export function ttlOf(owner: bigint): bigint {
  return owner & TTL_MASK;
}

/** The ephemeralOwner a client sees in a Stat. */
export function clientEphemeralOwner(owner: bigint, extendedTypesEnabled = true): bigint {
  const kind = ephemeralKind(owner, extendedTypesEnabled);
  return kind === "container" || kind === "ttl" ? 0n : owner;
}
