import type { PrometheusSettings } from "@zkts/server";
import { cfgValue } from "./cfg-schema.js";
import { ConfigError } from "./config-error.js";
import { DEFAULT_PROVIDER_CLASS, METRICS_PREFIX, MetricsProviderKeys, PROMETHEUS_PROVIDER_CLASS } from "./metrics-cfg-schema.js";

export { PROMETHEUS_PROVIDER_CLASS };

export interface MetricsProviderConfig {
  /** The /metrics endpoint to serve, or null for none (no provider, or the default one). */
  prometheus: PrometheusSettings | null;
  /** The metricsProvider.* keys read here, as they appear in the config. */
  readKeys: Set<string>;
}

/**
 * Reads `metricsProvider.*` as ZooKeeper 3.8 does (metrics-cfg-schema.ts): `className` picks
 * the provider; for the Prometheus one, `httpHost`, `httpPort` and `exportJvmInfo` say where
 * and what to serve. Anything zkts cannot honour stops the server with one line naming the
 * key: another provider class, a bad port or boolean, HTTPS for the endpoint (serving metrics
 * over plain HTTP instead would expose what the operator meant to protect), or a key the
 * provider does not have (a typo would otherwise leave the endpoint on its default port unnoticed).
 */
export function metricsProviderFrom(props: ReadonlyMap<string, string>, strip: (key: string) => string): MetricsProviderConfig {
  const settings = new Map<string, { rawKey: string; value: string }>();
  for (const [rawKey, value] of props) {
    const key = strip(rawKey);
    if (key.startsWith(METRICS_PREFIX)) settings.set(key.substring(METRICS_PREFIX.length), { rawKey, value: value.trim() });
  }
  const readKeys = new Set([...settings.values()].map((s) => s.rawKey));
  if (!settings.has("className")) {
    // ZooKeeper hands the other keys to its default provider, which ignores them; so does zkts.
    return { prometheus: null, readKeys: new Set() };
  }
  const value = cfgValue(MetricsProviderKeys, (key) => settings.get(key)?.value, {
    nameOf: (key) => settings.get(key)?.rawKey ?? `${METRICS_PREFIX}${key}`,
  });
  const className = value("className");
  if (className === DEFAULT_PROVIDER_CLASS) return { prometheus: null, readKeys };
  if (className !== PROMETHEUS_PROVIDER_CLASS) {
    throw new ConfigError(`${settings.get("className")!.rawKey}: zkts serves ${PROMETHEUS_PROVIDER_CLASS} (or the default provider), not "${className}"`);
  }
  for (const [name, { rawKey }] of settings) {
    if (Object.hasOwn(MetricsProviderKeys.properties, name)) {
      value(name as keyof typeof MetricsProviderKeys.properties);
    } else if (name === "httpsPort" || name.startsWith("ssl.")) {
      throw new ConfigError(
        `${rawKey}: HTTPS for the metrics endpoint is not supported by zkts yet; refusing to start rather than serve metrics over plain HTTP`,
      );
    } else {
      throw new ConfigError(`${rawKey}: not a setting of the Prometheus metrics provider (httpHost, httpPort, exportJvmInfo)`);
    }
  }
  // An empty host is the loopback address for Java's InetSocketAddress, where ZooKeeper's endpoint listens then.
  const host = value("httpHost") || "127.0.0.1";
  return { prometheus: { host, port: value("httpPort"), exportProcessMetrics: value("exportJvmInfo") }, readKeys };
}
