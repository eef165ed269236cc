import { runKazoo, CuttableProxy } from "@zkts/testkit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { LeaderLatch, Party } from "../src/index.js";
import { eventually, killSession, open, uniquePath } from "./support.js";
import { startTarget, targets, type TargetServer } from "./targets.js";

describe.each(targets)("leader latch and party against %s", (kind) => {
  let server: TargetServer;

  beforeAll(async () => {
    server = await startTarget(kind);
  });
  afterAll(async () => {
    await server?.cleanup();
  });

  it("latch: the first participant leads; when it closes, the next one does; participants are listed in order", async () => {
    const path = uniquePath("latch");
    const clients = await Promise.all([0, 1, 2].map(() => open(server.connectString)));
    const events: string[] = [];
    const latches = clients.map(
      (c, i) =>
        new LeaderLatch(c, path, { identifier: `p${i}`, isLeader: () => events.push(`p${i} leads`), notLeader: (r) => events.push(`p${i} stops: ${r}`) }),
    );
    try {
      for (const latch of latches) await latch.start();
      expect(await latches[0]!.awaitLeadership({ timeoutMs: 10_000 })).toBe(true);
      expect(await LeaderLatch.participants(clients[0]!, path)).toEqual(["p0", "p1", "p2"]);
      expect(latches.map((l) => l.hasLeadership)).toEqual([true, false, false]);
      expect(await latches[1]!.awaitLeadership({ timeoutMs: 200 })).toBe(false);

      const term = latches[0]!.signal;
      await latches[0]!.close();
      expect(term.aborted).toBe(true);
      expect(await latches[1]!.awaitLeadership({ timeoutMs: 10_000 })).toBe(true);
      expect(latches[2]!.hasLeadership).toBe(false);
      expect(events).toEqual(["p0 leads", "p0 stops: closed", "p1 leads"]);
    } finally {
      for (const latch of latches) await latch.close();
      for (const c of clients) await c.close();
    }
  });

  it("latch: leadership ends at a suspension and comes back on reconnection; a lost session hands it over", async () => {
    const path = uniquePath("latch-states");
    const proxy = await CuttableProxy.start({ host: server.host, port: server.port });
    const leaderClient = await open(proxy.connectString);
    const backupClient = await open(server.connectString);
    const leader = new LeaderLatch(leaderClient, path);
    const backup = new LeaderLatch(backupClient, path);
    try {
      await leader.start();
      expect(await leader.awaitLeadership({ timeoutMs: 10_000 })).toBe(true);
      await backup.start();
      const firstTerm = leader.signal;

      proxy.block();
      await eventually(() => firstTerm.aborted, 10_000, "the leader's term to end on suspension");
      expect(leader.hasLeadership).toBe(false);
      expect(backup.hasLeadership).toBe(false);
      proxy.unblock();
      expect(await leader.awaitLeadership({ timeoutMs: 10_000 })).toBe(true);

      proxy.block();
      await killSession(leaderClient, server.connectString);
      expect(await backup.awaitLeadership({ timeoutMs: 10_000 })).toBe(true);
      proxy.unblock();
      await eventually(() => leaderClient.connectionState === "lost", 10_000, "the old leader to learn of the loss");
      expect(leader.hasLeadership).toBe(false);
      expect(await leader.awaitLeadership({ timeoutMs: 100 })).toBe(false);
    } finally {
      await leader.close();
      await backup.close();
      await leaderClient.close();
      await backupClient.close();
      await proxy.close();
    }
  });

  it("party: members join and leave, a watcher sees each change, and a dead session leaves by itself", async () => {
    const path = uniquePath("party");
    const watcher = await open(server.connectString);
    const a = await open(server.connectString);
    const b = await open(server.connectString);
    const controller = new AbortController();
    const seen: string[][] = [];
    const watching = (async () => {
      for await (const members of Party.watch(watcher, path, controller.signal)) seen.push([...members].sort());
    })();
    try {
      await eventually(() => seen.length >= 1, 10_000, "the first member list");
      expect(seen[0]).toEqual([]);
      const alpha = new Party(a, path, "alpha:8080");
      await alpha.join();
      {
        await using beta = new Party(b, path, "beta:8080");
        await beta.join();
        await eventually(() => JSON.stringify(seen.at(-1)) === JSON.stringify(["alpha:8080", "beta:8080"]), 10_000, "both members");
        expect((await alpha.members()).sort()).toEqual(["alpha:8080", "beta:8080"]);
      }
      await eventually(() => JSON.stringify(seen.at(-1)) === JSON.stringify(["alpha:8080"]), 10_000, "beta gone after its block");
      await a.close();
      await eventually(() => JSON.stringify(seen.at(-1)) === JSON.stringify([]), 10_000, "alpha gone with its session");
    } finally {
      controller.abort();
      await watching.catch(() => {});
      await watcher.close();
      await b.close();
    }
  });

  it("party: kazoo's Party and this one list each other", async () => {
    const path = uniquePath("party-kazoo");
    const client = await open(server.connectString);
    try {
      const mine = new Party(client, path, "zkts-member");
      await mine.join();
      const script = `
from kazoo.client import KazooClient
from kazoo.recipe.party import Party
zk = KazooClient(hosts="${server.connectString}")
zk.start(timeout=15)
party = Party(zk, "${path}", "kazoo-member")
party.join()
print("MEMBERS", sorted(list(party)))
zk.create("${path}-kazoo-joined")
import time
for _ in range(200):
    if zk.exists("${path}-zkts-seen"):
        break
    time.sleep(0.05)
party.leave()
zk.stop()
print("DONE")
`;
      const kazoo = runKazoo(script, { timeoutMs: 60_000 });
      await eventually(async () => (await client.exists(`${path}-kazoo-joined`)) !== null, 30_000, "kazoo joined");
      expect((await mine.members()).sort()).toEqual(["kazoo-member", "zkts-member"]);
      await client.create(`${path}-zkts-seen`);
      const result = await kazoo;
      expect(result.stdout).toContain("MEMBERS ['kazoo-member', 'zkts-member']");
      expect(result.stdout).toContain("DONE");
      expect(await mine.members()).toEqual(["zkts-member"]);
    } finally {
      await client.close();
    }
  });
});
