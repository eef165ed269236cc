import { readFileSync } from "node:fs";
import { type ZkClient, ZkError, connect } from "@zkts/client";
import { ErrorCode } from "@zkts/jute";
import { type RunningEnsemble, startZktsEnsemble } from "@zkts/testkit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

/**
 * A learner forwards a client's write to the leader as a REQUEST packet, and the leader reads
 * its record. When the leader cannot read it, ZooKeeper's PrepRequestProcessor makes an error
 * txn of MARSHALLINGERROR, which commits like any other, and the member holding the session
 * answers the client with that error; the session carries on. zkts does the same instead of
 * dropping the request, which left the client waiting for an answer that never came.
 *
 * A zkts learner answers records it cannot read itself, so the leader meets one only when it
 * reads less than the learner: here members 2 and 3 (one of which leads, as the higher ids win
 * the first election) run with a jute.maxbuffer of 4 KB and member 1, a follower, with the
 * default, so a 64 KB setData passes member 1 and is unreadable at the leader. (ZooKeeper
 * itself cannot be shown this way: its leader bounds the whole quorum packet by jute.maxbuffer
 * and would drop the learner instead.)
 */
const SMALL_MAX_BUFFER = 4096;

let ensemble: RunningEnsemble;
let zk: ZkClient;

beforeAll(async () => {
  ensemble = await startZktsEnsemble({
    voters: 3,
    memberConfig: (id) => (id === 1 ? {} : { "jute.maxbuffer": String(SMALL_MAX_BUFFER) }),
  });
}, 90_000);

afterAll(async () => {
  await zk?.close().catch(() => undefined);
  await ensemble?.cleanup();
});

/** The promise's outcome, or "no answer" when none comes within `ms`. */
async function outcomeWithin<T>(promise: Promise<T>, ms: number): Promise<{ value: T } | { error: unknown } | "no answer"> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<"no answer">((resolve) => {
    timer = setTimeout(() => resolve("no answer"), ms);
  });
  try {
    return await Promise.race([
      promise.then(
        (value) => ({ value }),
        (error: unknown) => ({ error }),
      ),
      timeout,
    ]);
  } finally {
    clearTimeout(timer);
  }
}

describe("a forwarded request the leader cannot read", () => {
  it("is answered MARSHALLINGERROR on the follower's session, which goes on working", async () => {
    const leader = await ensemble.waitForLeader(60_000);
    expect(leader.id).not.toBe(1);
    const follower = ensemble.members.find((m) => m.id === 1)!;
    zk = await connect(follower.server.connectString, { sessionTimeoutMs: 10_000 });
    await zk.create("/forwarded", "before");

    const outcome = await outcomeWithin(zk.setData("/forwarded", Buffer.alloc(16 * SMALL_MAX_BUFFER, 0x61)), 10_000);
    expect(outcome).not.toBe("no answer");
    expect(outcome).toHaveProperty("error");
    const error = (outcome as { error: unknown }).error;
    expect(error).toBeInstanceOf(ZkError);
    expect((error as ZkError).code).toBe(ErrorCode.MARSHALLINGERROR);

    // The error txn changed nothing, and the session still reads and writes.
    expect((await zk.getData("/forwarded")).data?.toString()).toBe("before");
    await zk.setData("/forwarded", "after");
    expect((await zk.getData("/forwarded")).data?.toString()).toBe("after");
    expect(readFileSync(leader.server.logPath, "utf8")).toContain("unreadable request forwarded by a learner");
  }, 60_000);
});
