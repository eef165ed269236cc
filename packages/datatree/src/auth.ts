import { createHash } from "node:crypto";
import type { ACL, Id } from "@zkts/jute";
import { javaStringHash } from "./java-text.js";
import { isX500Name } from "./x500-name.js";

/**
 * The authentication schemes zkts understands, as ZooKeeper's providers define them:
 * world (anyone), digest (user:base64(SHA1(user:password))), ip (address or CIDR) and the
 * super id granted by a matching super digest. Each scheme answers three questions: is an ACL
 * id well formed, does an authenticated id match an ACL id, and does `auth` expand to it.
 */
export interface AuthConfig {
  /** `DigestAuthenticationProvider.superDigest`: "super:<base64 sha1>" or any user:digest. */
  superDigest?: string | null;
  /** `DigestAuthenticationProvider.digestAlg`: SHA1 by default. */
  digestAlgorithm?: string;
  /** `skipACL=yes` disables every ACL check. */
  skipAcl?: boolean;
  /**
   * Present when the x509 provider is loaded (a TLS client port, or an `authProvider.N`
   * naming it): ACLs may then name `x509` ids, the subject DNs of client certificates.
   * `superUser` is `X509AuthenticationProvider.superUser`, a DN that matches every x509 ACL.
   */
  x509?: { superUser: string | null } | null;
  /**
   * Present when the SASL provider is loaded (`authProvider.N` naming ZooKeeper's
   * SASLAuthenticationProvider): ACLs may then name `sasl` ids, the user names SASL
   * authenticated. A session authenticates by SASL with or without the provider, as in
   * ZooKeeper, but without it `sasl` ACLs are invalid and grant nothing.
   */
  sasl?: true | null;
  /**
   * `zookeeper.letAnySaslUserDoX`: a `sasl` ACL naming this id is matched by every
   * SASL-authenticated user (SASLAuthenticationProvider.matches), so one ACL can open a node to
   * all of them. Null or absent: only the named user (and "super") matches.
   */
  saslAnyUserDoX?: string | null;
}

export function digestOf(userPassword: string, algorithm = "SHA1"): string {
  const user = userPassword.split(":", 1)[0]!;
  const hash = createHash(nodeHashName(algorithm)).update(userPassword, "utf8").digest("base64");
  return `${user}:${hash}`;
}

function nodeHashName(algorithm: string): string {
  const a = algorithm.toUpperCase().replace(/-/g, "");
  if (a === "SHA1") return "sha1";
  if (a === "SHA256") return "sha256";
  if (a === "SHA512") return "sha512";
  if (a === "MD5") return "md5";
  return "sha1";
}

/** Java's String.split(":").length, which drops trailing empty strings. */
function javaSplitCount(value: string, separator: string): number {
  const parts = value.split(separator);
  while (parts.length > 0 && parts[parts.length - 1] === "") parts.pop();
  return parts.length;
}

/**
 * Whether a provider accepts an ACL id. A null id is no answer at all: ZooKeeper's digest and
 * ip providers throw NullPointerException on it, which the request processor reports as
 * MARSHALLINGERROR; callers check for it first (see Preparer.fixupAcl).
 */
export function isValidAclId(id: Id, config: AuthConfig = {}): boolean {
  if (id.id === null) return false;
  switch (id.scheme) {
    case "x509":
      // X509AuthenticationProvider.isValid: the id must parse as an X.500 name.
      return config.x509 != null && isX500Name(id.id);
    case "sasl":
      return config.sasl != null && isKerberosName(id.id);
    case "world":
      return id.id === "anyone";
    case "digest":
      return javaSplitCount(id.id, ":") === 2;
    case "ip":
      return parseIpExpression(id.id) !== null;
    default:
      return false;
  }
}

/** Whether a scheme has a provider here (unknown schemes make an ACL invalid). */
export function isKnownScheme(scheme: string | null, config: AuthConfig = {}): boolean {
  if (scheme === "x509") return config.x509 != null;
  if (scheme === "sasl") return config.sasl != null;
  return scheme === "world" || scheme === "digest" || scheme === "ip";
}

/** Whether ids of this scheme count as authenticated for the `auth` ACL scheme. */
export function isAuthenticatedScheme(scheme: string | null, config: AuthConfig = {}): boolean {
  if (scheme === "sasl") return config.sasl != null;
  return scheme === "digest" || scheme === "super" || scheme === "x509";
}

/**
 * SASLAuthenticationProvider.isValid: the id must read as a Kerberos name, which any name
 * without "@" does, and one with "@" only as `service[/host]@realm` with no further "/" or "@".
 */
function isKerberosName(id: string): boolean {
  return !id.includes("@") || /^[^/@]*(\/[^/@]*)?@[^/@]*$/.test(id);
}

function matches(authId: Id, aclId: Id, config: AuthConfig): boolean {
  if (authId.id === null || aclId.id === null) return false;
  switch (aclId.scheme) {
    case "x509": {
      // X509AuthenticationProvider.matches: the super user's DN matches any x509 ACL.
      const superUser = config.x509?.superUser ?? null;
      return (superUser !== null && authId.id === superUser) || authId.id === aclId.id;
    }
    case "digest":
      return authId.id === aclId.id;
    case "sasl":
      // SASLAuthenticationProvider.matches: a user named "super" matches every sasl ACL, and
      // every SASL user matches an ACL naming the letAnySaslUserDoX id.
      return authId.id === "super" || authId.id === aclId.id || (config.saslAnyUserDoX != null && aclId.id === config.saslAnyUserDoX);
    case "ip":
      return ipMatches(authId.id, aclId.id);
    default:
      return false;
  }
}

/** ZooKeeperServer.checkACL: true when one ACL entry grants any bit of `perm` to these ids. */
export function aclPermits(acl: readonly ACL[], perm: number, authIds: readonly Id[], config: AuthConfig): boolean {
  if (config.skipAcl) return true;
  if (acl.length === 0) return true;
  for (const authId of authIds) if (authId.scheme === "super") return true;
  for (const entry of acl) {
    if ((entry.perms & perm) === 0) continue;
    const id = entry.id;
    if (id.scheme === "world" && id.id === "anyone") return true;
    if (!isKnownScheme(id.scheme, config)) continue;
    for (const authId of authIds) {
      if (authId.scheme === id.scheme && matches(authId, id, config)) return true;
    }
  }
  return false;
}

interface IpExpression {
  bytes: Uint8Array;
  bits: number;
}

function parseIpExpression(expr: string): IpExpression | null {
  const slash = expr.indexOf("/");
  const addr = slash < 0 ? expr : expr.substring(0, slash);
  const bytes = parseIp(addr);
  if (bytes === null) return null;
  let bits = bytes.length * 8;
  if (slash >= 0) {
    const text = expr.substring(slash + 1);
    if (!/^\d+$/.test(text)) return null;
    bits = Number(text);
    if (bits < 0 || bits > bytes.length * 8) return null;
  }
  return { bytes, bits };
}

function parseIp(addr: string): Uint8Array | null {
  const v4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(addr);
  if (v4) {
    const out = new Uint8Array(4);
    for (let i = 0; i < 4; i++) {
      const n = Number(v4[i + 1]);
      if (n > 255) return null;
      out[i] = n;
    }
    return out;
  }
  if (addr.includes(":")) return parseIpv6(addr);
  return null;
}

function parseIpv6(addr: string): Uint8Array | null {
  const halves = addr.split("::");
  if (halves.length > 2) return null;
  const parse = (s: string): number[] | null => {
    if (s === "") return [];
    const groups = s.split(":");
    const out: number[] = [];
    for (const g of groups) {
      if (!/^[0-9a-fA-F]{1,4}$/.test(g)) return null;
      out.push(parseInt(g, 16));
    }
    return out;
  };
  const head = parse(halves[0]!);
  const tail = halves.length === 2 ? parse(halves[1]!) : [];
  if (head === null || tail === null) return null;
  const fill = 8 - head.length - tail.length;
  if ((halves.length === 1 && fill !== 0) || fill < 0) return null;
  const groups = [...head, ...new Array<number>(halves.length === 2 ? fill : 0).fill(0), ...tail];
  const out = new Uint8Array(16);
  groups.forEach((g, i) => {
    out[i * 2] = g >> 8;
    out[i * 2 + 1] = g & 0xff;
  });
  return out;
}

function ipMatches(clientAddress: string, aclExpression: string): boolean {
  const expr = parseIpExpression(aclExpression);
  const client = parseIp(clientAddress.replace(/^::ffff:(?=\d+\.)/, ""));
  if (expr === null || client === null || client.length !== expr.bytes.length) return false;
  for (let bit = 0; bit < expr.bits; bit++) {
    const byte = bit >> 3;
    const mask = 0x80 >> (bit & 7);
    if ((client[byte]! & mask) !== (expr.bytes[byte]! & mask)) return false;
  }
  return true;
}

/**
 * Handles an AuthPacket for a scheme: returns the ids the connection gains, or null when the
 * scheme is unknown or the credentials are rejected (the server answers AUTHFAILED).
 */
export function authenticate(scheme: string | null, auth: Buffer | null, config: AuthConfig): Id[] | null {
  // The ip provider authenticates the connection's own address, an id every connection
  // already holds, so it adds nothing and cannot fail (whatever the credentials, null too).
  if (scheme === "ip") return [];
  // ZooKeeper's digest provider fails on null credentials (it cannot make a string of them);
  // empty ones are a user "" with an empty password.
  if (scheme !== "digest" || auth === null) return null;
  const userPassword = auth.toString("utf8");
  const digest = digestOf(userPassword, config.digestAlgorithm);
  const ids: Id[] = [];
  if (config.superDigest && digest === config.superDigest) ids.push({ scheme: "super", id: "" });
  ids.push({ scheme: "digest", id: digest });
  return ids;
}

/** ConcurrentHashMap's default table: 16 bins, grown when a 13th entry arrives. */
const AUTH_SET_BINS = 16;
const AUTH_SET_RESIZE_AT = 13;

/**
 * The order in which ZooKeeper lists a connection's ids (whoami): they live in a set backed by
 * a ConcurrentHashMap, iterated bin by bin, in insertion order within a bin. A bin is the
 * spread hash of jute's Id.hashCode, 37 * (37 * 17 + scheme.hashCode()) + id.hashCode(). A
 * connection with 13 ids or more (the table grows then) keeps the order they came in.
 */
export function zookeeperAuthInfoOrder(ids: readonly Id[]): Id[] {
  if (ids.length >= AUTH_SET_RESIZE_AT) return [...ids];
  const binOf = (id: Id): number => {
    const hash = (Math.imul(Math.imul(37, 17) + javaStringHash(id.scheme ?? ""), 37) + javaStringHash(id.id ?? "")) | 0;
    return (hash ^ (hash >>> 16)) & 0x7fffffff & (AUTH_SET_BINS - 1);
  };
  return ids
    .map((id, at) => ({ id, at, bin: binOf(id) }))
    .sort((a, b) => a.bin - b.bin || a.at - b.at)
    .map((e) => e.id);
}
