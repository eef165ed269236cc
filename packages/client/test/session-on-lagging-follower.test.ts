/**
 * A session made through one follower, resumed at once on another that has not applied its
 * createSession yet. ZooKeeper's learners ask the leader about every global session
 * (REVALIDATE) instead of answering from their own table, so the client keeps its session;
 * a zkts follower refused it as expired from its own table before asking.
 */
import { startTestCluster } from "@zkts/testing";
import { expect, it } from "vitest";
import { connect } from "../src/index.js";
import { uniquePath } from "./support.js";

it("a follower that has not applied a new session yet lets the leader vouch for it, and serves it", async () => {
  await using cluster = await startTestCluster({ members: 3 });
  const leader = await cluster.leader();
  const [maker, lagging] = cluster.members.filter((m) => m.id !== leader);
  // Nothing the leader sends reaches `lagging` (its connection stays up, under syncLimit).
  cluster.lag(lagging!.id);
  const first = await connect(maker!.connectString, { sessionTimeoutMs: 10_000 });
  const path = uniquePath("lagging");
  await first.create(path, "made before the other follower heard of the session", { mode: "EPHEMERAL" });
  const resuming = connect(lagging!.connectString, {
    sessionTimeoutMs: 10_000,
    session: { sessionId: first.sessionId, passwd: first.sessionPassword },
  });
  // The follower's question to the leader is answered behind what it has not received yet.
  await new Promise((resolve) => setTimeout(resolve, 300));
  cluster.catchUp(lagging!.id);
  const second = await resuming;
  try {
    expect(second.sessionId).toBe(first.sessionId);
    // The session's first requests on the follower are served, and its ephemeral is its own.
    const stat = await second.exists(path);
    expect(stat?.ephemeralOwner).toBe(first.sessionId);
  } finally {
    await second.close();
    await first.close().catch(() => undefined);
  }
}, 60_000);
