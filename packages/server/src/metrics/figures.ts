import type { CounterFigure, SummaryFigure } from "./summary-figure.js";

/**
 * One figure a server reports, under ZooKeeper 3.8's name, with the kind ZooKeeper gives it.
 * mntr, the AdminServer's monitor and the Prometheus endpoint all render the same list, so
 * they cannot disagree. `info` figures (version, server_state, peer_state) are not metrics in
 * ZooKeeper either: only mntr and monitor show them.
 */
export type MetricFigure =
  | { readonly kind: "info"; readonly name: string; readonly value: string | number }
  | { readonly kind: "gauge"; readonly name: string; readonly value: number; readonly double?: true }
  | { readonly kind: "counter"; readonly name: string; readonly value: number; readonly total: number }
  | { readonly kind: "summary"; readonly name: string; readonly summary: SummaryFigure };

/** A value as mntr prints it; averages are Java doubles ("0.0"). */
export type MonitorValue = number | string | { double: number };

export function info(name: string, value: string | number): MetricFigure {
  return { kind: "info", name, value };
}

export function gauge(name: string, value: number): MetricFigure {
  return { kind: "gauge", name, value };
}

/** A gauge ZooKeeper computes as a double (avg_latency). */
export function doubleGauge(name: string, value: number): MetricFigure {
  return { kind: "gauge", name, value, double: true };
}

export function counter(c: CounterFigure): MetricFigure {
  return { kind: "counter", name: c.name, value: c.value, total: c.total };
}

/** A count kept elsewhere that never resets (the tree's digest mismatches). */
export function countOf(name: string, value: number): MetricFigure {
  return { kind: "counter", name, value, total: value };
}

export function summary(s: SummaryFigure): MetricFigure {
  return { kind: "summary", name: s.name, summary: s };
}

/** The percentiles ZooKeeper's default provider prints for an ADVANCED summary, as `p50_<name>`. */
const MONITOR_PERCENTILES: readonly [string, number][] = [
  ["p50", 0.5],
  ["p95", 0.95],
  ["p99", 0.99],
  ["p999", 0.999],
];

/**
 * The figures as ZooKeeper's default metrics provider lists them in mntr and monitor: a
 * summary becomes avg_/min_/max_/cnt_/sum_<name> (whole numbers but the average), plus
 * p50_..p999_<name> for an ADVANCED one.
 */
export function monitorEntries(figures: readonly MetricFigure[]): Map<string, MonitorValue> {
  const out = new Map<string, MonitorValue>();
  for (const f of figures) {
    switch (f.kind) {
      case "info":
        out.set(f.name, f.value);
        break;
      case "gauge":
        out.set(f.name, f.double ? { double: f.value } : f.value);
        break;
      case "counter":
        out.set(f.name, f.value);
        break;
      case "summary": {
        const s = f.summary;
        out.set(`avg_${f.name}`, { double: s.avg });
        out.set(`min_${f.name}`, Math.round(s.min));
        out.set(`max_${f.name}`, Math.round(s.max));
        out.set(`cnt_${f.name}`, s.count);
        out.set(`sum_${f.name}`, Math.round(s.sum));
        if (s.detail === "advanced") {
          for (const [label, q] of MONITOR_PERCENTILES) out.set(`${label}_${f.name}`, Math.round(s.quantile(q)));
        }
        break;
      }
    }
  }
  return out;
}

/** How Java prints a double: "0.0", "1.5" (averages in srvr and mntr), here to 4 decimals at most. */
export function javaDouble(value: number): string {
  const rounded = Number(value.toFixed(4));
  return Number.isInteger(rounded) ? rounded.toFixed(1) : String(rounded);
}

/** mntr's text: `zk_<name>\t<value>` per line. */
export function monitorText(entries: ReadonlyMap<string, MonitorValue>): string {
  let out = "";
  for (const [name, value] of entries) out += `zk_${name}\t${typeof value === "object" ? javaDouble(value.double) : value}\n`;
  return out;
}

/** The AdminServer's monitor: the same entries as JSON values. */
export function monitorJson(entries: ReadonlyMap<string, MonitorValue>, prefix = ""): Record<string, number | string> {
  const out: Record<string, number | string> = {};
  for (const [name, value] of entries) out[`${prefix}${name}`] = typeof value === "object" ? Number(value.double.toFixed(4)) : value;
  return out;
}
