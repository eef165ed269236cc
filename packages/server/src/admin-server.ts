import type { IncomingMessage, ServerResponse } from "node:http";
import type { Server } from "node:net";
import { listenAdmin } from "./admin-listener.js";
import { VERSION_STRING } from "./config.js";
import { FOUR_LETTER_WORDS, configLines, monitorFigures, runFourLetterWord } from "./four-letter-words.js";
import type { StandaloneView } from "./report-view.js";
import type { AdminTlsConfig } from "./tls/tls-settings.js";

/** Long names the AdminServer accepts for its commands, as ZooKeeper's Commands does. */
const ALIASES: Record<string, string> = {
  monitor: "mntr",
  ruok: "ruok",
  server_stats: "srvr",
  stats: "stat",
  configuration: "conf",
  connections: "cons",
  environment: "envi",
  watch_summary: "wchs",
  watches: "wchc",
  watches_by_path: "wchp",
  dump: "dump",
  dirs: "dirs",
  is_read_only: "isro",
  connection_stat_reset: "crst",
  stat_reset: "srst",
};

function commandJson(server: StandaloneView, name: string): Record<string, unknown> {
  const base = { command: name, error: null as string | null };
  switch (name) {
    case "mntr":
      return { ...base, ...monitorFigures(server) };
    case "ruok":
      return base;
    case "srvr":
    case "stat":
      return {
        ...base,
        version: VERSION_STRING,
        server_state: "standalone",
        read_only: false,
        node_count: server.tree.nodeCount + 1,
        last_zxid: Number(server.tree.lastProcessedZxid),
        num_alive_client_connections: server.connections.size,
        avg_latency: server.metrics.latencyAvg,
        max_latency: server.metrics.latencyMax,
        min_latency: server.metrics.latencyMin,
        packets_received: server.metrics.packetsReceived,
        packets_sent: server.metrics.packetsSent,
      };
    case "conf":
      return {
        ...base,
        ...Object.fromEntries(
          configLines(server)
            .trim()
            .split("\n")
            .map((l) => l.split("=")),
        ),
      };
    case "isro":
      return { ...base, read_only: false };
    default:
      return { ...base, output: runFourLetterWord(server, name) };
  }
}

/**
 * The AdminServer: GET /commands/<name> answers JSON for the same facts as the 4lw; over HTTP,
 * HTTPS or both on one port as `tls` says (admin-listener.ts).
 */
export function startAdminServer(server: StandaloneView, host: string, port: number, tls: AdminTlsConfig | null = null): Promise<Server> {
  return listenAdmin((req, res) => answer(server, req, res), host, port, tls);
}

function answer(server: StandaloneView, req: IncomingMessage, res: ServerResponse): void {
  const match = /^\/commands\/?([a-z_]*)/.exec(req.url ?? "");
  if (match === null) {
    res.writeHead(404, { "content-type": "application/json" });
    res.end(JSON.stringify({ error: "not found" }));
    return;
  }
  const requested = match[1] ?? "";
  if (requested === "") {
    res.writeHead(200, { "content-type": "application/json" });
    res.end(JSON.stringify({ commands: [...Object.keys(ALIASES), ...FOUR_LETTER_WORDS] }));
    return;
  }
  const name = ALIASES[requested] ?? requested;
  if (!FOUR_LETTER_WORDS.has(name)) {
    res.writeHead(404, { "content-type": "application/json" });
    res.end(JSON.stringify({ command: requested, error: "Unknown command: " + requested }));
    return;
  }
  res.writeHead(200, { "content-type": "application/json" });
  res.end(JSON.stringify(commandJson(server, name), (_k, v) => (typeof v === "bigint" ? Number(v) : v)));
}
