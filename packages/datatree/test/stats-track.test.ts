import { describe, expect, it } from "vitest";
import { QuotaPaths, StatsTrack, quotaLimitPath, quotaStatPath, trimQuotaPath } from "../src/index.js";

describe("StatsTrack", () => {
  it("parses the legacy two-field form", () => {
    const s = StatsTrack.parse(Buffer.from("count=4,bytes=5"));
    expect(s.count).toBe(4n);
    expect(s.bytes).toBe(5n);
    expect(s.countHardLimit).toBe(-1n);
    expect(s.byteHardLimit).toBe(-1n);
  });

  it("parses the hard-limit form with its trailing '=' after bytes", () => {
    const s = StatsTrack.parse(Buffer.from("count=-1,bytes=-1=;byteHardLimit=10;countHardLimit=3"));
    expect(s.count).toBe(-1n);
    expect(s.bytes).toBe(-1n);
    expect(s.byteHardLimit).toBe(10n);
    expect(s.countHardLimit).toBe(3n);
  });

  it("reads missing or empty values as -1 and empty data as no values", () => {
    expect(StatsTrack.parse(Buffer.from("count=,bytes=7")).count).toBe(-1n);
    expect(StatsTrack.parse(null).values.size).toBe(0);
    expect(StatsTrack.parse(Buffer.alloc(0)).count).toBe(-1n);
  });

  it("formats count and bytes first, then '=' and the other keys sorted, as ZooKeeper writes them", () => {
    const s = new StatsTrack();
    s.set("countHardLimit", 10n);
    s.set("bytes", 5n);
    s.set("byteHardLimit", 10n);
    s.set("count", 4n);
    expect(s.toString()).toBe("count=4,bytes=5=;byteHardLimit=10;countHardLimit=10");
    const plain = new StatsTrack();
    plain.set("count", 1n);
    plain.set("bytes", 0n);
    expect(plain.toString()).toBe("count=1,bytes=0");
    expect(new StatsTrack().toString()).toBe("count=-1,bytes=-1");
  });

  it("round-trips through its text form", () => {
    for (const text of ["count=4,bytes=5", "count=-1,bytes=100=;byteHardLimit=100;countHardLimit=-1"]) {
      expect(StatsTrack.parse(StatsTrack.parse(Buffer.from(text)).toBuffer()).toString()).toBe(text);
    }
  });
});

describe("quota paths", () => {
  it("names the limit and stat nodes under /zookeeper/quota", () => {
    expect(quotaLimitPath("/a/b")).toBe("/zookeeper/quota/a/b/zookeeper_limits");
    expect(quotaStatPath("/a/b")).toBe("/zookeeper/quota/a/b/zookeeper_stats");
    expect(trimQuotaPath("/zookeeper/quota/a/b")).toBe("/a/b");
  });

  it("QuotaPaths finds the deepest quota root covering a path, by whole segments", () => {
    const q = new QuotaPaths();
    expect(q.coveringRoot("/a")).toBeNull();
    q.add("/a");
    q.add("/a/b/c");
    expect(q.coveringRoot("/a")).toBe("/a");
    expect(q.coveringRoot("/a/b")).toBe("/a");
    expect(q.coveringRoot("/a/b/c/d")).toBe("/a/b/c");
    expect(q.coveringRoot("/ab")).toBeNull();
    expect(q.coveringRoot("/")).toBeNull();
    q.delete("/a/b/c");
    expect(q.coveringRoot("/a/b/c/d")).toBe("/a");
    expect(q.size).toBe(1);
  });
});
