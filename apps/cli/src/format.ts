import { type ACL, type Stat } from "@zkts/client";

const PERM_LETTERS: [number, string][] = [
  [4, "c"],
  [8, "d"],
  [1, "r"],
  [2, "w"],
  [16, "a"],
];

export function permsToString(perms: number): string {
  return PERM_LETTERS.filter(([bit]) => (perms & bit) !== 0)
    .map(([, letter]) => letter)
    .join("");
}

export function permsFromString(text: string): number {
  let perms = 0;
  for (const ch of text) {
    const entry = PERM_LETTERS.find(([, letter]) => letter === ch.toLowerCase());
    if (entry === undefined) throw new Error(`unknown permission "${ch}" (use c d r w a)`);
    perms |= entry[0];
  }
  return perms;
}

/** Parses zkCli's ACL syntax: "scheme:id:perms[,scheme:id:perms...]" (digest ids contain a colon). */
export function parseAcl(text: string): ACL[] {
  return text.split(",").map((entry) => {
    const first = entry.indexOf(":");
    const last = entry.lastIndexOf(":");
    if (first < 0 || last === first) throw new Error(`bad ACL "${entry}", expected scheme:id:perms`);
    return { id: { scheme: entry.slice(0, first), id: entry.slice(first + 1, last) }, perms: permsFromString(entry.slice(last + 1)) };
  });
}

export function formatAcl(acl: readonly ACL[]): string {
  return acl.map((a) => `'${a.id.scheme},'${a.id.id}\n: ${permsToString(a.perms)}`).join("\n");
}

const hex = (v: bigint) => `0x${v.toString(16)}`;

/** The stat block zkCli.sh prints. */
export function formatStat(stat: Stat): string {
  return [
    `cZxid = ${hex(stat.czxid)}`,
    `ctime = ${new Date(Number(stat.ctime)).toUTCString()}`,
    `mZxid = ${hex(stat.mzxid)}`,
    `mtime = ${new Date(Number(stat.mtime)).toUTCString()}`,
    `pZxid = ${hex(stat.pzxid)}`,
    `cversion = ${stat.cversion}`,
    `dataVersion = ${stat.version}`,
    `aclVersion = ${stat.aversion}`,
    `ephemeralOwner = ${hex(stat.ephemeralOwner)}`,
    `dataLength = ${stat.dataLength}`,
    `numChildren = ${stat.numChildren}`,
  ].join("\n");
}

/**
 * JSON that cannot throw on what the client returns: bigints (session ids, zxids outside a
 * Stat) as decimal strings, and any Buffer as base64 (znode data is converted before, see
 * dataJson). A Stat brings its own toJSON.
 */
export function toJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => {
    if (typeof v === "bigint") return v.toString();
    if (v !== null && typeof v === "object" && (v as { type?: string }).type === "Buffer" && Array.isArray((v as { data?: unknown }).data)) {
      return Buffer.from((v as { data: number[] }).data).toString("base64");
    }
    return v;
  });
}
