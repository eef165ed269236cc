import type { PrometheusSettings } from "@zkts/server";
import { ConfigError } from "./config-error.js";
import { booleanValue } from "./config-values.js";

/** The provider zkts serves, under the class name ZooKeeper's zoo.cfg gives it. */
export const PROMETHEUS_PROVIDER_CLASS = "org.apache.zookeeper.metrics.prometheus.PrometheusMetricsProvider";
/** ZooKeeper's default provider: mntr and the AdminServer only, which is what zkts does without a provider. */
const DEFAULT_PROVIDER_CLASS = "org.apache.zookeeper.metrics.impl.DefaultMetricsProvider";

const PREFIX = "metricsProvider.";

/**
 * Settings of ZooKeeper's Prometheus provider that steer how its Java client works inside the
 * JVM (summary worker threads and queue, their shutdown, how often summaries rotate). zkts
 * computes summaries when scraped, so it checks they are integers and otherwise has no use for them.
 */
const JVM_TUNING_KEYS = new Set(["numWorkerThreads", "maxQueueSize", "workerShutdownTimeoutMs", "prometheusMetricsSummaryRotateIntervalSeconds"]);

export interface MetricsProviderConfig {
  /** The /metrics endpoint to serve, or null for none (no provider, or the default one). */
  prometheus: PrometheusSettings | null;
  /** The metricsProvider.* keys read here, as they appear in the config. */
  readKeys: Set<string>;
}

/**
 * Reads `metricsProvider.*` as ZooKeeper 3.8 does: `className` picks the provider; for the
 * Prometheus one, `httpHost` (default 0.0.0.0), `httpPort` (default 7000) and `exportJvmInfo`
 * (default true; zkts then exports the Node process's metrics). Anything zkts cannot honour
 * stops the server with one line naming the key: another provider class, a bad port or
 * boolean, HTTPS for the endpoint (serving metrics over plain HTTP instead would expose what
 * the operator meant to protect), or a key the provider does not have (a typo would otherwise
 * leave the endpoint on its default port unnoticed).
 */
export function metricsProviderFrom(props: ReadonlyMap<string, string>, strip: (key: string) => string): MetricsProviderConfig {
  const settings = new Map<string, { rawKey: string; value: string }>();
  for (const [rawKey, value] of props) {
    const key = strip(rawKey);
    if (key.startsWith(PREFIX)) settings.set(key.substring(PREFIX.length), { rawKey, value: value.trim() });
  }
  const readKeys = new Set([...settings.values()].map((s) => s.rawKey));
  const className = settings.get("className");
  if (className === undefined) {
    // ZooKeeper hands the other keys to its default provider, which ignores them; so does zkts.
    return { prometheus: null, readKeys: new Set() };
  }
  if (className.value === DEFAULT_PROVIDER_CLASS) return { prometheus: null, readKeys };
  if (className.value !== PROMETHEUS_PROVIDER_CLASS) {
    throw new ConfigError(`${className.rawKey}: zkts serves ${PROMETHEUS_PROVIDER_CLASS} (or the default provider), not "${className.value}"`);
  }
  for (const [name, { rawKey, value }] of settings) {
    if (name === "className" || name === "httpHost" || name === "httpPort" || name === "exportJvmInfo") continue;
    if (JVM_TUNING_KEYS.has(name)) {
      if (!/^-?\d+$/.test(value)) throw new ConfigError(`${rawKey}: expected an integer, got "${value}"`);
      continue;
    }
    if (name === "httpsPort" || name.startsWith("ssl.")) {
      throw new ConfigError(
        `${rawKey}: HTTPS for the metrics endpoint is not supported by zkts yet; refusing to start rather than serve metrics over plain HTTP`,
      );
    }
    throw new ConfigError(`${rawKey}: not a setting of the Prometheus metrics provider (httpHost, httpPort, exportJvmInfo)`);
  }
  const host = settings.get("httpHost")?.value ?? "0.0.0.0";
  if (host === "") throw new ConfigError(`${settings.get("httpHost")!.rawKey}: the host is empty`);
  const port = settings.get("httpPort");
  if (port !== undefined && (!/^\d+$/.test(port.value) || Number(port.value) > 65535)) {
    throw new ConfigError(`${port.rawKey}: expected a port number (0-65535), got "${port.value}"`);
  }
  const jvmInfo = settings.get("exportJvmInfo");
  const exportProcessMetrics = booleanValue(jvmInfo?.rawKey ?? "exportJvmInfo", jvmInfo?.value, true);
  return {
    prometheus: { host, port: port === undefined ? 7000 : Number(port.value), exportProcessMetrics },
    readKeys,
  };
}
