import { readFileSync } from "node:fs";
import { type RunningEnsemble, fourLetterWord, runKazoo, startZktsEnsemble } from "@zkts/testkit";
import { afterEach, describe, expect, it } from "vitest";
import { replayDigests } from "./digest/replay-digests.js";

/**
 * In an ensemble the leader's digest travels with each proposal (TxnDigest in the PROPOSAL's
 * txn, as ZooKeeper 3.8 sends it) and every member compares it with its own tree when it
 * commits: after writes through all members, including sessions that close with ephemerals,
 * each member's log carries the digests, they equal a recount, and no member counts a mismatch,
 * also for writes proposed by the leader elected after the first one stops. The writes include
 * multis (one failing), setACL, deletes and a failed setData, so every kind of txn the leader
 * applies as it built it is compared with what the followers decode.
 */
let ensemble: RunningEnsemble | null = null;
afterEach(async () => {
  await ensemble?.cleanup();
  ensemble = null;
});

describe("tree digest in an ensemble", () => {
  it("travels with proposals and matches on every member", async () => {
    ensemble = await startZktsEnsemble({ voters: 3, config: { snapCount: "30" } });
    await ensemble.waitForLeader();
    for (const member of ensemble.members) {
      const result = await runKazoo(`
from kazoo.client import KazooClient
zk = KazooClient(hosts="${member.server.connectString}", timeout=30)
zk.start(timeout=15)
zk.ensure_path("/m${member.id}")
for i in range(15):
    zk.create("/m${member.id}/n-", b"x" * i, sequence=True, ephemeral=(i % 3 == 0))
zk.set("/m${member.id}", b"done")
# The other txn kinds: a multi, one that fails (an error multi), setACL, delete, and a failed
# setData (an error txn). The leader applies what it built; every member compares digests.
from kazoo.security import make_digest_acl, OPEN_ACL_UNSAFE
from kazoo.exceptions import BadVersionError
t = zk.transaction()
t.create("/m${member.id}/multi", b"m" * 700)
t.set_data("/m${member.id}", b"in a multi")
t.check("/m${member.id}", 2)
t.create("/m${member.id}/gone", b"")
t.delete("/m${member.id}/gone")
print("multi", t.commit(), flush=True)
t = zk.transaction()
t.set_data("/m${member.id}/multi", b"never")
t.check("/m${member.id}", 99)
print("failed multi", t.commit(), flush=True)
zk.set_acls("/m${member.id}/multi", [make_digest_acl("u", "p", all=True)] + list(OPEN_ACL_UNSAFE))
try:
    zk.set("/m${member.id}/multi", b"stale", version=42)
except BadVersionError:
    print("bad version", flush=True)
zk.delete("/m${member.id}/multi")
zk.stop()
print("ok", flush=True)
`);
      expect(result.stdout, result.stderr).toContain("ok");
      expect(result.stdout).toContain("bad version");
    }
    // A new leader forecasts digests from its own tree: writes after a failover match too.
    const firstLeader = await ensemble.waitForLeader();
    await firstLeader.server.stop();
    const survivors = ensemble.members.filter((m) => m !== firstLeader);
    await ensemble.waitForLeader();
    const after = await runKazoo(`
from kazoo.client import KazooClient
zk = KazooClient(hosts="${survivors.map((m) => m.server.connectString).join(",")}", timeout=30)
zk.start(timeout=30)
for i in range(10):
    zk.create("/after-failover-", b"y", sequence=True)
zk.set("/m1", b"again")
zk.stop()
print("ok", flush=True)
`);
    expect(after.stdout, after.stderr).toContain("ok");
    for (const member of survivors) {
      const mntr = await fourLetterWord("127.0.0.1", member.server.port, "mntr");
      expect(/^zk_digest_mismatches_count\s+(\S+)$/m.exec(mntr)?.[1], `member ${member.id}`).toBe("0");
    }
    for (const member of survivors) await member.server.stop();
    for (const member of ensemble.members) {
      const figures = await replayDigests(member.server.dataDir);
      console.log(`member ${member.id}:`, figures);
      expect(figures.withDigest).toBeGreaterThan(20);
      expect(figures.matching).toBe(figures.withDigest);
      expect(figures.snapshotMismatches).toBe(0);
      expect(readFileSync(member.server.logPath, "utf8")).not.toMatch(/digests are not matching/);
    }
  }, 120_000);
});
