import { isAbsolute, resolve } from "node:path";
import {
  type LogLevel,
  type PrometheusSettings,
  type ServerConfig,
  type UnsafeMode,
  LOG_LEVELS,
  UNSAFE_MODES,
  defaultServerConfig,
  isLogLevel,
  isUnsafeMode,
} from "@zkts/server";

import { ConfigError } from "./config-error.js";
import { booleanValue } from "./config-values.js";
import { refuseUnservedSecurityKeys } from "./security-keys.js";
import { TLS_KEYS, X509_PROVIDER_CLASS, adminTlsFrom, checkTlsStores, clientTlsFrom, quorumTlsFrom, x509AuthFrom } from "./tls-cfg.js";
import { SASL_KEYS, SASL_PROVIDER_CLASS, isSuperUserKey, saslFrom } from "./sasl-cfg.js";
import { withZooKeeperProperties } from "./jvm-flags.js";
import { metricsProviderFrom } from "./metrics-cfg.js";
import { ZOO_CFG_INTEGER_KEYS, readZooCfgIntegers } from "./zoo-cfg-integers.js";

export { ConfigError };

/**
 * Keys that only make sense inside a JVM or for features zkts does not have yet and whose
 * absence endangers nothing (security keys are refused instead: security-keys.ts).
 */
const IGNORED_KEYS = [
  /^serverCnxnFactory$/,
  /^jvm/i,
  /^clientCnxnSocket$/,
  /^client\.secure$/,
  /^electionAlg$/,
  /^syncEnabled$/,
  /^localSessions/,
  /^admin\.(commandURL|idleTimeout)$/,
  /^snapshot\./,
  /^zookeeper\.(snapshot|digest)\./,
];

function strip(key: string): string {
  return key.startsWith("zookeeper.") ? key.substring("zookeeper.".length) : key;
}

export interface ParsedConfig {
  config: ServerConfig;
  ignoredKeys: string[];
  /** zkts.logLevel, when set (the environment's ZKTS_LOG_LEVEL overrides it). */
  logLevel: LogLevel | null;
  /** metricsProvider.* naming the Prometheus provider: where to serve /metrics (metrics-cfg.ts). */
  prometheus: PrometheusSettings | null;
}

/**
 * Turns zoo.cfg properties into a validated ServerConfig. Any key K is also accepted as
 * `zookeeper.K`, because ZooKeeper turns unknown zoo.cfg keys into `zookeeper.K` system
 * properties; settings that are system properties in ZooKeeper (jute.maxbuffer,
 * extendedTypesEnabled, ...) are therefore read from zoo.cfg too.
 */
export function configFromProperties(
  cfgProps: ReadonlyMap<string, string>,
  baseDir: string,
  /** The JVM system properties of SERVER_JVMFLAGS (jvm-flags.ts): a JAAS file, `zookeeper.*` settings. */
  systemProperties: ReadonlyMap<string, string> = new Map(),
): ParsedConfig {
  const props = withZooKeeperProperties(cfgProps, systemProperties, strip);
  const get = (key: string): string | undefined => {
    for (const [k, v] of props) if (strip(k) === key) return v;
    return undefined;
  };
  const required = (key: string): string => {
    const v = get(key);
    if (v === undefined || v.trim() === "") throw new ConfigError(`${key} is required in the config file`);
    return v;
  };
  refuseUnservedSecurityKeys(props, strip);
  const metricsProvider = metricsProviderFrom(props, strip);
  required("tickTime");
  const dataDir = absolute(required("dataDir"), baseDir);
  const port = get("clientPort");
  const clientTls = clientTlsFrom(get, baseDir);
  // A member of an ensemble may take its client address from its own server line alone (a
  // reconfig moves it there); any server.N line counts, not only server.1, which a reconfig may
  // have removed.
  const namesServers = [...props.keys()].some((key) => /^server\.\d+$/.test(strip(key)));
  if (port === undefined && !namesServers && clientTls?.secureClientPort == null) {
    throw new ConfigError("clientPort is required in the config file");
  }
  const bool = (key: string, fallback: boolean) => booleanValue(key, get(key), fallback);
  const n = readZooCfgIntegers(get);
  const tickTime = n.tickTime;
  const typed = {
    tickTime,
    dataDir,
    dataLogDir: absolute(get("dataLogDir") ?? dataDir, baseDir),
    clientPort: n.clientPort,
    clientPortAddress: get("clientPortAddress") ?? "0.0.0.0",
    // Kept as written (conf shows it so); the server reads 0 or less as no limit, as ZooKeeper does.
    maxClientCnxns: n.maxClientCnxns,
    minSessionTimeout: n.minSessionTimeout === -1 ? tickTime * 2 : n.minSessionTimeout,
    maxSessionTimeout: n.maxSessionTimeout === -1 ? tickTime * 20 : n.maxSessionTimeout,
    juteMaxBuffer: n["jute.maxbuffer"],
    adminServerPort: n["admin.serverPort"],
    adminServerAddress: get("admin.serverAddress") ?? "0.0.0.0",
    maxOutstandingPerConnection: n.maxOutstandingPerConnection,
    clientOutgoingBytesSoft: n["zkts.clientOutgoingBytesSoft"],
    clientOutgoingBytesMax: n["zkts.clientOutgoingBytesMax"],
    // A system property in ZooKeeper, reached from zoo.cfg as zookeeper.nio.sessionlessCnxnTimeout.
    sessionlessCnxnTimeoutMs: n["nio.sessionlessCnxnTimeout"],
    globalOutstandingLimit: n.globalOutstandingLimit,
    containerCheckIntervalMs: n["znode.container.checkIntervalMs"],
    containerMaxPerMinute: n["znode.container.maxPerMinute"],
    containerMaxNeverUsedIntervalMs: n["znode.container.maxNeverUsedIntervalMs"],
    // ZooKeeper resets a snapCount below 2 to 2 (ZooKeeperServer.getSnapCount).
    snapCount: Math.max(2, n.snapCount),
    // 0 or less turns the size trigger off in ZooKeeper; 0 says so to the snapshot trigger.
    snapSizeLimitBytes: Math.max(0, n.snapSizeLimitInKb) * 1024,
    // 0 or less: ZooKeeper pads no log file.
    preAllocSizeBytes: Math.max(0, n.preAllocSize) * 1024,
    txnLogSizeLimitBytes: Math.max(0, n.txnLogSizeLimitInKb) * 1024,
    fsyncWarningThresholdMs: n["fsync.warningthresholdms"],
    // ZooKeeper raises a retain count below 3 to 3.
    snapRetainCount: Math.max(3, n["autopurge.snapRetainCount"]),
    // ZooKeeper's DatadirCleanupManager schedules no purge for an interval of 0 or less (-1 is a
    // common way to write "off"); 0 is how ServerConfig says it.
    purgeIntervalHours: Math.max(0, n["autopurge.purgeInterval"]),
    progressIntervalMs: n["zkts.progressIntervalMs"],
    slowRequestThresholdMs: n["zkts.slowRequestThresholdMs"],
  };
  if (typed.minSessionTimeout > typed.maxSessionTimeout) {
    throw new ConfigError(`minSessionTimeout (${typed.minSessionTimeout}) must not be larger than maxSessionTimeout (${typed.maxSessionTimeout})`);
  }
  const whitelist = (get("4lw.commands.whitelist") ?? "srvr")
    .split(",")
    .map((w) => w.trim())
    .filter((w) => w !== "");
  const readOnlyModeEnabled = bool("readonlymode.enabled", false);
  const words: ServerConfig["fourLetterWords"] = whitelist.includes("*") ? "*" : new Set([...whitelist, ...(readOnlyModeEnabled ? ["isro"] : [])]);

  const known = new Set<string>([
    ...ZOO_CFG_INTEGER_KEYS,
    "dataDir",
    "dataLogDir",
    "clientPortAddress",
    "admin.serverAddress",
    "admin.enableServer",
    "4lw.commands.whitelist",
    "readonlymode.enabled",
    "extendedTypesEnabled",
    "enforceQuota",
    "reconfigEnabled",
    "skipACL",
    "DigestAuthenticationProvider.superDigest",
    "DigestAuthenticationProvider.digestAlg",
    "serverId",
    "forceSync",
    "zkts.linearizableReads",
    "zkts.unsafe",
    "zkts.logLevel",
    "digest.enabled",
    "audit.enable",
  ]);
  const ensembleKeys = new Set(["initLimit", "syncLimit", "peerType", "standaloneEnabled", "reconfigEnabled", "quorumListenOnAllIPs"]);
  const ignoredKeys = [...props.keys()].filter(
    (k) =>
      !known.has(strip(k)) &&
      !TLS_KEYS.has(strip(k)) &&
      !SASL_KEYS.has(strip(k)) &&
      !isSuperUserKey(strip(k)) &&
      !isServedProviderKey(k, props) &&
      !metricsProvider.readKeys.has(k) &&
      !/^server\.\d+$/.test(k) &&
      !ensembleKeys.has(k),
  );
  for (const k of ignoredKeys) {
    if (!IGNORED_KEYS.some((re) => re.test(strip(k))) && !/^[A-Za-z0-9_.\-]+$/.test(k)) {
      throw new ConfigError(`${k}: not a valid key`);
    }
  }
  const x509Auth = x509AuthFrom(props, get, clientTls);
  const skipAcl = (get("skipACL") ?? "no").trim().toLowerCase() === "yes";
  const config = defaultServerConfig({
    ...typed,
    fourLetterWords: words,
    adminEnabled: bool("admin.enableServer", true),
    extendedTypesEnabled: bool("extendedTypesEnabled", false),
    digestEnabled: bool("digest.enabled", true),
    auditEnabled: bool("audit.enable", false),
    enforceQuota: bool("enforceQuota", false),
    reconfigEnabled: bool("reconfigEnabled", false),
    readOnlyModeEnabled,
    linearizableReads: bool("zkts.linearizableReads", false),
    skipAcl,
    superDigest: get("DigestAuthenticationProvider.superDigest") ?? null,
    digestAlgorithm: get("DigestAuthenticationProvider.digestAlg") ?? "SHA1",
    // ZooKeeper reads forceSync as "no" or anything else.
    forceSync: (get("forceSync") ?? "yes").trim().toLowerCase() !== "no",
    serverId: 0,
    rawProperties: props,
    unsafe: unsafeModeOf(get("zkts.unsafe")),
    // Only secureClientPort set: ZooKeeper binds no plain client port.
    plainClientPort: port !== undefined || clientTls?.secureClientPort == null,
    clientTls,
    quorumTls: quorumTlsFrom(get, baseDir),
    // Without an AdminServer its HTTPS keys ask for nothing (ZooKeeper reads them only to build it).
    adminTls: bool("admin.enableServer", true) ? adminTlsFrom(get, baseDir) : null,
    x509Auth,
    ...saslFrom(props, get, strip, baseDir, systemProperties, x509Auth !== null),
  });
  checkTlsStores(config);
  return { config, ignoredKeys, logLevel: logLevelOf("zkts.logLevel", get("zkts.logLevel")), prometheus: metricsProvider.prometheus };
}

/** A log level named in zoo.cfg or the environment; anything else stops the server at start. */
export function logLevelOf(source: string, raw: string | undefined): LogLevel | null {
  if (raw === undefined) return null;
  const level = raw.trim().toLowerCase();
  if (!isLogLevel(level)) throw new ConfigError(`${source}: unknown log level "${raw}" (${LOG_LEVELS.join(", ")})`);
  return level;
}

/** An authProvider.N naming the x509 or the SASL provider is served, not ignored. */
function isServedProviderKey(key: string, props: ReadonlyMap<string, string>): boolean {
  const value = props.get(key)?.trim();
  return /^(zookeeper\.)?authProvider\./.test(key) && (value === X509_PROVIDER_CLASS || value === SASL_PROVIDER_CLASS);
}

/** zkts.unsafe names one deliberately broken mode (main.ts decides whether it may run). */
function unsafeModeOf(raw: string | undefined): UnsafeMode | null {
  if (raw === undefined) return null;
  const mode = raw.trim();
  if (!isUnsafeMode(mode)) throw new ConfigError(`zkts.unsafe: unknown mode "${mode}" (${UNSAFE_MODES.join(", ")})`);
  return mode;
}

function absolute(path: string, baseDir: string): string {
  return isAbsolute(path) ? path : resolve(baseDir, path);
}
