import { Type } from "@sinclair/typebox";
import { JavaInt, JavaLong, Port, Switch, Text } from "./cfg-schema.js";

/** The provider zkts serves, under the class name ZooKeeper's zoo.cfg gives it. */
export const PROMETHEUS_PROVIDER_CLASS = "org.apache.zookeeper.metrics.prometheus.PrometheusMetricsProvider";
/** ZooKeeper's default provider: mntr and the AdminServer only, which is what zkts does without a provider. */
export const DEFAULT_PROVIDER_CLASS = "org.apache.zookeeper.metrics.impl.DefaultMetricsProvider";

/** The prefix QuorumPeerConfig strips before it hands a key to the provider. */
export const METRICS_PREFIX = "metricsProvider.";

/**
 * The `metricsProvider.*` keys zkts reads, named after the prefix as the provider receives
 * them, with the defaults of ZooKeeper 3.8's PrometheusMetricsProvider. The last four steer
 * how its Java client works inside the JVM (summary worker threads and their queue, their
 * shutdown, how often summaries rotate; the last is a later ZooKeeper's); zkts computes
 * summaries when scraped, so it checks they are integers and otherwise has no use for them.
 */
export const MetricsProviderKeys = Type.Object({
  // Any class for ZooKeeper; zkts serves the Prometheus one and the default (metrics-cfg.ts).
  className: Text({ default: DEFAULT_PROVIDER_CLASS }),
  // Java's InetAddress reads an empty host as the loopback address; metrics-cfg.ts does too.
  httpHost: Text({ default: "0.0.0.0" }),
  httpPort: Port({ default: 7000, refusal: "expected a port number (0-65535)" }),
  exportJvmInfo: Switch(true, { description: "zkts exports the Node process's metrics instead" }),
  numWorkerThreads: JavaInt({ default: 1 }),
  maxQueueSize: JavaInt({ default: 1_000_000 }),
  workerShutdownTimeoutMs: JavaLong({ default: 1000 }),
  prometheusMetricsSummaryRotateIntervalSeconds: JavaInt({ default: 60 }),
});
