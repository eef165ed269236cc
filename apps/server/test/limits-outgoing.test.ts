import { readFileSync } from "node:fs";
import { setTimeout as sleep } from "node:timers/promises";
import { ErrorCode, type JuteWriter, OpCode } from "@zkts/jute";
import { type RunningServer, startZkts } from "@zkts/testkit";
import { afterEach, describe, expect, it } from "vitest";
import { RawSession } from "./conformance/raw-session.js";
import { mntrValue, rssMiB } from "./fuzz/server-probe.js";
import { addRecursiveWatchFrame, closedWithin, connectRequestFrame, getDataFrame, openSocket } from "./limits/raw-client.js";

/**
 * A client that sends requests and never reads the replies (or its watch events) must not
 * make the server buffer for it without bound. ZooKeeper 3.8's NIO connection keeps reading
 * and queues replies without limit; zkts holds replies back past
 * zkts.clientOutgoingBytesSoft (and stops reading that connection), and closes a connection
 * whose unread watch events pass zkts.clientOutgoingBytesMax.
 */

const BIG_DATA_BYTES = 1_000_000;
const GREEDY_REQUESTS = 3000;
const RSS_GROWTH_MIB_MAX = 100;

function createBody(path: string, data: Buffer) {
  return (w: JuteWriter) => {
    w.writeUstring(path);
    w.writeBuffer(data);
    w.writeInt(1);
    w.writeInt(31);
    w.writeUstring("world");
    w.writeUstring("anyone");
    w.writeInt(0);
  };
}

function getDataBody(path: string) {
  return (w: JuteWriter) => {
    w.writeUstring(path);
    w.writeBool(false);
  };
}

describe("limits: bytes queued for a client that does not read", () => {
  let server: RunningServer | null = null;
  const sessions: RawSession[] = [];

  afterEach(async () => {
    for (const s of sessions.splice(0)) s.drop();
    await server?.cleanup();
    server = null;
  });

  it("holds back the replies of a client that never reads: RSS stays bounded, another session is served", async () => {
    server = await startZkts();
    const setup = await RawSession.connect(server.port);
    sessions.push(setup);
    expect((await setup.request(OpCode.create, createBody("/big", Buffer.alloc(BIG_DATA_BYTES, 0x61)))).err).toBe(0);
    const rssBeforeMiB = rssMiB(server.pid!);

    // Thousands of getData of a 1 MB znode: about 3 GB of replies if the server produced them all.
    const greedy = await openSocket(server.port);
    greedy.pause();
    greedy.write(connectRequestFrame());
    // Requests sent before the session exists are held, a bounded number of them; these come after.
    await sleep(300);
    const requests = [];
    for (let xid = 1; xid <= GREEDY_REQUESTS; xid++) requests.push(getDataFrame(xid, "/big"));
    greedy.write(Buffer.concat(requests));

    const other = await RawSession.connect(server.port);
    sessions.push(other);
    let rssMaxMiB = rssBeforeMiB;
    let slowestMs = 0;
    let served = 0;
    const until = Date.now() + 6000;
    while (Date.now() < until) {
      const startedAt = Date.now();
      const path = `/other-${served}`;
      expect((await other.request(OpCode.create, createBody(path, Buffer.from("x")))).err).toBe(0);
      expect((await other.request(OpCode.getData, getDataBody(path))).err).toBe(0);
      slowestMs = Math.max(slowestMs, Date.now() - startedAt);
      served++;
      rssMaxMiB = Math.max(rssMaxMiB, rssMiB(server.pid!));
      await sleep(20);
    }
    console.log(
      `greedy client: server RSS ${rssBeforeMiB} MiB before, at most ${rssMaxMiB} MiB during; ` +
        `the other session did ${served} create+getData, slowest ${slowestMs} ms`,
    );
    expect(rssMaxMiB - rssBeforeMiB).toBeLessThan(RSS_GROWTH_MIB_MAX);
    expect(served).toBeGreaterThan(20);
    expect(slowestMs).toBeLessThan(2000);

    // Nothing was lost: once the client reads, its replies come, in order.
    const xids: number[] = [];
    let handshakeReplySeen = false;
    let pending = Buffer.alloc(0);
    const firstReplies = new Promise<void>((resolve) => {
      greedy.on("data", (chunk: Buffer) => {
        pending = Buffer.concat([pending, chunk]);
        while (pending.length >= 4 && pending.length >= 4 + pending.readInt32BE(0)) {
          const length = pending.readInt32BE(0);
          if (handshakeReplySeen) xids.push(pending.readInt32BE(4));
          handshakeReplySeen = true;
          pending = pending.subarray(4 + length);
          if (xids.length === 20) resolve();
        }
      });
    });
    greedy.resume();
    await firstReplies;
    expect(xids.slice(0, 20)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
    greedy.destroy();
  });

  it("closes a watcher whose unread watch events pass zkts.clientOutgoingBytesMax; the writer goes on", async () => {
    server = await startZkts({
      config: { "zkts.clientOutgoingBytesSoft": String(256 * 1024), "zkts.clientOutgoingBytesMax": String(1024 * 1024) },
    });
    const writer = await RawSession.connect(server.port);
    sessions.push(writer);
    expect((await writer.request(OpCode.create, createBody("/w", Buffer.alloc(0)))).err).toBe(0);

    const watcher = await openSocket(server.port);
    watcher.pause();
    watcher.write(Buffer.concat([connectRequestFrame(), addRecursiveWatchFrame(1, "/w")]));
    await sleep(300);
    const connectionsBefore = await mntrValue(server.host, server.port, "zk_num_alive_connections");

    // Each create fires an event carrying its ~30 KB path; the kernel's socket buffers take a
    // few MB of them before anything queues in the server.
    const longName = "n".repeat(30_000);
    const batches = 40;
    let created = 0;
    let closedAfter: number | null = null;
    for (let batch = 0; batch < batches && closedAfter === null; batch++) {
      const replies = [];
      for (let i = 0; i < 25; i++) replies.push(writer.request(OpCode.create, createBody(`/w/${longName}${created + i}`, Buffer.alloc(0))));
      for (const reply of await Promise.all(replies)) expect(reply.err).toBe(ErrorCode.OK);
      created += replies.length;
      const alive = await mntrValue(server.host, server.port, "zk_num_alive_connections");
      if (alive < connectionsBefore) closedAfter = created;
    }
    console.log(`the non-reading watcher was closed after ${closedAfter} creates of ~30 KB paths`);
    expect(closedAfter).not.toBeNull();
    expect(readFileSync(server.logPath, "utf8")).toContain("the client does not read its watch events");
    expect(await closedWithin(watcher, 5000)).not.toBeNull();
    // The writer's session is untouched.
    expect((await writer.request(OpCode.getData, getDataBody("/w"))).err).toBe(0);
  });
});
