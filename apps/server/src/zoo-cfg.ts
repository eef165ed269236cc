import { isAbsolute, resolve } from "node:path";
import { type Static, Type } from "@sinclair/typebox";
import { Value } from "@sinclair/typebox/value";
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
import { refuseUnservedSecurityKeys } from "./security-keys.js";
import { TLS_KEYS, X509_PROVIDER_CLASS, adminTlsFrom, checkTlsStores, clientTlsFrom, quorumTlsFrom, x509AuthFrom } from "./tls-cfg.js";
import { SASL_KEYS, SASL_PROVIDER_CLASS, isSuperUserKey, saslFrom } from "./sasl-cfg.js";
import { withZooKeeperProperties } from "./jvm-flags.js";
import { metricsProviderFrom } from "./metrics-cfg.js";

export { ConfigError };

const PositiveInt = Type.Integer({ minimum: 1 });
const Port = Type.Integer({ minimum: 0, maximum: 65535 });

/** The typed keys zkts honours, validated after the text is converted. */
const Schema = Type.Object({
  tickTime: PositiveInt,
  dataDir: Type.String({ minLength: 1 }),
  dataLogDir: Type.String({ minLength: 1 }),
  clientPort: Port,
  clientPortAddress: Type.String({ minLength: 1 }),
  maxClientCnxns: Type.Integer({ minimum: 0 }),
  minSessionTimeout: Type.Integer(),
  maxSessionTimeout: Type.Integer(),
  juteMaxBuffer: PositiveInt,
  adminServerPort: Port,
  adminServerAddress: Type.String({ minLength: 1 }),
  maxOutstandingPerConnection: PositiveInt,
  clientOutgoingBytesSoft: PositiveInt,
  clientOutgoingBytesMax: PositiveInt,
  sessionlessCnxnTimeoutMs: PositiveInt,
  globalOutstandingLimit: PositiveInt,
  containerCheckIntervalMs: PositiveInt,
  containerMaxPerMinute: PositiveInt,
  containerMaxNeverUsedIntervalMs: Type.Integer({ minimum: 0 }),
  snapCount: Type.Integer({ minimum: 2 }),
  snapSizeLimitBytes: Type.Integer({ minimum: 0 }),
  preAllocSizeBytes: Type.Integer({ minimum: 0 }),
  txnLogSizeLimitBytes: Type.Integer({ minimum: 0 }),
  fsyncWarningThresholdMs: Type.Integer({ minimum: 0 }),
  snapRetainCount: Type.Integer({ minimum: 1 }),
  purgeIntervalHours: Type.Integer({ minimum: 0 }),
  progressIntervalMs: PositiveInt,
  slowRequestThresholdMs: Type.Integer({ minimum: 0 }),
});
type Typed = Static<typeof Schema>;

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

function intValue(key: string, raw: string): number {
  if (!/^-?\d+$/.test(raw.trim())) throw new ConfigError(`${key}: expected an integer, got "${raw}"`);
  return Number(raw.trim());
}

function boolValue(key: string, raw: string): boolean {
  const v = raw.trim().toLowerCase();
  if (v === "true" || v === "yes") return true;
  if (v === "false" || v === "no") return false;
  throw new ConfigError(`${key}: expected true or false, got "${raw}"`);
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
  const tickTime = intValue("tickTime", required("tickTime"));
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
  const int = (key: string, fallback: number) => {
    const v = get(key);
    return v === undefined ? fallback : intValue(key, v);
  };
  const bool = (key: string, fallback: boolean) => {
    const v = get(key);
    return v === undefined ? fallback : boolValue(key, v);
  };
  const minSessionTimeout = int("minSessionTimeout", -1);
  const maxSessionTimeout = int("maxSessionTimeout", -1);
  const typed: Typed = {
    tickTime,
    dataDir,
    dataLogDir: absolute(get("dataLogDir") ?? dataDir, baseDir),
    clientPort: port === undefined ? 2181 : intValue("clientPort", port),
    clientPortAddress: get("clientPortAddress") ?? "0.0.0.0",
    maxClientCnxns: int("maxClientCnxns", 60),
    minSessionTimeout: minSessionTimeout === -1 ? tickTime * 2 : minSessionTimeout,
    maxSessionTimeout: maxSessionTimeout === -1 ? tickTime * 20 : maxSessionTimeout,
    juteMaxBuffer: int("jute.maxbuffer", 0xfffff),
    adminServerPort: int("admin.serverPort", 8080),
    adminServerAddress: get("admin.serverAddress") ?? "0.0.0.0",
    maxOutstandingPerConnection: int("maxOutstandingPerConnection", 1000),
    clientOutgoingBytesSoft: int("zkts.clientOutgoingBytesSoft", 1024 * 1024),
    clientOutgoingBytesMax: int("zkts.clientOutgoingBytesMax", 16 * 1024 * 1024),
    // A system property in ZooKeeper, reached from zoo.cfg as zookeeper.nio.sessionlessCnxnTimeout.
    sessionlessCnxnTimeoutMs: int("nio.sessionlessCnxnTimeout", 10_000),
    globalOutstandingLimit: int("globalOutstandingLimit", 1000),
    containerCheckIntervalMs: int("znode.container.checkIntervalMs", 60000),
    containerMaxPerMinute: int("znode.container.maxPerMinute", 10000),
    containerMaxNeverUsedIntervalMs: int("znode.container.maxNeverUsedIntervalMs", 0),
    snapCount: int("snapCount", 100000),
    snapSizeLimitBytes: int("snapSizeLimitInKb", 4 * 1024 * 1024) * 1024,
    preAllocSizeBytes: int("preAllocSize", 64 * 1024) * 1024,
    txnLogSizeLimitBytes: Math.max(0, int("txnLogSizeLimitInKb", -1)) * 1024,
    fsyncWarningThresholdMs: int("fsync.warningthresholdms", 1000),
    // ZooKeeper raises a retain count below 3 to 3.
    snapRetainCount: Math.max(3, int("autopurge.snapRetainCount", 3)),
    // ZooKeeper's DatadirCleanupManager schedules no purge for an interval of 0 or less (-1 is a
    // common way to write "off"); 0 is how ServerConfig says it.
    purgeIntervalHours: Math.max(0, int("autopurge.purgeInterval", 0)),
    progressIntervalMs: int("zkts.progressIntervalMs", 5000),
    slowRequestThresholdMs: int("zkts.slowRequestThresholdMs", 0),
  };
  const firstError = [...Value.Errors(Schema, typed)][0];
  if (firstError !== undefined) {
    const key = firstError.path.replace(/^\//, "");
    throw new ConfigError(`${key}: ${firstError.message} (got ${JSON.stringify((typed as Record<string, unknown>)[key])})`);
  }
  if (typed.minSessionTimeout > typed.maxSessionTimeout) {
    throw new ConfigError(`minSessionTimeout (${typed.minSessionTimeout}) must not be larger than maxSessionTimeout (${typed.maxSessionTimeout})`);
  }
  const whitelist = (get("4lw.commands.whitelist") ?? "srvr")
    .split(",")
    .map((w) => w.trim())
    .filter((w) => w !== "");
  const readOnlyModeEnabled = bool("readonlymode.enabled", false);
  const words: ServerConfig["fourLetterWords"] = whitelist.includes("*") ? "*" : new Set([...whitelist, ...(readOnlyModeEnabled ? ["isro"] : [])]);

  const known = new Set([
    "tickTime",
    "dataDir",
    "dataLogDir",
    "clientPort",
    "clientPortAddress",
    "maxClientCnxns",
    "minSessionTimeout",
    "maxSessionTimeout",
    "jute.maxbuffer",
    "admin.serverPort",
    "admin.serverAddress",
    "admin.enableServer",
    "maxOutstandingPerConnection",
    "znode.container.checkIntervalMs",
    "znode.container.maxPerMinute",
    "znode.container.maxNeverUsedIntervalMs",
    "4lw.commands.whitelist",
    "readonlymode.enabled",
    "extendedTypesEnabled",
    "enforceQuota",
    "reconfigEnabled",
    "skipACL",
    "DigestAuthenticationProvider.superDigest",
    "DigestAuthenticationProvider.digestAlg",
    "serverId",
    "snapCount",
    "snapSizeLimitInKb",
    "preAllocSize",
    "txnLogSizeLimitInKb",
    "forceSync",
    "fsync.warningthresholdms",
    "autopurge.snapRetainCount",
    "autopurge.purgeInterval",
    "zkts.linearizableReads",
    "zkts.unsafe",
    "zkts.logLevel",
    "zkts.progressIntervalMs",
    "zkts.slowRequestThresholdMs",
    "zkts.clientOutgoingBytesSoft",
    "zkts.clientOutgoingBytesMax",
    "nio.sessionlessCnxnTimeout",
    "globalOutstandingLimit",
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
