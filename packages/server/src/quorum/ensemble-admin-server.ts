import type { IncomingMessage, ServerResponse } from "node:http";
import type { Server } from "node:net";
import { epochOf } from "@zkts/zab";
import { listenAdmin } from "../admin-listener.js";
import { VERSION_STRING } from "../config.js";
import type { ClientConnection } from "../connection.js";
import { environment, watchSummary, watchesByPath, watchesBySession } from "../four-letter-words.js";
import { hex } from "../logger.js";
import { directorySizeBytes } from "../process-facts.js";
import type { MemberView } from "./member-view.js";
import { memberMonitorFigures, monitorJson } from "./member-monitor.js";
import { NOT_SERVING, logDirOf, serverModeOf, snapshotDirOf } from "./member-reports.js";
import type { AdminTlsConfig } from "../tls/tls-settings.js";
import type { QuorumMember } from "@zkts/config";

type Json = Record<string, unknown>;

interface AdminCommand {
  /** The primary name first, then the aliases (ZooKeeper's Commands registers both). */
  names: readonly string[];
  /** False for the commands ZooKeeper runs even when its server is not running. */
  serverRequired: boolean;
  run(server: MemberView): Json;
}

/**
 * The commands of an ensemble member's AdminServer, under ZooKeeper 3.8's names and with its
 * JSON fields (admin/Commands.java). Left out: initial_configuration, last_snapshot, observers,
 * observer_connection_stat_reset, system_properties, get/set_trace_mask (quorum/README.md says why).
 */
const COMMANDS: readonly AdminCommand[] = [
  { names: ["configuration", "conf", "config"], serverRequired: true, run: configuration },
  { names: ["connection_stat_reset", "crst"], serverRequired: true, run: resetConnectionStats },
  { names: ["connections", "cons"], serverRequired: true, run: (s) => ({ connections: connectionsInfo(s, false), secure_connections: [] }) },
  {
    names: ["dirs"],
    serverRequired: true,
    run: (s) => ({ datadir_size: directorySizeBytes(snapshotDirOf(s)), logdir_size: directorySizeBytes(logDirOf(s)) }),
  },
  { names: ["dump"], serverRequired: true, run: dump },
  { names: ["environment", "env", "envi"], serverRequired: false, run: () => Object.fromEntries(environment()) },
  { names: ["hash"], serverRequired: true, run: () => ({ digests: [] }) },
  { names: ["is_read_only", "isro"], serverRequired: true, run: (s) => ({ read_only: s.servingReadOnly }) },
  { names: ["leader", "lead"], serverRequired: true, run: leader },
  // Answered during an election too, as ZooKeeper's monitor is: peer_state then says "looking".
  { names: ["monitor", "mntr"], serverRequired: false, run: (s) => monitorJson(memberMonitorFigures(s)) },
  { names: ["ruok"], serverRequired: true, run: () => ({}) },
  { names: ["server_stats", "srvr"], serverRequired: true, run: serverStats },
  { names: ["stats", "stat"], serverRequired: true, run: (s) => ({ ...serverStats(s), connections: connectionsInfo(s, true), secure_connections: [] }) },
  {
    names: ["stat_reset", "srst"],
    serverRequired: true,
    run: (s) => {
      s.metrics.reset();
      s.driver.stats.reset();
      return {};
    },
  },
  { names: ["voting_view"], serverRequired: true, run: votingView },
  {
    names: ["watch_summary", "wchs"],
    serverRequired: true,
    run: (s) => {
      const w = watchSummary(s.tree);
      return { num_connections: w.connections, num_paths: w.paths, num_total_watches: w.watches };
    },
  },
  { names: ["watches", "wchc"], serverRequired: true, run: (s) => ({ session_id_to_watched_paths: groups(watchesBySession(s.tree), decimal, (p) => p) }) },
  {
    names: ["watches_by_path", "wchp"],
    serverRequired: true,
    run: (s) => ({
      path_to_session_ids: groups(
        watchesByPath(s.tree),
        (p) => p,
        (id) => id,
      ),
    }),
  },
  { names: ["zabstate"], serverRequired: false, run: zabState },
];

const BY_NAME = new Map<string, AdminCommand>(COMMANDS.flatMap((c) => c.names.map((n) => [n, c] as const)));

function configuration(s: MemberView): Json {
  const c = s.config;
  return {
    client_port: c.clientPort,
    data_dir: snapshotDirOf(s),
    data_log_dir: logDirOf(s),
    tick_time: c.tickTime,
    max_client_cnxns: c.maxClientCnxns,
    min_session_timeout: c.minSessionTimeout,
    max_session_timeout: c.maxSessionTimeout,
    server_id: c.serverId,
    client_port_listen_backlog: -1,
  };
}

function resetConnectionStats(s: MemberView): Json {
  for (const c of s.connections) {
    c.lastLatencyMs = 0;
    c.packetsReceived = 0;
    c.packetsSent = 0;
  }
  return {};
}

/**
 * ServerCnxn.getConnectionInfo; `brief` (stats) stops after the packet counts. Connections
 * without a session (a four-letter word being answered) are not clients and are left out, as
 * ZooKeeper's factory leaves out connections that are not yet established.
 */
function connectionsInfo(s: MemberView, brief: boolean): Json[] {
  const out: Json[] = [];
  for (const c of s.connections) if (c.sessionId !== 0n) out.push(connectionInfo(c, brief));
  return out;
}

function connectionInfo(c: ClientConnection, brief: boolean): Json {
  const info: Json = {
    remote_socket_address: `${c.remoteAddress}:${c.remotePort}`,
    interest_ops: c.open ? 1 : 0,
    outstanding_requests: c.outstanding,
    packets_received: c.packetsReceived,
    packets_sent: c.packetsSent,
  };
  if (brief) return info;
  return {
    ...info,
    session_id: c.sessionId,
    established: c.establishedAtMs,
    session_timeout: c.sessionTimeoutMs,
    last_zxid: c.lastZxid,
    last_latency: c.lastLatencyMs,
  };
}

/** The leader's expiry buckets (a learner expires nothing, so its map is empty) and every session's ephemerals. */
function dump(s: MemberView): Json {
  const expiry: Record<string, bigint[]> = {};
  if (s.role === "LEADING") {
    for (const b of s.sessions.expiryBuckets()) expiry[String(b.expiresAtMs)] = b.sessions.map((x) => x.id);
  }
  return { expiry_time_to_session_ids: expiry, session_id_to_ephemeral_paths: groups(s.tree.ephemerals, decimal, (p) => p) };
}

function leader(s: MemberView): Json {
  const status = s.driver.peer.status();
  const leaderAddress = s.ensemble.members.find((m) => m.id === status.leader);
  return { is_leader: status.role === "LEADING", leader_id: status.leader ?? -1, leader_ip: leaderAddress?.host ?? "" };
}

function serverStats(s: MemberView): Json {
  const m = s.metrics;
  const out: Json = {
    version: VERSION_STRING,
    read_only: s.servingReadOnly,
    server_stats: {
      packets_sent: m.packetsSent,
      packets_received: m.packetsReceived,
      server_state: serverModeOf(s),
      outstanding_requests: s.outstanding,
      min_latency: m.latencyMin,
      avg_latency: Number(m.latencyAvg.toFixed(4)),
      max_latency: m.latencyMax,
      data_dir_size: directorySizeBytes(snapshotDirOf(s)),
      log_dir_size: directorySizeBytes(logDirOf(s)),
      last_processed_zxid: s.tree.lastProcessedZxid,
      num_alive_client_connections: connectionsInfo(s, true).length,
      uptime: Date.now() - m.startedAtMs,
    },
  };
  if (s.role === "LEADING") {
    const sizes = s.driver.stats.proposalSizes;
    out.proposal_stats = { last_buffer_size: sizes.last, min_buffer_size: sizes.min, max_buffer_size: sizes.max };
  }
  out.node_count = s.tree.nodeCount + 1;
  return out;
}

function address(host: string | null | undefined, port: number | null | undefined): string {
  return port === undefined || port === null ? "" : `${host ?? "0.0.0.0"}:${port}`;
}

/** The voters of the configuration (QuorumPeer.getVotingView), by server id. */
function votingView(s: MemberView): Json {
  const view: Record<string, Json> = {};
  const voters = s.ensemble.members.filter((m) => m.role === "participant").sort((a, b) => a.id - b.id);
  for (const m of voters) view[String(m.id)] = serverView(m);
  return { current_config: view };
}

function serverView(m: QuorumMember): Json {
  return {
    server_addresses: [address(m.host, m.quorumPort)],
    election_addresses: [address(m.host, m.electionPort)],
    client_address: address(m.clientHost, m.clientPort),
    learner_type: m.role,
  };
}

/**
 * ZooKeeper's zabstate, without its quorum_address and election_address objects (Java's
 * MultipleAddresses serialized field by field); client_address names the same listener.
 */
function zabState(s: MemberView): Json {
  const status = s.driver.peer.status();
  const self = s.ensemble.members.find((m) => m.id === s.config.serverId);
  const zxid = s.tree.lastProcessedZxid;
  return {
    myid: s.config.serverId,
    is_leader: status.role === "LEADING",
    client_address: address(s.config.clientPortAddress, s.config.clientPort),
    voting: self?.role === "participant",
    last_zxid: hex(zxid),
    zab_epoch: epochOf(zxid),
    zab_counter: Number(BigInt.asUintN(32, zxid)),
    zabstate: status.zabState,
  };
}

function decimal(id: bigint): string {
  return BigInt.asIntN(64, id).toString();
}

function groups<K, V, O>(source: ReadonlyMap<K, ReadonlySet<V>>, key: (k: K) => string, value: (v: V) => O): Record<string, O[]> {
  const out: Record<string, O[]> = {};
  for (const [k, values] of source) out[key(k)] = [...values].map(value);
  return out;
}

/** JSON as Jackson writes it for ZooKeeper: 64-bit ids and zxids as exact numbers. */
function toJson(body: Json): string {
  const text = JSON.stringify(body, (_k, v: unknown) => (typeof v === "bigint" ? `\u0000${BigInt.asIntN(64, v)}\u0000` : v), 2);
  return text.replace(/"\\u0000(-?\d+)\\u0000"/g, "$1");
}

/** Runs one command by any of its names; the reply always carries `command` (its primary name) and `error`. */
export function runAdminCommand(server: MemberView, name: string): Json {
  const command = BY_NAME.get(name);
  if (command === undefined) return { command: name, error: `Unknown command: ${name}` };
  const primary = command.names[0]!;
  if (command.serverRequired && !server.serving && !server.servingReadOnly) return { command: primary, error: NOT_SERVING.trim() };
  return { ...command.run(server), command: primary, error: null };
}

/**
 * An ensemble member's AdminServer: GET /commands lists the commands, GET /commands/<name>
 * answers JSON, HTTP 200 even for an unknown command (its `error` says so), as ZooKeeper's
 * JettyAdminServer does. It does not consult 4lw.commands.whitelist (ZooKeeper's does not).
 * Served over HTTP, HTTPS or both on one port as `tls` says (admin-listener.ts).
 */
export function startEnsembleAdminServer(server: MemberView, host: string, port: number, tls: AdminTlsConfig | null = null): Promise<Server> {
  return listenAdmin((req, res) => answer(server, req, res), host, port, tls);
}

function answer(server: MemberView, req: IncomingMessage, res: ServerResponse): void {
  const match = /^\/commands(?:\/([^/?]*))?\/?(?:\?.*)?$/.exec(req.url ?? "");
  if (req.method !== "GET" || match === null) {
    res.writeHead(404, { "content-type": "text/plain" });
    res.end("Not Found\n");
    return;
  }
  const name = decodeURIComponent(match[1] ?? "");
  if (name === "") {
    res.writeHead(200, { "content-type": "text/html" });
    res.end(COMMANDS.map((c) => `<a href="/commands/${c.names[0]}">${c.names[0]}</a>\n<br/>\n`).join(""));
    return;
  }
  res.writeHead(200, { "content-type": "application/json" });
  res.end(toJson(runAdminCommand(server, name)));
}
