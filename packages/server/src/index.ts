export * from "./config.js";
export * from "./unsafe-modes.js";
export * from "./logger.js";
export * from "./metrics.js";
export * from "./session-tracker.js";
export * from "./java-random.js";
export * from "./connection.js";
export * from "./txn-pipeline.js";
export * from "./read-requests.js";
export * from "./four-letter-words.js";
export * from "./zk-server.js";
export * from "./admin-server.js";
export * from "./persistence/durable-store.js";
export * from "./persistence/tree-snapshot.js";
export { purge, parseSnapshot, type LoadedSnapshot } from "@zkts/storage";
export * from "./quorum/election-wire.js";
export * from "./quorum/quorum-wire.js";
export { EnsembleServer, type EnsembleServerOptions } from "./quorum/ensemble-server.js";
export { runAdminCommand, startEnsembleAdminServer } from "./quorum/ensemble-admin-server.js";
export type { QuorumMember } from "@zkts/config";
// The replica's request pipeline and Ready handling without I/O, for the lab's simulated ensembles.
export { Replica, type ReplicaEvents, type ReplicaOptions, replicaStateFrom } from "./quorum/replica.js";
export type { QuorumPort } from "./quorum/quorum-port.js";
export { type RecoveredReplica, type ReplicaDiskEvents, type ReplicaDiskPlace, type ReplicaLog, persistReady, recoverReplica } from "./quorum/replica-disk.js";
export { PROPOSALS_OUTSTANDING_MAX } from "./quorum/core-timing.js";
export type { ForwardedRequest } from "./quorum/quorum-codec.js";
export { ReadyLoop, type ReadyLoopSteps, handleReady, type ReadyHandlers, type ReplicatedState } from "./quorum/ready-loop.js";
export type { ServerView, StandaloneView } from "./report-view.js";
export type { MemberView } from "./quorum/member-view.js";
export { configOfMembers, initConfigNode, membershipFromConfigText, membershipOfConfig, reconfigMembership } from "./quorum/membership-text.js";
export { readWrite } from "./write-requests.js";
export { AuditLog, type AuditEvent, formatAuditEvent, serverUser } from "./audit-log.js";
export { serializeTree, treeFromSnapshotBytes } from "./persistence/tree-snapshot.js";
export {
  type Entry,
  MajorityQuorumVerifier,
  type Membership,
  type Message,
  type PeerStatus,
  type PersistedState,
  type ProposeResult,
  type Ready,
  SeededRng,
  type SoftState,
  type TxnBuilder,
  ZabPeer,
  counterOf,
  epochOf,
  formatZxid,
} from "@zkts/zab";
export * from "./tls/tls-settings.js";
export { buildContext as buildTlsContext } from "./tls/tls-context.js";
export { TlsStoreError, storeTypeOf } from "./tls/stores.js";
export { subjectName as x509SubjectName } from "./tls/x509-identity.js";
export type { MetricFigure, MonitorValue } from "./metrics/figures.js";
export { SummaryFigure, CounterFigure, type SummaryDetail } from "./metrics/summary-figure.js";
export { PrometheusMetrics, type PrometheusSettings, startPrometheusEndpoint } from "./metrics/prometheus-endpoint.js";
export { memberFigures } from "./quorum/member-monitor.js";
