import type { EnsembleMember, RunningEnsemble, ServerKind } from "@zkts/testkit";

/**
 * The leader, once it is of `kind`: the election picks among equal histories by id, and
 * members do not all start at once, so a restart of a leader of the other kind moves the lead.
 */
export async function leaderOfKind(e: RunningEnsemble, kind: ServerKind): Promise<EnsembleMember> {
  for (let attempt = 0; attempt < 4; attempt++) {
    const leader = await e.waitForLeader(60_000);
    if (leader.server.kind === kind) return leader;
    await leader.server.restart();
  }
  throw new Error(`no ${kind} member came to lead`);
}
