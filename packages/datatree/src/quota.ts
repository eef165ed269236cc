/**
 * Quota bookkeeping as ZooKeeper stores it: /zookeeper/quota/<path>/zookeeper_limits holds the
 * limits and zookeeper_stats the running totals, both in StatsTrack's text form
 * ("count=4,bytes=5=;byteHardLimit=10;countHardLimit=10").
 */
export const QUOTA_ROOT = "/zookeeper/quota";
export const LIMIT_NODE = "zookeeper_limits";
export const STAT_NODE = "zookeeper_stats";

export function quotaLimitPath(path: string): string {
  return `${QUOTA_ROOT}${path}/${LIMIT_NODE}`;
}

export function quotaStatPath(path: string): string {
  return `${QUOTA_ROOT}${path}/${STAT_NODE}`;
}

/** The quota'd path a /zookeeper/quota/... parent stands for. */
export function trimQuotaPath(quotaParent: string): string {
  return quotaParent.substring(QUOTA_ROOT.length);
}

export class StatsTrack {
  readonly values = new Map<string, bigint>();

  static parse(data: Buffer | null): StatsTrack {
    const track = new StatsTrack();
    const text = data === null ? "" : data.toString("utf8");
    if (text.length === 0) return track;
    for (const pair of text.split(/[,;]+/)) {
      if (pair.length === 0) continue;
      const kv = pair.split("=");
      const value = kv[1];
      try {
        track.values.set(kv[0]!, value === undefined || value === "" ? -1n : BigInt(value));
      } catch {
        track.values.set(kv[0]!, -1n);
      }
    }
    return track;
  }

  get(key: string): bigint {
    return this.values.get(key) ?? -1n;
  }

  set(key: string, value: bigint): void {
    this.values.set(key, value);
  }

  get count(): bigint {
    return this.get("count");
  }
  get bytes(): bigint {
    return this.get("bytes");
  }
  get countHardLimit(): bigint {
    return this.get("countHardLimit");
  }
  get byteHardLimit(): bigint {
    return this.get("byteHardLimit");
  }

  toString(): string {
    let out = `count=${this.count},bytes=${this.bytes}`;
    const extra = [...this.values.keys()].filter((k) => k !== "count" && k !== "bytes").sort();
    if (extra.length > 0) {
      out += "=";
      for (const key of extra) out += `;${key}=${this.values.get(key)}`;
    }
    return out;
  }

  toBuffer(): Buffer {
    return Buffer.from(this.toString(), "utf8");
  }
}

/** The set of paths that carry a quota, answering "which quota root covers this path". */
export class QuotaPaths {
  private readonly roots = new Set<string>();

  add(path: string): void {
    this.roots.add(path);
  }

  delete(path: string): void {
    this.roots.delete(path);
  }

  get size(): number {
    return this.roots.size;
  }

  /** The longest quota root that is the path or one of its ancestors, or null. */
  coveringRoot(path: string): string | null {
    if (this.roots.size === 0) return null;
    let p = path;
    for (;;) {
      if (p !== "/" && this.roots.has(p)) return p;
      if (p === "/" || p.length === 0) return null;
      const slash = p.lastIndexOf("/");
      p = slash <= 0 ? "/" : p.substring(0, slash);
    }
  }
}
