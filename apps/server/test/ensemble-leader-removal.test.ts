import { setTimeout as sleep } from "node:timers/promises";
import { type ZkClient, ZkError, connect } from "@zkts/client";
import { type EnsembleMember, type RunningEnsemble, startReferenceEnsemble, startZktsEnsemble } from "@zkts/testkit";
import { afterAll, describe, expect, it } from "vitest";
import { SUPER_DIGEST, SUPER_PASSWORD } from "./conformance/scenarios.js";
import { reconfigRetrying } from "./reconfig/reconfig-retrying.js";

/**
 * A reconfig that removes the leader loses no session, on ZooKeeper 3.8 and on zkts alike.
 * Each round a client connected to the leader keeps creating znodes while the leader is removed
 * (it hands over to the successor it designates) and then added back. The client loses its
 * connection, reconnects through another member, and must find its session there: the members
 * that followed the old leader ask it about the session (REVALIDATE) in the moment between its
 * stepping down and closing their connections, and a "no" from it would tell the client its
 * session had expired. Several rounds, since that moment is short.
 */
const ROUNDS = 10;
const config = { reconfigEnabled: "true", "DigestAuthenticationProvider.superDigest": SUPER_DIGEST };

const ensembles: RunningEnsemble[] = [];
const clients: ZkClient[] = [];
afterAll(async () => {
  for (const c of clients) await c.close().catch(() => undefined);
  for (const e of ensembles) await e.cleanup();
});

/** A client that tries the leader first, then the others, in that order. */
async function connectThroughLeader(ensemble: RunningEnsemble, leader: EnsembleMember): Promise<ZkClient> {
  const others = ensemble.members.filter((m) => m !== leader && m.server.pid !== null);
  const hosts = [leader, ...others].map((m) => m.server.connectString).join(",");
  // A random source that never swaps keeps the hosts in the order given.
  const zk = await connect(hosts, { sessionTimeoutMs: 4_000, connectTimeoutMs: 2_000, random: () => 0.999 });
  clients.push(zk);
  return zk;
}

interface RoundOutcome {
  removed: number;
  createsAfterRemoval: number;
  sameSession: boolean;
  /** Every error code the writer saw, in order (CONNECTIONLOSS is expected; SESSIONEXPIRED is not). */
  errors: string[];
}

async function removeLeaderWhileWriting(ensemble: RunningEnsemble, admin: ZkClient, round: number): Promise<RoundOutcome> {
  const leader = await ensemble.waitForLeader();
  const zk = await connectThroughLeader(ensemble, leader);
  const session = zk.sessionId;
  const errors: string[] = [];
  let creates = 0;
  let writing = true;
  const writer = (async () => {
    while (writing) {
      try {
        await zk.create(`/round${round}-`, "x", { mode: "EPHEMERAL_SEQUENTIAL" });
        creates++;
      } catch (err) {
        if (!(err instanceof ZkError)) throw err;
        errors.push(err.codeName);
        if (err.codeName === "SESSIONEXPIRED") return;
        await sleep(20);
      }
    }
  })();
  try {
    while (creates < 5) await sleep(10);
    await reconfigRetrying(admin, { leaving: String(leader.id) });
    const before = creates;
    const deadline = Date.now() + 20_000;
    while (creates < before + 20 && Date.now() < deadline && !errors.includes("SESSIONEXPIRED")) await sleep(20);
    const outcome = { removed: leader.id, createsAfterRemoval: creates - before, sameSession: zk.sessionId === session, errors };
    // Back to three voters for the next round.
    await reconfigRetrying(admin, { joining: leader.serverLine });
    return outcome;
  } finally {
    writing = false;
    await writer;
    await zk.close();
  }
}

describe.each([
  ["reference", startReferenceEnsemble],
  ["zkts", startZktsEnsemble],
] as const)("removing the leader of a %s ensemble", (kind, start) => {
  it(`keeps the sessions of its clients, ${ROUNDS} rounds in a row`, async () => {
    const ensemble = await start({ voters: 3, config });
    ensembles.push(ensemble);
    await ensemble.waitForLeader();
    const admin = await connect(ensemble.connectString, { sessionTimeoutMs: 10_000, auth: [{ scheme: "digest", auth: `super:${SUPER_PASSWORD}` }] });
    clients.push(admin);
    for (let round = 0; round < ROUNDS; round++) {
      const outcome = await removeLeaderWhileWriting(ensemble, admin, round);
      console.log(`${kind} round ${round}: ${JSON.stringify(outcome)}`);
      expect(outcome.errors).not.toContain("SESSIONEXPIRED");
      expect(outcome.sameSession).toBe(true);
      expect(outcome.createsAfterRemoval).toBeGreaterThanOrEqual(20);
    }
  }, 180_000);
});
