import { readFileSync } from "node:fs";
import { connect } from "@zkts/client";
import { type RunningEnsemble, fourLetterWord, startZktsEnsemble } from "@zkts/testkit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { JaasFiles } from "./sasl/jaas-files.js";

/**
 * Quorum SASL (quorum.auth.enableSasl, learnerRequireSasl, serverRequireSasl) between three
 * zkts members, each with its own JAAS file (QuorumServer and QuorumLearner sections). A
 * member whose learner password is wrong is refused on the election port by the others,
 * which keep serving; given the right password again it rejoins and catches up.
 */
const jaas = new JaasFiles();
const jaasOf = (id: number) => `${jaas.dir}/member-${id}.conf`;
function writeMemberJaas(id: number, learnerPassword: string): void {
  jaas.write(`member-${id}.conf`, {
    QuorumServer: { user_zkquorum: "q-secret" },
    QuorumLearner: { username: "zkquorum", password: learnerPassword },
  });
}

let ensemble: RunningEnsemble;

beforeAll(async () => {
  for (const id of [1, 2, 3]) writeMemberJaas(id, "q-secret");
  ensemble = await startZktsEnsemble({
    config: {
      "quorum.auth.enableSasl": "true",
      "quorum.auth.learnerRequireSasl": "true",
      "quorum.auth.serverRequireSasl": "true",
    },
    memberConfig: (id) => ({ jaasLoginConfig: jaasOf(id) }),
    startTimeoutMs: 15_000,
  });
}, 120_000);

afterAll(async () => {
  await ensemble?.cleanup();
  jaas.cleanup();
});

async function serving(port: number): Promise<boolean> {
  try {
    return /^Mode: /m.test(await fourLetterWord("127.0.0.1", port, "srvr", 2000));
  } catch {
    return false;
  }
}

describe("quorum SASL between zkts members", () => {
  it("forms an ensemble of members that authenticate each other", async () => {
    await ensemble.waitForLeader(20_000);
    const client = await connect(ensemble.connectString, { sessionTimeoutMs: 6000 });
    try {
      await client.create("/quorum-sasl", Buffer.from("before"));
    } finally {
      await client.close();
    }
  });

  it("refuses a member with a wrong password while the others keep serving; it rejoins with the right one", async () => {
    const [one, two, three] = ensemble.members as [(typeof ensemble.members)[0], (typeof ensemble.members)[0], (typeof ensemble.members)[0]];
    writeMemberJaas(3, "wrong-password");
    // Member 3 never serves with the wrong password, so its restart gives up (after 15 s).
    const refused = three.server.restart().then(
      () => "served",
      () => "never served",
    );
    await new Promise((r) => setTimeout(r, 4000));
    expect(await serving(three.server.port)).toBe(false);
    expect((await Promise.all([serving(one.server.port), serving(two.server.port)])).every(Boolean)).toBe(true);
    const client = await connect(`${one.server.connectString},${two.server.connectString}`, { sessionTimeoutMs: 6000 });
    try {
      await client.setData("/quorum-sasl", Buffer.from("while-3-is-out"));
      expect((await client.getData("/quorum-sasl")).data.toString()).toBe("while-3-is-out");
    } finally {
      await client.close();
    }
    expect(await refused).toBe("never served");
    const refusals = [one, two].map((m) => readFileSync(m.server.logPath, "utf8")).join("");
    expect(refusals).toMatch(/refusing a member: quorum SASL authentication failed.*Mismatched response/);
    expect(readFileSync(three.server.logPath, "utf8")).toMatch(/quorum SASL authentication failed/);

    writeMemberJaas(3, "q-secret");
    await three.server.restart();
    await ensemble.waitForLeader(20_000);
    const onThree = await connect(three.server.connectString, { sessionTimeoutMs: 6000 });
    try {
      await onThree.sync("/quorum-sasl");
      expect((await onThree.getData("/quorum-sasl")).data.toString()).toBe("while-3-is-out");
    } finally {
      await onThree.close();
    }
  }, 90_000);
});
