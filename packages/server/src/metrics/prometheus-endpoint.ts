import { type Server, createServer } from "node:http";
import { Counter, Gauge, type MetricObjectWithValues, type MetricValueWithName, Registry, Summary, collectDefaultMetrics } from "prom-client";
import type { MetricFigure } from "./figures.js";
import type { SummaryFigure } from "./summary-figure.js";

/** ZooKeeper's PrometheusMetricsProvider settings (metricsProvider.* in zoo.cfg). */
export interface PrometheusSettings {
  /** metricsProvider.httpHost (ZooKeeper's default 0.0.0.0). */
  host: string;
  /** metricsProvider.httpPort (ZooKeeper's default 7000); 0 picks a free port. */
  port: number;
  /**
   * metricsProvider.exportJvmInfo: ZooKeeper adds the JVM's and the process's metrics; zkts
   * adds the Node process's (prom-client's default metrics: process_*, nodejs_*).
   */
  exportProcessMetrics: boolean;
}

/** Percentiles ZooKeeper's provider gives a BASIC summary, and an ADVANCED one. */
const BASIC_QUANTILES = [0.5];
const ADVANCED_QUANTILES = [0.5, 0.9, 0.99];

/**
 * A Prometheus summary whose samples come from a SummaryFigure rather than from observe():
 * count and sum since the start, percentiles of the recent samples.
 */
class FigureSummary extends Summary {
  figure: SummaryFigure;

  constructor(figure: SummaryFigure) {
    const percentiles = figure.detail === "advanced" ? ADVANCED_QUANTILES : BASIC_QUANTILES;
    // ZooKeeper's provider uses the metric's name as its help text.
    super({ name: figure.name, help: figure.name, percentiles, registers: [] });
    this.figure = figure;
  }

  override async get(): Promise<MetricObjectWithValues<MetricValueWithName<string>>> {
    const f = this.figure;
    const percentiles = f.detail === "advanced" ? ADVANCED_QUANTILES : BASIC_QUANTILES;
    const values: MetricValueWithName<string>[] = percentiles.map((q) => ({ labels: { quantile: q }, value: f.quantile(q) }));
    values.push({ metricName: `${f.name}_sum`, labels: {}, value: f.totalSum });
    values.push({ metricName: `${f.name}_count`, labels: {}, value: f.totalCount });
    // The base class gives the family's name, help and type; its own (never observed) values are replaced.
    const family = await super.get();
    return { ...family, values };
  }
}

type Exported = { kind: "gauge"; metric: Gauge } | { kind: "counter"; metric: Counter; exported: number } | { kind: "summary"; metric: FigureSummary };

/**
 * The registry behind /metrics. On every scrape it reads the server's figures afresh (the
 * same list mntr prints), so a figure that appears only on the leader comes and goes with the
 * leadership, as ZooKeeper registers and unregisters the leader's gauges.
 */
export class PrometheusMetrics {
  readonly registry = new Registry();
  private readonly exported = new Map<string, Exported>();

  constructor(
    private readonly figures: () => readonly MetricFigure[],
    exportProcessMetrics: boolean,
  ) {
    if (exportProcessMetrics) collectDefaultMetrics({ register: this.registry });
  }

  /** The exposition text of every metric, read now. */
  async scrape(): Promise<string> {
    this.update();
    return await this.registry.metrics();
  }

  get contentType(): string {
    return this.registry.contentType;
  }

  private update(): void {
    const present = new Set<string>();
    for (const f of this.figures()) {
      if (f.kind === "info") continue;
      present.add(f.name);
      const e = this.entryFor(f);
      if (e.kind === "gauge" && f.kind === "gauge") e.metric.set(f.value);
      else if (e.kind === "counter" && f.kind === "counter") {
        if (f.total > e.exported) e.metric.inc(f.total - e.exported);
        e.exported = Math.max(e.exported, f.total);
      } else if (e.kind === "summary" && f.kind === "summary") e.metric.figure = f.summary;
    }
    for (const name of [...this.exported.keys()]) {
      if (present.has(name)) continue;
      this.registry.removeSingleMetric(name);
      this.exported.delete(name);
    }
  }

  private entryFor(f: Exclude<MetricFigure, { kind: "info" }>): Exported {
    const existing = this.exported.get(f.name);
    if (existing !== undefined && existing.kind === f.kind) return existing;
    if (existing !== undefined) this.registry.removeSingleMetric(f.name);
    let entry: Exported;
    switch (f.kind) {
      case "gauge":
        entry = { kind: "gauge", metric: new Gauge({ name: f.name, help: f.name, registers: [] }) };
        break;
      case "counter":
        entry = { kind: "counter", metric: new Counter({ name: f.name, help: f.name, registers: [] }), exported: 0 };
        break;
      case "summary":
        entry = { kind: "summary", metric: new FigureSummary(f.summary) };
        break;
    }
    this.registry.registerMetric(entry.metric);
    this.exported.set(f.name, entry);
    return entry;
  }
}

/**
 * ZooKeeper's /metrics HTTP endpoint: GET /metrics answers the Prometheus text format; any
 * other path is 404, and TRACE is refused (ZooKeeper's provider forbids it too).
 */
export async function startPrometheusEndpoint(
  settings: PrometheusSettings,
  figures: () => readonly MetricFigure[],
): Promise<{ server: Server; metrics: PrometheusMetrics }> {
  const metrics = new PrometheusMetrics(figures, settings.exportProcessMetrics);
  const server = createServer((req, res) => {
    const path = (req.url ?? "").split("?")[0];
    if (path !== "/metrics" || (req.method !== "GET" && req.method !== "HEAD")) {
      res.writeHead(req.method === "TRACE" ? 405 : 404, { "content-type": "text/plain" });
      res.end(req.method === "TRACE" ? "Method Not Allowed\n" : "Not Found\n");
      return;
    }
    metrics.scrape().then(
      (text) => {
        res.writeHead(200, { "content-type": metrics.contentType });
        res.end(req.method === "HEAD" ? undefined : text);
      },
      (err: unknown) => {
        res.writeHead(500, { "content-type": "text/plain" });
        res.end(`${(err as Error).message}\n`);
      },
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(settings.port, settings.host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  return { server, metrics };
}
