import { readFileSync } from "node:fs";
import { setTimeout as sleep } from "node:timers/promises";
import { type ZkClient, connect } from "@zkts/client";
import { type RunningEnsemble, startZktsEnsemble } from "@zkts/testkit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

/**
 * Clients keep writing through every member while the leader is SIGKILLed and later
 * restarted from its data directory. Every write a client saw acknowledged must be on every
 * member at the end; writes that failed (connection loss) may or may not be there.
 */
let ensemble: RunningEnsemble;

beforeAll(async () => {
  // A low snapCount: members snapshot every few hundred txns while the load runs. With
  // tickTime 200 the default maxSessionTimeout (20 ticks) would clamp the burst's generous
  // session timeout to 4 s.
  ensemble = await startZktsEnsemble({ voters: 3, config: { snapCount: "400", maxSessionTimeout: "30000" } });
}, 90_000);

afterAll(async () => {
  await ensemble?.cleanup();
});

interface Ack {
  path: string;
  sentAtMs: number;
}

/** Writes batches of creates until `stopped()`, reconnecting (to any member) after a failure. */
async function writeUntil(writer: number, acks: Ack[], stopped: () => boolean): Promise<void> {
  let next = 0;
  while (!stopped()) {
    let zk: ZkClient | null = null;
    try {
      zk = await connect(ensemble.connectString, { sessionTimeoutMs: 4000, connectTimeoutMs: 1000 });
      while (!stopped()) {
        const sentAtMs = performance.now();
        const paths = Array.from({ length: 20 }, () => `/w${writer}-${next++}`);
        const results = await Promise.allSettled(paths.map((p) => zk!.create(p, "v")));
        for (const r of results) if (r.status === "fulfilled") acks.push({ path: r.value.path, sentAtMs });
        if (results.some((r) => r.status === "rejected")) break;
      }
    } catch {
      // No member would take a session yet: try again shortly.
    } finally {
      await zk?.close().catch(() => undefined);
    }
    await sleep(20);
  }
}

describe("a zkts ensemble under write load", () => {
  it("answers a burst of writes larger than the leader's window of proposals in flight", async () => {
    const leader = await ensemble.waitForLeader();
    const follower = ensemble.members.find((m) => m !== leader)!;
    // Each connection may have 1000 requests in flight; together they exceed the leader's bound.
    // A generous session timeout: the client gives up on an answer after two thirds of it, and a
    // loaded machine can hold a burst this size for seconds.
    const clients = await Promise.all(
      [follower, leader].map((m) => connect(m.server.connectString, { sessionTimeoutMs: 15_000, maxOutstandingRequests: 2000 })),
    );
    try {
      const startedAt = performance.now();
      const results = await Promise.allSettled(clients.flatMap((zk, c) => Array.from({ length: 1500 }, (_, i) => zk.create(`/burst-${c}-${i}`, "b"))));
      const failed = results.filter((r) => r.status === "rejected").map((r) => String((r as PromiseRejectedResult).reason));
      console.log(`ensemble: ${results.length} concurrent creates through a follower and the leader in ${(performance.now() - startedAt).toFixed(0)} ms`);
      expect(failed.slice(0, 3)).toEqual([]);
      await clients[0]!.sync("/");
      expect((await clients[0]!.getChildren("/")).filter((c) => c.startsWith("burst-")).length).toBe(3000);
    } finally {
      await Promise.all(clients.map((zk) => zk.close()));
    }
  });

  it("keeps every acknowledged write through a SIGKILL of the leader and its restart", async () => {
    const leader = await ensemble.waitForLeader();
    const acks: Ack[] = [];
    let stop = false;
    const writers = [0, 1, 2].map((w) => writeUntil(w, acks, () => stop));
    await sleep(1000);
    const ackedBeforeKill = acks.length;
    await leader.server.kill();
    const killedAtMs = performance.now();
    const deadline = killedAtMs + 30_000;
    while (!acks.some((a) => a.sentAtMs > killedAtMs) && performance.now() < deadline) await sleep(20);
    const firstAfterKill = acks.find((a) => a.sentAtMs > killedAtMs);
    console.log(
      `ensemble under load: ${ackedBeforeKill} writes acknowledged before the SIGKILL of leader ${leader.id}; ` +
        `first write sent after it acknowledged ${firstAfterKill === undefined ? "never" : `${(performance.now() - killedAtMs).toFixed(0)} ms`} after the kill`,
    );
    expect(firstAfterKill).toBeDefined();
    await sleep(500);
    const logBefore = readFileSync(leader.server.logPath, "utf8").length;
    await leader.server.restart();
    // It starts from a snapshot it took itself, not from an empty tree and the whole log.
    const recovered = /"recovered replica state","snapshotZxid":"(0x[0-9a-f]+)"/.exec(readFileSync(leader.server.logPath, "utf8").substring(logBefore));
    expect(recovered?.[1]).toMatch(/^0x[0-9a-f]+$/);
    expect(recovered?.[1]).not.toBe("0x0");
    await sleep(500);
    stop = true;
    await Promise.all(writers);
    console.log(`ensemble under load: ${acks.length} writes acknowledged in all`);

    await ensemble.waitForLeader();
    for (const member of ensemble.members) {
      const zk = await connect(member.server.connectString, { sessionTimeoutMs: 6000 });
      try {
        await zk.sync("/");
        const children = new Set(await zk.getChildren("/"));
        const missing = acks.filter((a) => !children.has(a.path.substring(1))).map((a) => a.path);
        expect({ member: member.id, missing: missing.slice(0, 10) }).toEqual({ member: member.id, missing: [] });
      } finally {
        await zk.close();
      }
    }
  });
});
