import { JUTE_MAX_BUFFER_DEFAULT } from "@zkts/jute";
import type { AdminTlsConfig, ClientTlsConfig, QuorumTlsConfig } from "./tls/tls-settings.js";
import type { UnsafeMode } from "./unsafe-modes.js";
import type { ClientSaslConfig, EnforceAuthConfig, QuorumSaslConfig } from "./sasl/sasl-settings.js";

/** A standalone server's settings, already validated (apps/server reads them from zoo.cfg). */
export interface ServerConfig {
  clientPortAddress: string;
  clientPort: number;
  /** False when zoo.cfg sets only secureClientPort: no plain client port is bound. */
  plainClientPort: boolean;
  /** secureClientPort, client.portUnification and the ssl.* keys; null without client TLS. */
  clientTls: ClientTlsConfig | null;
  /** sslQuorum, portUnification and the ssl.quorum.* keys; null without TLS between members. */
  quorumTls: QuorumTlsConfig | null;
  /**
   * The x509 authentication provider: loaded with client TLS (as ZooKeeper 3.8 does) or by an
   * authProvider.N naming it. A client certificate's subject DN becomes an `x509` id, and
   * `superUser` (X509AuthenticationProvider.superUser) is granted super.
   */
  x509Auth: { superUser: string | null } | null;
  /**
   * SASL DIGEST-MD5 for clients, from the JAAS Server section; null when there is none, and a
   * `sasl` request then authenticates nothing (an empty answer), as in ZooKeeper.
   */
  clientSasl: ClientSaslConfig | null;
  /** An authProvider.N names SASLAuthenticationProvider: `sasl` ACLs are valid and match SASL ids. */
  saslAuthProvider: boolean;
  /**
   * `zookeeper.letAnySaslUserDoX` (a system property in ZooKeeper): every SASL-authenticated
   * user matches a `sasl` ACL naming this id. Null when unset.
   */
  letAnySaslUserDoX: string | null;
  /** enforce.auth.* or sessionRequireClientSASLAuth: requests of sessions without one of the schemes are refused. */
  enforceAuth: EnforceAuthConfig | null;
  /** quorum.auth.*: DIGEST-MD5 between members; null when quorum.auth.enableSasl is off. */
  quorumSasl: QuorumSaslConfig | null;
  dataDir: string;
  dataLogDir: string;
  tickTime: number;
  minSessionTimeout: number;
  maxSessionTimeout: number;
  maxClientCnxns: number;
  juteMaxBuffer: number;
  /** Four-letter words that may run; "*" enables all. */
  fourLetterWords: ReadonlySet<string> | "*";
  adminEnabled: boolean;
  adminServerAddress: string;
  adminServerPort: number;
  /** admin.forceHttps / admin.portUnification: HTTPS for the AdminServer; null serves plain HTTP. */
  adminTls: AdminTlsConfig | null;
  extendedTypesEnabled: boolean;
  /** digest.enabled: keep ZooKeeper's tree digest, write it with txns and snapshots, check it. */
  digestEnabled: boolean;
  /** audit.enable: ZooKeeper's audit log of client writes and server start and stop. */
  auditEnabled: boolean;
  enforceQuota: boolean;
  reconfigEnabled: boolean;
  readOnlyModeEnabled: boolean;
  /**
   * zkts.linearizableReads: every read on an ensemble member waits for its leader to confirm
   * its leadership with a quorum (a session can ask for this alone with `addauth zkts
   * linearizable-reads`).
   */
  linearizableReads: boolean;
  skipAcl: boolean;
  superDigest: string | null;
  digestAlgorithm: string;
  /** Requests a connection may have in flight before the server stops reading from it. */
  maxOutstandingPerConnection: number;
  /**
   * zkts.clientOutgoingBytesSoft: reply bytes queued for a client past which its requests wait
   * (and nothing more is read from it) until it reads; ZooKeeper 3.8 queues without bound.
   */
  clientOutgoingBytesSoft: number;
  /** zkts.clientOutgoingBytesMax: queued bytes past which a watch event closes the connection. */
  clientOutgoingBytesMax: number;
  /**
   * zookeeper.nio.sessionlessCnxnTimeout (ms): a connection that has not delivered its
   * ConnectRequest this long after it was accepted is closed.
   */
  sessionlessCnxnTimeoutMs: number;
  /**
   * globalOutstandingLimit (zookeeper.globalOutstandingLimit): past this many requests in
   * flight across all connections, a connection with one of its own in flight is not read
   * until it is answered.
   */
  globalOutstandingLimit: number;
  containerCheckIntervalMs: number;
  containerMaxPerMinute: number;
  containerMaxNeverUsedIntervalMs: number;
  serverId: number;
  /** Keep the tree in memory only (tests and benchmarks); the default persists to dataDir. */
  inMemory: boolean;
  /** snapCount: a snapshot is due after about this many txns (randomised as in ZooKeeper). */
  snapCount: number;
  /** snapSizeLimitInKb, in bytes: a snapshot is also due after this much logged data. */
  snapSizeLimitBytes: number;
  /** preAllocSize (KiB in zoo.cfg), in bytes: log files grow in steps of this size. */
  preAllocSizeBytes: number;
  /** txnLogSizeLimitInKb, in bytes; 0 = no limit. */
  txnLogSizeLimitBytes: number;
  forceSync: boolean;
  fsyncWarningThresholdMs: number;
  snapRetainCount: number;
  purgeIntervalHours: number;
  /** Every key/value as read from zoo.cfg, for the `conf` and `envi` reports. */
  rawProperties: ReadonlyMap<string, string>;
  /** zkts.unsafe: a deliberately broken mode for the lab (unsafe-modes.ts); null, always, in production. */
  unsafe: UnsafeMode | null;
  /** zkts.progressIntervalMs: how often recovery and snapshot writing log their progress. */
  progressIntervalMs: number;
  /**
   * zkts.slowRequestThresholdMs: a request answered this long after it arrived is logged with
   * its op, path, session and time; 0 (the default) logs none.
   */
  slowRequestThresholdMs: number;
}

export function defaultServerConfig(overrides: Partial<ServerConfig> = {}): ServerConfig {
  const tickTime = overrides.tickTime ?? 2000;
  return {
    clientPortAddress: "127.0.0.1",
    clientPort: 2181,
    plainClientPort: true,
    clientTls: null,
    quorumTls: null,
    x509Auth: null,
    clientSasl: null,
    saslAuthProvider: false,
    letAnySaslUserDoX: null,
    enforceAuth: null,
    quorumSasl: null,
    dataDir: "./data",
    dataLogDir: overrides.dataDir ?? "./data",
    tickTime,
    minSessionTimeout: tickTime * 2,
    maxSessionTimeout: tickTime * 20,
    maxClientCnxns: 60,
    juteMaxBuffer: JUTE_MAX_BUFFER_DEFAULT,
    fourLetterWords: new Set(["srvr"]),
    adminEnabled: false,
    adminServerAddress: "127.0.0.1",
    adminServerPort: 8080,
    adminTls: null,
    extendedTypesEnabled: false,
    digestEnabled: true,
    auditEnabled: false,
    enforceQuota: false,
    reconfigEnabled: false,
    readOnlyModeEnabled: false,
    linearizableReads: false,
    skipAcl: false,
    superDigest: null,
    digestAlgorithm: "SHA1",
    maxOutstandingPerConnection: 1000,
    clientOutgoingBytesSoft: 1024 * 1024,
    clientOutgoingBytesMax: 16 * 1024 * 1024,
    sessionlessCnxnTimeoutMs: 10_000,
    globalOutstandingLimit: 1000,
    containerCheckIntervalMs: 60000,
    containerMaxPerMinute: 10000,
    containerMaxNeverUsedIntervalMs: 0,
    serverId: 0,
    inMemory: false,
    snapCount: 100000,
    snapSizeLimitBytes: 4 * 1024 * 1024 * 1024,
    preAllocSizeBytes: 64 * 1024 * 1024,
    txnLogSizeLimitBytes: 0,
    forceSync: true,
    fsyncWarningThresholdMs: 1000,
    snapRetainCount: 3,
    purgeIntervalHours: 0,
    rawProperties: new Map(),
    unsafe: null,
    progressIntervalMs: 5000,
    slowRequestThresholdMs: 0,
    ...overrides,
  };
}

export const ZKTS_VERSION = "0.2.0";
/** What `srvr` and friends report as the version; monitoring tools parse the 3.x prefix. */
export const VERSION_STRING = `3.8.0-zkts-${ZKTS_VERSION}, built on 1970-01-01 00:00 UTC`;
