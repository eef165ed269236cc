import { VERSION_STRING } from "../config.js";
import { type MetricFigure, type MonitorValue, counter, gauge, info, monitorEntries, summary } from "../metrics/figures.js";
import { servingFigures } from "../metrics/server-figures.js";
import type { MemberView } from "./member-view.js";
import { peerStateOf, serverModeOf } from "./member-reports.js";

export { monitorJson, monitorText } from "../metrics/figures.js";

/** One mntr value; averages are doubles in ZooKeeper and print as such ("0.0"). */
export type Figure = MonitorValue;

/**
 * What an ensemble member reports in mntr, the AdminServer's monitor and the Prometheus
 * endpoint, under ZooKeeper 3.8's names: the figures of every server, the quorum's, and on the
 * leader the figures ZooKeeper's LeaderZooKeeperServer registers. Only figures zkts actually
 * keeps are listed; apps/server/README.md names the 3.8 figures left out and why.
 */
export function memberFigures(server: MemberView): MetricFigure[] {
  const status = server.driver.peer.status();
  const stats = server.driver.stats;
  const figures: MetricFigure[] = [info("version", VERSION_STRING), info("server_state", serverModeOf(server))];
  // ZooKeeper's read-only server is no quorum server: it reports neither.
  if (!server.servingReadOnly) figures.push(info("peer_state", peerStateOf(status)));
  // Observers learn from the leader itself (zkts has no observer masters).
  if (status.role === "OBSERVING" && status.leader !== null) figures.push(info("observer_master_id", status.leader));
  figures.push(
    ...servingFigures({
      metrics: server.metrics,
      tree: server.tree,
      aliveConnections: server.connections.size,
      outstandingRequests: server.outstanding,
      globalSessions: server.sessions.size,
      // Sessions made through the leader are global; only the read-only server's are local.
      localSessions: server.readOnlySessionCount,
      nowMs: Date.now(),
    }),
  );
  if (!server.servingReadOnly) figures.push(gauge("quorum_size", server.ensemble.members.filter((member) => member.role === "participant").length));
  figures.push(
    counter(stats.proposals),
    counter(stats.lookings),
    counter(stats.diffSyncs),
    counter(stats.snapSyncs),
    counter(stats.learnerProposalsReceived),
    counter(stats.learnerCommitsReceived),
    summary(stats.electionTime),
  );
  if (status.role === "LEADING") {
    figures.push(
      gauge("learners", status.learners),
      gauge("synced_followers", status.syncedFollowers),
      gauge("synced_non_voting_followers", status.syncedNonVotingFollowers),
      gauge("synced_observers", status.syncedObservers),
      gauge("pending_syncs", status.pendingSyncs),
      gauge("leader_uptime", stats.leaderUptimeMs),
      gauge("last_proposal_size", stats.proposalSizes.last),
      gauge("min_proposal_size", stats.proposalSizes.min),
      gauge("max_proposal_size", stats.proposalSizes.max),
    );
  }
  return figures;
}

/** The member's mntr entries (names without `zk_`), as ZooKeeper's default provider lists them. */
export function memberMonitorFigures(server: MemberView): Map<string, Figure> {
  return monitorEntries(memberFigures(server));
}
