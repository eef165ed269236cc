export { createClient, connect, ZkClient, type ClientOptions, type AuthInfo, type WatchStream } from "./client.js";
export type { SessionEvent as ClientEvent, SessionEventName, SessionEventOf, SessionListener } from "./session-events.js";
export { ZkError, type ZkErrorDetails } from "./errors.js";
export { retry, exponentialBackoff, retryNTimes, noRetry, isRetryable, type RetryPolicy, type RetryOptions, type ExponentialBackoffOptions } from "./retry.js";
export { ConnectionStates, type ConnectionState, type ConnectionStateEvent } from "./connection-state.js";
export { Transaction, type OpResult, type MultiReadOp, type MultiReadResult } from "./transaction.js";
export { digestAcl, digestId } from "./digest.js";
export { saslOptionsFromJaas, type SaslOptions } from "./sasl.js";
export { parseConnectString, type HostPort, type ConnectString } from "./connect-string.js";
export { validatePath, parentOf, joinPath } from "./paths.js";
export { EventQueue } from "./event-queue.js";
export {
  ConnectionCore,
  type CoreConfig,
  type CoreHooks,
  type SaslExchange,
  type SessionEvent,
  type SessionState,
  type Completion,
} from "./core/connection-core.js";
export { WatchTable, type WatchKind, type RawWatchEvent, type RawWatcher } from "./core/watch-table.js";
export { ReconnectPolicy } from "./core/reconnect-policy.js";
export { setWatchesBatches, SET_WATCHES_BATCH_CHARS } from "./core/set-watches.js";
export * from "./types.js";
export { ErrorCode, Perms, Ids, CreateMode, EventType, KeeperState, statJson, type StatJson } from "@zkts/jute";
export { dataSnapshots, childrenSnapshots, type DataSnapshot } from "./watch-streams.js";
