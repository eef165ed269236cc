import { readFileSync } from "node:fs";
import { type RunningEnsemble, type ServerKind, startMixedEnsemble } from "@zkts/testkit";
import { afterAll, describe, expect, it } from "vitest";
import { expectWritesThroughEveryMember } from "./mixed/writes-through-every-member.js";
import { JaasFiles } from "./sasl/jaas-files.js";

/**
 * Quorum SASL (DIGEST-MD5, quorum.auth.* required both ways) between Apache ZooKeeper 3.8 and
 * zkts members of one ensemble: each authenticates the other as learner and as server, on the
 * election and the quorum ports, under either kind of leader.
 */
const jaas = new JaasFiles();
const jaasFile = jaas.write("quorum.conf", {
  QuorumServer: { user_zkquorum: "q-secret" },
  QuorumLearner: { username: "zkquorum", password: "q-secret" },
});
const config = {
  "quorum.auth.enableSasl": "true",
  "quorum.auth.learnerRequireSasl": "true",
  "quorum.auth.serverRequireSasl": "true",
};

let ensemble: RunningEnsemble | undefined;
afterAll(async () => {
  await ensemble?.cleanup();
  jaas.cleanup();
});

describe.each([
  { leads: "reference", kinds: ["zkts", "reference", "reference"] },
  { leads: "zkts", kinds: ["reference", "zkts", "zkts"] },
] as const)("quorum SASL in a mixed ensemble with a $leads leader", ({ leads, kinds }) => {
  it("forms, and every member serves the writes made through the others", async () => {
    ensemble = await startMixedEnsemble(kinds as readonly ServerKind[], {
      config,
      memberConfig: () => ({ jaasLoginConfig: jaasFile }),
      memberSystemProperties: () => ({ "java.security.auth.login.config": jaasFile }),
      startTimeoutMs: 60_000,
    });
    const leader = await ensemble.waitForLeader(60_000);
    expect(leader.server.kind).toBe(leads);
    await expectWritesThroughEveryMember(ensemble, "sasl");
    for (const m of ensemble.members) {
      expect(readFileSync(m.server.logPath, "utf8")).not.toMatch(/SASL authentication failed|Failed to authenticate/);
    }
    await ensemble.cleanup();
    ensemble = undefined;
  }, 180_000);
});
