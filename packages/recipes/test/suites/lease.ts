import { CuttableProxy, runKazoo } from "@zkts/testkit";
import { beforeAll, describe, expect, it } from "vitest";
import { encodeLeaseRecord, formatLeaseTime, Lock, MultiNonBlockingLease, NonBlockingLease, parseLeaseTime } from "../../src/index.js";
import { eventually, killSession, open, uniquePath } from "../support.js";
import type { TargetServer } from "../targets.js";

const T0 = Date.UTC(2030, 0, 1, 0, 0, 0);
const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const at = (offsetMs: number) => () => T0 + offsetMs;

/** Cases that need no server. */
export function leaseFormatTests(): void {
  describe("lease record format", () => {
    it("stores whole UTC seconds and the bytes Python's json.dumps writes", async () => {
      expect(formatLeaseTime(T0 + 59_999)).toBe("2030-01-01T00:00:59");
      expect(parseLeaseTime("2030-01-01T01:00:00")).toBe(T0 + HOUR);
      expect(() => parseLeaseTime("2030-01-01 01:00")).toThrow(/YYYY-MM-DDTHH:MM:SS/);
      const holder = 'host "ä" \u{1F600} \u007f/\\';
      const result = await runKazoo(
        `import json, sys\nsys.stdout.write(json.dumps({"version": 1, "holder": ${JSON.stringify(holder)}, "end": "2030-01-01T01:00:00"}))\n`,
        { timeoutMs: 30_000 },
      );
      expect(result.stderr).toBe("");
      expect(encodeLeaseRecord({ version: 1, holder, end: "2030-01-01T01:00:00" }).toString()).toBe(result.stdout);
    });
  });
}

/** The non-blocking lease cases against one running server of each kind. */
export function leaseTests(getServer: () => TargetServer): void {
  describe("non-blocking lease", () => {
    let server: TargetServer;

    beforeAll(() => {
      server = getServer();
    });

    it("is refused to others until its end, renewed by its holder, and taken at the end", async () => {
      const path = uniquePath("lease");
      const client = await open(server.connectString);
      try {
        const lease = (identifier: string, offsetMs: number) => new NonBlockingLease(client, path, HOUR, { identifier, now: at(offsetMs) });
        expect(await lease("a", 0).obtain()).toBe(true);
        expect(await NonBlockingLease.holder(client, path)).toEqual({ version: 1, holder: "a", end: "2030-01-01T01:00:00" });
        expect(await lease("b", 30 * MINUTE).obtain()).toBe(false);
        // Renewing moves the end to now + duration.
        expect(await lease("a", 30 * MINUTE + 999).obtain()).toBe(true);
        expect((await NonBlockingLease.holder(client, path))?.end).toBe("2030-01-01T01:30:00");
        expect(await lease("b", 90 * MINUTE - 1).obtain()).toBe(false);
        expect(await lease("b", 90 * MINUTE).obtain()).toBe(true);
        expect((await NonBlockingLease.holder(client, path))?.holder).toBe("b");
        // Only the holder node and no lock node stay behind.
        expect(await client.getChildren(path)).toEqual(["lease_holder"]);
      } finally {
        await client.close();
      }
    });

    it("multi lease: the first free index of count is taken, then none", async () => {
      const path = uniquePath("multi-lease");
      const client = await open(server.connectString);
      try {
        const multi = (identifier: string) => new MultiNonBlockingLease(client, 2, path, HOUR, { identifier, now: at(0) });
        expect(await multi("a").obtainIndex()).toBe(0);
        expect(await multi("b").obtainIndex()).toBe(1);
        const third = multi("c");
        expect(await third.obtain()).toBe(false);
        expect(third.obtained).toBe(false);
        expect(await multi("b").obtainIndex()).toBe(1);
        expect((await client.getChildren(path)).sort()).toEqual(["0", "1"]);
      } finally {
        await client.close();
      }
    });

    it("survives its holder's session; a contender that dies inside the guard lock does not block others", async () => {
      const path = uniquePath("lease-session");
      const proxy = await CuttableProxy.start({ host: server.host, port: server.port });
      const doomed = await open(proxy.connectString);
      const other = await open(server.connectString);
      try {
        expect(await new NonBlockingLease(doomed, path, HOUR, { identifier: "doomed", now: at(0) }).obtain()).toBe(true);
        // The doomed client now takes the guard lock, as if it crashed between lock and write.
        const guard = new Lock(doomed, path, { identifier: "doomed" });
        expect(await guard.acquire()).toBe(true);
        proxy.block();
        await killSession(doomed, server.connectString);
        proxy.unblock();
        await eventually(() => doomed.connectionState === "lost", 10_000, "the session loss to reach the client");
        expect(await new NonBlockingLease(other, path, HOUR, { identifier: "other", now: at(HOUR - 1) }).obtain()).toBe(false);
        expect(await new NonBlockingLease(other, path, HOUR, { identifier: "other", now: at(HOUR) }).obtain()).toBe(true);
      } finally {
        await doomed.close();
        await other.close();
        await proxy.close();
      }
    });

    it("contends with kazoo's NonBlockingLease on the same nodes, both ways, and in a race", async () => {
      const path = uniquePath("lease-kazoo");
      const raceRoot = `${path}-race`;
      const races = 6;
      const client = await open(server.connectString);
      const script = `
import datetime, sys, time
from kazoo.client import KazooClient
zk = KazooClient(hosts="${server.connectString}", timeout=10)
zk.start(timeout=20)
T0 = datetime.datetime(2030, 1, 1)
def lease(ident, minutes, path="${path}"):
    return bool(zk.NonBlockingLease(path, datetime.timedelta(hours=1), identifier=ident, utcnow=lambda: T0 + datetime.timedelta(minutes=minutes)))
print("FIRST", lease("kazoo", 0))
zk.create("${path}-kazoo-first")
for _ in range(400):
    if zk.exists("${path}-zkts-done"):
        break
    time.sleep(0.05)
print("AFTER_ZKTS", lease("kazoo", 90))
print("AFTER_END", lease("kazoo", 120))
print("RAW", zk.get("${path}/lease_holder")[0].decode())
zk.create("${raceRoot}-go")
print("RACE", ",".join(str(lease("kazoo", 0, "${raceRoot}/%d" % i)) for i in range(${races})))
zk.stop()
`;
      try {
        const kazoo = runKazoo(script, { timeoutMs: 60_000 });
        let finished = false;
        void kazoo.then(() => (finished = true));
        await eventually(async () => finished || (await client.exists(`${path}-kazoo-first`)) !== null, 30_000, "kazoo's first lease");
        expect(finished).toBe(false);
        expect(await NonBlockingLease.holder(client, path)).toEqual({ version: 1, holder: "kazoo", end: "2030-01-01T01:00:00" });
        const mine = (minutes: number, at_ = path) => new NonBlockingLease(client, at_, HOUR, { identifier: "zkts", now: at(minutes * MINUTE) }).obtain();
        expect(await mine(30)).toBe(false);
        expect(await mine(60)).toBe(true);
        await client.create(`${path}-zkts-done`);

        await eventually(async () => finished || (await client.exists(`${raceRoot}-go`)) !== null, 30_000, "kazoo's race start");
        const ours: boolean[] = [];
        for (let i = 0; i < races; i++) ours.push(await mine(0, `${raceRoot}/${i}`));
        const result = await kazoo;
        expect(result.stderr).toBe("");
        expect(result.code).toBe(0);
        expect(result.stdout).toContain("FIRST True");
        expect(result.stdout).toContain("AFTER_ZKTS False");
        expect(result.stdout).toContain("AFTER_END True");
        // kazoo's own bytes for kazoo's record, and ours for ours, are written the same way.
        expect(result.stdout).toContain(`RAW ${encodeLeaseRecord({ version: 1, holder: "kazoo", end: "2030-01-01T03:00:00" }).toString()}`);
        const theirs = /RACE (\S+)/
          .exec(result.stdout)![1]!
          .split(",")
          .map((word) => word === "True");
        for (let i = 0; i < races; i++) {
          expect(ours[i] !== theirs[i], `race ${i}: exactly one winner (zkts ${ours[i]}, kazoo ${theirs[i]})`).toBe(true);
          expect((await NonBlockingLease.holder(client, `${raceRoot}/${i}`))?.holder).toBe(ours[i] ? "zkts" : "kazoo");
        }
      } finally {
        await client.close();
      }
    });
  });
}
