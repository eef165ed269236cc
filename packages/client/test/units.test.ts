import { describe, expect, it } from "vitest";
import { parseConnectString, shuffled } from "../src/connect-string.js";
import { EventQueue } from "../src/event-queue.js";
import { Chroot, validatePath } from "../src/paths.js";
import { ReconnectPolicy } from "../src/core/reconnect-policy.js";
import { digestId } from "../src/digest.js";

describe("connect strings", () => {
  it("parses hosts, default ports, IPv6 and a chroot", () => {
    expect(parseConnectString("a:1,b,[::1]:3/app/x")).toEqual({
      hosts: [
        { host: "a", port: 1 },
        { host: "b", port: 2181 },
        { host: "::1", port: 3 },
      ],
      chroot: "/app/x",
    });
    expect(parseConnectString("h:1/").chroot).toBe("");
    expect(() => parseConnectString("h:99999")).toThrow(/bad port/);
    expect(() => parseConnectString("/only")).toThrow(/no host/);
    expect(() => parseConnectString("h/bad/")).toThrow();
  });

  it("shuffles with the given random source and keeps every host", () => {
    const hosts = ["a", "b", "c", "d"];
    expect(shuffled(hosts, () => 0).sort()).toEqual(hosts);
    expect(shuffled(hosts, () => 0.999)).toEqual(hosts);
    expect(shuffled(hosts, () => 0)).toEqual(["b", "c", "d", "a"]);
  });
});

describe("paths", () => {
  it("applies ZooKeeper's path rules", () => {
    for (const good of ["/", "/a", "/a/b-c.d", "/zookeeper/config"]) expect(() => validatePath(good)).not.toThrow();
    for (const bad of ["", "a", "/a/", "//a", "/a//b", "/./a", "/a/..", "/a\u0000b", "/a\u0001", "/\ud800x"]) {
      expect(() => validatePath(bad), JSON.stringify(bad)).toThrow();
    }
    expect(() => validatePath("/q/", true)).not.toThrow();
  });

  it("maps paths into and out of a chroot", () => {
    const chroot = new Chroot("/app");
    expect(chroot.toServer("/")).toBe("/app");
    expect(chroot.toServer("/x")).toBe("/app/x");
    expect(chroot.toClient("/app")).toBe("/");
    expect(chroot.toClient("/app/x/y")).toBe("/x/y");
    expect(chroot.toClient("/apple")).toBe("/apple");
    expect(new Chroot("").toServer("/x")).toBe("/x");
  });
});

describe("reconnect policy", () => {
  it("tries each host at once, then backs off exponentially with jitter up to the cap", () => {
    const policy = new ReconnectPolicy({ hostCount: 3, delayMsMin: 100, delayMsMax: 1000, random: () => 1 });
    const delays = Array.from({ length: 15 }, () => policy.nextDelayMs());
    expect(delays).toEqual([0, 0, 100, 0, 0, 200, 0, 0, 400, 0, 0, 800, 0, 0, 1000]);
    policy.reset();
    expect(policy.nextDelayMs()).toBe(0);
  });
});

describe("event queue", () => {
  it("delivers in order, ends, and fails instead of growing past its capacity", async () => {
    const queue = new EventQueue<number>(2);
    queue.push(1);
    queue.push(2);
    expect(await queue.next()).toEqual({ value: 1, done: false });
    queue.push(3);
    queue.push(4);
    expect(await queue.next()).toEqual({ value: 2, done: false });
    expect(await queue.next()).toEqual({ value: 3, done: false });
    await expect(queue.next()).rejects.toThrow(/overflow/);
    const ended = new EventQueue<number>(5);
    const pending = ended.next();
    ended.end();
    expect(await pending).toEqual({ value: undefined, done: true });
  });
});

describe("digest ids", () => {
  it("match ZooKeeper's DigestAuthenticationProvider for a known pair", () => {
    // Value as produced by ZooKeeper's generateDigest("super:test").
    expect(digestId("super", "test")).toBe("super:D/InIHSb7yEEbrWz8b9l71RjZJU=");
  });
});
