import { type RunningServer, runKazoo, startReferenceZooKeeper, startZkts } from "@zkts/testkit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

/**
 * kazoo's CREATOR_ALL_ACL as its users write it: a digest-authenticated client creates a node
 * with ACL(31, Id("auth", "")), which kazoo puts on the wire with the empty id as a null
 * string. ZooKeeper 3.8 expands it to the creator's digest id; the same program runs against
 * the reference server and zkts, and the outputs must match line for line.
 */
let zkts: RunningServer;
let reference: RunningServer;

beforeAll(async () => {
  [zkts, reference] = await Promise.all([startZkts(), startReferenceZooKeeper()]);
}, 120_000);

afterAll(async () => {
  await Promise.all([zkts?.cleanup(), reference?.cleanup()]);
});

const SCRIPT = (hosts: string) => `
from kazoo.client import KazooClient
from kazoo.exceptions import InvalidACLError, NoAuthError
from kazoo.security import CREATOR_ALL_ACL, make_digest_acl_credential

def acls(client, path):
    found, stat = client.get_acls(path)
    return [(a.perms, a.id.scheme, a.id.id) for a in found], stat.aversion

creator = make_digest_acl_credential("alice", "secret")

zk = KazooClient(hosts="${hosts}", timeout=10.0)
zk.start(timeout=20)
zk.add_auth("digest", "alice:secret")
print("create", zk.create("/creator-acl", b"mine", acl=CREATOR_ALL_ACL))
found, aversion = acls(zk, "/creator-acl")
print("acl", found, aversion)
print("acl is the creator's digest id", found == [(31, "digest", creator)])
print("get", zk.get("/creator-acl")[0])
print("create2", zk.create("/creator-acl/kid", b"", acl=CREATOR_ALL_ACL, include_data=True)[0])
print("kid acl", acls(zk, "/creator-acl/kid"))
zk.set_acls("/creator-acl/kid", CREATOR_ALL_ACL)
print("kid acl after set_acls", acls(zk, "/creator-acl/kid"))
tx = zk.transaction()
tx.create("/creator-acl/in-multi", b"m", acl=CREATOR_ALL_ACL)
print("transaction", tx.commit())
print("multi acl", acls(zk, "/creator-acl/in-multi"))

stranger = KazooClient(hosts="${hosts}", timeout=10.0)
stranger.start(timeout=20)
try:
    stranger.get("/creator-acl")
    print("stranger read it")
except NoAuthError:
    print("stranger NoAuthError")
try:
    stranger.create("/creator-acl-stranger", b"", acl=CREATOR_ALL_ACL)
    print("stranger created it")
except InvalidACLError:
    print("stranger InvalidACLError")
stranger.add_auth("digest", "alice:secret")
print("same user reads", stranger.get("/creator-acl")[0])
stranger.stop()
stranger.close()

zk.delete("/creator-acl", recursive=True)
print("deleted", zk.exists("/creator-acl"))
zk.stop()
zk.close()
print("done")
`;

describe("kazoo CREATOR_ALL_ACL", () => {
  it("creates with the creator's digest id on zkts as on ZooKeeper 3.8", async () => {
    const [onZkts, onReference] = await Promise.all([
      runKazoo(SCRIPT(zkts.connectString), { timeoutMs: 60_000 }),
      runKazoo(SCRIPT(reference.connectString), { timeoutMs: 60_000 }),
    ]);
    expect(onReference.code, onReference.stderr).toBe(0);
    expect(onZkts.code, onZkts.stderr).toBe(0);
    expect(onReference.stdout).toContain("acl is the creator's digest id True");
    expect(onZkts.stdout).toContain("acl is the creator's digest id True");
    expect(onZkts.stdout).toContain("stranger NoAuthError\nstranger InvalidACLError");
    expect(onZkts.stdout).toContain("done");
    expect(onZkts.stdout).toBe(onReference.stdout);
  }, 90_000);
});
