import { ZkError, type ZkClient, createClient } from "@zkts/client";
import type { Cluster } from "../cluster/cluster.js";
import { withTimeout } from "../workloads/worker.js";
import { RECONFIG_SUPER_USER, type Membership, type MembershipChange, describeMembership, parseMembership } from "./membership.js";

/**
 * What became of an action whose effect the cluster decides (a reconfig): `ok` it took
 * effect, `failed` it certainly did not, `unknown` it may have (timeout, connection lost
 * with the request sent), as the history records client operations.
 */
export interface ActionOutcome {
  readonly result: "ok" | "failed" | "unknown";
  readonly detail: string;
}

/** How long a reconfig (or a look at the configuration) may take, session included. */
export const RECONFIG_TIMEOUT_MS = 5000;

/** The clusters the reconfig nemesis can act on: members named alike by every member. */
export function requireReconfigurable(cluster: Cluster): (member: number, role: "participant" | "observer") => string {
  if (cluster.serverSpec === undefined) {
    throw new Error(
      `the ${cluster.driver} driver does not support the reconfig nemesis yet: a reconfig hands every member the leader's server lines, ` +
        "which only named peers (the processes and containers drivers started for runs that reconfig) keep pointing at each member's own proxies",
    );
  }
  return (member, role) => cluster.serverSpec!(member, role);
}

/**
 * One incremental reconfig through @zkts/client as the super user, sent to the leader (or,
 * with none known, to any member, which forwards it). A session that cannot be opened, or a refusal
 * (RECONFIGINPROGRESS, NEWCONFIGNOQUORUM, BADVERSION for a change planned from a configuration
 * that has moved on, ...), is `failed`; a timeout or a lost connection
 * after the request went out is `unknown`.
 */
export async function reconfigure(cluster: Cluster, change: MembershipChange, timeoutMs = RECONFIG_TIMEOUT_MS): Promise<ActionOutcome> {
  const spec = requireReconfigurable(cluster);
  // Straight to the leader when one is known: through a follower the request rides a link the
  // nemesis may be holding, which turns outcomes that could be known into unknown ones.
  const leader = await cluster.leader();
  const connectString = leader === null ? cluster.connectString() : cluster.clientAddress(leader);
  const client = createClient(connectString, { sessionTimeoutMs: 4000, auth: [{ scheme: "digest", auth: RECONFIG_SUPER_USER }] });
  try {
    try {
      await withTimeout(client.ready(), timeoutMs, "connect");
    } catch (err) {
      return { result: "failed", detail: `no session: ${describe(err)}` };
    }
    const request = {
      ...(change.joining.length === 0 ? {} : { joining: change.joining.map((j) => spec(j.member, j.role)).join(",") }),
      ...(change.leaving.length === 0 ? {} : { leaving: change.leaving.join(",") }),
      ...(change.fromVersion === undefined ? {} : { fromConfig: BigInt(`0x${change.fromVersion}`) }),
    };
    try {
      const reply = await withTimeout(client.reconfig(request), timeoutMs, "reconfig");
      return { result: "ok", detail: describeMembership(parseMembership(reply.data.toString("utf8"))) };
    } catch (err) {
      const definite = err instanceof ZkError && !err.outcomeUnknown && err.codeName !== "CONNECTIONLOSS" && err.codeName !== "OPERATIONTIMEOUT";
      return { result: definite ? "failed" : "unknown", detail: describe(err) };
    }
  } finally {
    void client.close().catch(() => undefined);
  }
}

/** The configuration a member serves after a sync (so the member has caught up with its leader), or null when none answers in time. */
export async function readMembership(cluster: Cluster, timeoutMs = RECONFIG_TIMEOUT_MS, connectString = cluster.connectString()): Promise<Membership | null> {
  let client: ZkClient | null = null;
  try {
    client = createClient(connectString, { sessionTimeoutMs: 4000 });
    const config = await withTimeout(
      (async () => {
        await client.ready();
        await client.sync("/zookeeper/config");
        return (await client.getConfig()).data.toString("utf8");
      })(),
      timeoutMs,
      "read /zookeeper/config",
    );
    return parseMembership(config);
  } catch {
    return null;
  } finally {
    void client?.close().catch(() => undefined);
  }
}

function describe(err: unknown): string {
  if (err instanceof ZkError) return err.codeName;
  return err instanceof Error ? err.message : String(err);
}
