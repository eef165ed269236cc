import type { AddressInfo } from "node:net";
import type { Server } from "node:http";
import { type Logger, type MetricFigure, type PrometheusSettings, startPrometheusEndpoint } from "@zkts/server";

/**
 * Starts the /metrics endpoint before the server loads its data, as ZooKeeper boots its
 * metrics provider first: a port that cannot be bound stops the start (ZooKeeper's does too),
 * and while the data loads the endpoint answers with the process metrics only.
 */
export async function serveMetrics(settings: PrometheusSettings, figures: () => readonly MetricFigure[], logger: Logger): Promise<Server> {
  let server: Server;
  try {
    ({ server } = await startPrometheusEndpoint(settings, figures));
  } catch (err) {
    throw new Error(`cannot serve Prometheus metrics on ${settings.host}:${settings.port}: ${(err as Error).message}`);
  }
  const bound = server.address() as AddressInfo;
  logger.log("info", "Prometheus metrics endpoint listening", {
    address: `${settings.host}:${bound.port}`,
    path: "/metrics",
    processMetrics: settings.exportProcessMetrics,
  });
  return server;
}
