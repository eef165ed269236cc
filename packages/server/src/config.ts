import { JUTE_MAX_BUFFER_DEFAULT } from "@zkts/jute";

/** A standalone server's settings, already validated (apps/server reads them from zoo.cfg). */
export interface ServerConfig {
  clientPortAddress: string;
  clientPort: number;
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
  extendedTypesEnabled: boolean;
  enforceQuota: boolean;
  reconfigEnabled: boolean;
  readOnlyModeEnabled: boolean;
  skipAcl: boolean;
  superDigest: string | null;
  digestAlgorithm: string;
  /** Requests a connection may have in flight before the server stops reading from it. */
  maxOutstandingPerConnection: number;
  containerCheckIntervalMs: number;
  containerMaxPerMinute: number;
  containerMaxNeverUsedIntervalMs: number;
  serverId: number;
  /** Every key/value as read from zoo.cfg, for the `conf` and `envi` reports. */
  rawProperties: ReadonlyMap<string, string>;
}

export function defaultServerConfig(overrides: Partial<ServerConfig> = {}): ServerConfig {
  const tickTime = overrides.tickTime ?? 2000;
  return {
    clientPortAddress: "127.0.0.1",
    clientPort: 2181,
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
    extendedTypesEnabled: false,
    enforceQuota: false,
    reconfigEnabled: false,
    readOnlyModeEnabled: false,
    skipAcl: false,
    superDigest: null,
    digestAlgorithm: "SHA1",
    maxOutstandingPerConnection: 1000,
    containerCheckIntervalMs: 60000,
    containerMaxPerMinute: 10000,
    containerMaxNeverUsedIntervalMs: 0,
    serverId: 0,
    rawProperties: new Map(),
    ...overrides,
  };
}

export const ZKTS_VERSION = "0.1.0";
/** What `srvr` and friends report as the version; monitoring tools parse the 3.x prefix. */
export const VERSION_STRING = `3.8.0-zkts-${ZKTS_VERSION}, built on 1970-01-01 00:00 UTC`;
