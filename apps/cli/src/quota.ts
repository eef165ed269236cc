import { joinPath, ZkError, ErrorCode, type ZkClient } from "@zkts/client";

/**
 * zkCli's quota commands. A quota on /a lives in /zookeeper/quota/a: zookeeper_limits holds the
 * limits and zookeeper_stats the server's running totals, both as text in ZooKeeper's
 * StatsTrack form "count=5,bytes=-1=;byteHardLimit=-1;countHardLimit=-1" (-1: no limit).
 * The server enforces the hard limits and keeps the totals; these commands only write limits.
 */
const QUOTA_ROOT = "/zookeeper/quota";
const LIMITS = "zookeeper_limits";
const STATS = "zookeeper_stats";

export type QuotaField = "count" | "bytes" | "countHardLimit" | "byteHardLimit";

/** The flag of each field, as setquota and delquota spell them. */
export const QUOTA_FLAGS: Readonly<Record<string, QuotaField>> = { n: "count", b: "bytes", N: "countHardLimit", B: "byteHardLimit" };

/** Parsed StatsTrack text: every key it held, -1 for keys it did not. */
export class QuotaValues {
  readonly values = new Map<string, number>();

  static parse(text: string): QuotaValues {
    const track = new QuotaValues();
    for (const pair of text.split(/[,;]+/)) {
      const [key, value] = pair.split("=");
      if (key === undefined || key === "") continue;
      const n = Number(value);
      track.values.set(key, value === undefined || value === "" || !Number.isFinite(n) ? -1 : n);
    }
    return track;
  }

  get(field: QuotaField): number {
    return this.values.get(field) ?? -1;
  }

  set(field: QuotaField, value: number): void {
    this.values.set(field, value);
  }

  /** StatsTrack's text: count and bytes, then "=" and the other keys sorted, each after ";". */
  toString(): string {
    const extra = [...this.values.keys()].filter((k) => k !== "count" && k !== "bytes").sort();
    const tail = extra.length === 0 ? "" : `=${extra.map((k) => `;${k}=${this.values.get(k)}`).join("")}`;
    return `count=${this.get("count")},bytes=${this.get("bytes")}${tail}`;
  }

  toJSON(): Record<string, number> {
    return Object.fromEntries(this.values);
  }
}

const quotaNode = (path: string) => (path === "/" ? QUOTA_ROOT : `${QUOTA_ROOT}${path}`);

/** Fails as zkCli does, with the sentence it prints; exit status 1 like any ZooKeeper error. */
function refuse(code: number, message: string): never {
  throw Object.assign(new ZkError(code), { message });
}

async function existingQuota(client: ZkClient, path: string): Promise<QuotaValues | null> {
  try {
    const { data } = await client.getData(`${quotaNode(path)}/${LIMITS}`);
    return QuotaValues.parse(data.toString("utf8"));
  } catch (err) {
    if (ZkError.is(err, "NONODE")) return null;
    throw err;
  }
}

/** The first descendant of `path` that carries a quota, or null. */
async function quotaBelow(client: ZkClient, path: string): Promise<string | null> {
  let children: string[];
  try {
    children = await client.getChildren(quotaNode(path));
  } catch (err) {
    if (ZkError.is(err, "NONODE")) return null;
    throw err;
  }
  for (const child of children.sort()) {
    if (child === LIMITS || child === STATS) continue;
    const below = joinPath(path, child);
    if ((await existingQuota(client, below)) !== null) return below;
    const deeper = await quotaBelow(client, below);
    if (deeper !== null) return deeper;
  }
  return null;
}

/** Sets one limit on `path`, creating the quota (and the nodes leading to it) when it has none. */
export async function setQuota(client: ZkClient, path: string, field: QuotaField, value: number): Promise<void> {
  if (path.startsWith(QUOTA_ROOT)) refuse(ErrorCode.BADARGUMENTS, "cannot set a quota under /zookeeper/quota");
  if ((await client.exists(path)) === null) refuse(ErrorCode.NONODE, `${path} does not exist.`);
  const current = await existingQuota(client, path);
  if (current !== null) {
    current.set(field, value);
    await client.setData(`${quotaNode(path)}/${LIMITS}`, current.toString());
    return;
  }
  const parts = path.split("/").filter((p) => p !== "");
  for (let i = 1; i < parts.length; i++) {
    const ancestor = `/${parts.slice(0, i).join("/")}`;
    if ((await existingQuota(client, ancestor)) !== null) refuse(ErrorCode.BADARGUMENTS, `${path} has a parent ${ancestor} which has a quota`);
  }
  const child = await quotaBelow(client, path);
  if (child !== null) refuse(ErrorCode.BADARGUMENTS, `${path} has a child ${child} which has a quota`);
  let node = QUOTA_ROOT;
  for (const part of parts) {
    node = `${node}/${part}`;
    await client.create(node, null).catch((err: unknown) => {
      if (!ZkError.is(err, "NODEEXISTS")) throw err;
    });
  }
  const limits = QuotaValues.parse("count=-1,bytes=-1=;byteHardLimit=-1;countHardLimit=-1");
  limits.set(field, value);
  // The stats node first: the server fills in the totals once the limits node appears.
  await client.create(`${quotaNode(path)}/${STATS}`, "count=0,bytes=0");
  await client.create(`${quotaNode(path)}/${LIMITS}`, limits.toString());
}

export interface QuotaListing {
  path: string;
  limits: QuotaValues;
  stats: QuotaValues | null;
}

export async function listQuota(client: ZkClient, path: string): Promise<QuotaListing> {
  const limits = await existingQuota(client, path);
  if (limits === null) refuse(ErrorCode.NONODE, `quota for ${path} does not exist.`);
  let stats: QuotaValues | null = null;
  try {
    stats = QuotaValues.parse((await client.getData(`${quotaNode(path)}/${STATS}`)).data.toString("utf8"));
  } catch (err) {
    if (!ZkError.is(err, "NONODE")) throw err;
  }
  return { path, limits, stats };
}

export function formatQuotaListing(listing: QuotaListing): string {
  const lines = [`Output quota for ${listing.path} ${listing.limits.toString()}`];
  if (listing.stats !== null) lines.push(`Output stat for ${listing.path} ${listing.stats.toString()}`);
  return lines.join("\n");
}

/**
 * Removes one limit (sets it to -1), or with no field the whole quota: its two nodes, then the
 * quota path's nodes that are left empty, up to /zookeeper/quota.
 */
export async function deleteQuota(client: ZkClient, path: string, field: QuotaField | null): Promise<void> {
  const current = await existingQuota(client, path);
  if (current === null) refuse(ErrorCode.NONODE, `Quota does not exist for ${path}`);
  if (field !== null) {
    current.set(field, -1);
    await client.setData(`${quotaNode(path)}/${LIMITS}`, current.toString());
    return;
  }
  for (const leaf of [LIMITS, STATS]) {
    await client.delete(`${quotaNode(path)}/${leaf}`).catch((err: unknown) => {
      if (!ZkError.is(err, "NONODE")) throw err;
    });
  }
  let node = quotaNode(path);
  while (node !== QUOTA_ROOT && node.startsWith(`${QUOTA_ROOT}/`)) {
    try {
      await client.delete(node);
    } catch (err) {
      if (ZkError.is(err, "NOTEMPTY")) return;
      if (!ZkError.is(err, "NONODE")) throw err;
    }
    node = node.substring(0, node.lastIndexOf("/"));
  }
}
