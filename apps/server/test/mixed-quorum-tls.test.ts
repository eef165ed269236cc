import { type RunningEnsemble, type ServerKind, runKazoo, startMixedEnsemble } from "@zkts/testkit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type CertificateAuthority, type Identity, Pki, storeKeys } from "./tls/pki.js";

/**
 * TLS between Apache ZooKeeper 3.8 and zkts members of one ensemble (sslQuorum with
 * ssl.quorum.* PKCS#12 stores from one CA): the election and quorum channels of a mixed
 * ensemble under either kind of leader, serving writes made through every member.
 */
const pki = new Pki();
let ca: CertificateAuthority;
const identities = new Map<number, Identity>();
beforeAll(() => {
  ca = pki.authority("Ensemble CA");
  for (const id of [1, 2, 3]) identities.set(id, pki.identity(ca, `member${id}`, `/O=zkts/CN=member${id}`));
});

let ensemble: RunningEnsemble | undefined;
afterAll(async () => {
  await ensemble?.cleanup();
  pki.cleanup();
});

describe.each([
  { leads: "reference", kinds: ["zkts", "reference", "reference"] },
  { leads: "zkts", kinds: ["reference", "zkts", "zkts"] },
] as const)("quorum TLS in a mixed ensemble with a $leads leader", ({ leads, kinds }) => {
  it("forms, and every member serves the writes made through the others", async () => {
    ensemble = await startMixedEnsemble(kinds as readonly ServerKind[], {
      config: { sslQuorum: "true" },
      memberConfig: (id) => storeKeys("ssl.quorum", identities.get(id)!.keyStoreP12, ca.trustStoreP12),
      startTimeoutMs: 60_000,
    });
    const leader = await ensemble.waitForLeader(60_000);
    expect(leader.server.kind).toBe(leads);
    const hosts = ensemble.members.map((m) => m.server.connectString);
    const result = await runKazoo(`
from kazoo.client import KazooClient
hosts = ${JSON.stringify(hosts)}
for i, h in enumerate(hosts):
    zk = KazooClient(hosts=h, timeout=10)
    zk.start(timeout=30)
    zk.create("/tls-%d" % i, b"x")
    zk.stop()
for h in hosts:
    zk = KazooClient(hosts=h, timeout=10)
    zk.start(timeout=30)
    zk.sync("/")
    print(sorted(c for c in zk.get_children("/") if c.startswith("tls-")), flush=True)
    zk.stop()
print("done", flush=True)
`);
    expect(result.stdout, result.stderr.slice(-2000)).toContain("done");
    expect(result.stdout.split("\n").filter((l) => l.startsWith("["))).toEqual(Array(3).fill("['tls-0', 'tls-1', 'tls-2']"));
    await ensemble.cleanup();
    ensemble = undefined;
  }, 180_000);
});
