import { type RunningEnsemble, type ServerKind, startMixedEnsemble } from "@zkts/testkit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { expectWritesThroughEveryMember } from "./mixed/writes-through-every-member.js";
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
    await expectWritesThroughEveryMember(ensemble, "tls");
    await ensemble.cleanup();
    ensemble = undefined;
  }, 180_000);
});
