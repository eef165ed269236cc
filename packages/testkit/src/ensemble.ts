import { existsSync } from "node:fs";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { fourLetterWord, freePort } from "./net.js";
import { zktsServerMain, zktsServerNodeFlags } from "./paths.js";
import { referenceQuorumLauncher } from "./reference.js";
import { type Launcher, type RunningServer, type ServerKind, isBindFailure, launch } from "./server.js";

export interface EnsembleOptions {
  /** Voting members (server ids 1..voters); default 3. */
  voters?: number;
  /** Observers, numbered after the voters; default 0. */
  observers?: number;
  /** Default 200 ms, so failures are noticed within a second or two. */
  tickTime?: number;
  /** In ticks; defaults 10 and 5. */
  initLimit?: number;
  syncLimit?: number;
  /** Extra zoo.cfg keys for every member. */
  config?: Record<string, string>;
  /** Extra zoo.cfg keys for one member (e.g. its own admin.serverPort), after `config`. */
  memberConfig?: (id: number) => Record<string, string>;
  /** JVM system properties for one reference member (e.g. its JAAS file); zkts members take zoo.cfg keys instead. */
  memberSystemProperties?: (id: number) => Record<string, string>;
  /** How long to wait for every member to serve; default 60000. */
  startTimeoutMs?: number;
  /**
   * An ensemble directory left by an earlier ensemble's `stop()` (its `directory`): the members
   * start on the data directories in it, which may have been written by the other kind of
   * server. The caller then owns the directory: `cleanup()` leaves it.
   */
  directory?: string;
}

export interface EnsembleMember {
  /** Its server id (myid). */
  id: number;
  role: "participant" | "observer";
  /** The member's process, client port and dataDir; restart() keeps its data. */
  server: RunningServer;
  /** Its `server.N=...` line (quorum and election ports, role, client address), as a reconfig names it. */
  serverLine: string;
}

export interface RunningEnsemble {
  members: EnsembleMember[];
  /** Every member's client address, for clients that may use any of them. */
  connectString: string;
  /** The `Mode:` a member's `srvr` reports (leader, follower, observer), or null when it is not serving or down. */
  modeOf(member: EnsembleMember): Promise<string | null>;
  /** Polls until one running member reports leader and every other running member serves; returns the leader. */
  waitForLeader(timeoutMs?: number): Promise<EnsembleMember>;
  /**
   * Starts one more server, outside the ensemble's configuration: its zoo.cfg lists the
   * ensemble's servers and itself (as ZooKeeper's documentation has a joining server start),
   * and a reconfig then adds it. Cleaned up with the others.
   */
  join(id: number, role: EnsembleMember["role"]): Promise<EnsembleMember>;
  /**
   * Stops a member and starts the other kind of server in its place: the same id, zoo.cfg,
   * data directory and ports, as an operator migrating one member at a time does. Resolves
   * once the new process accepts clients; `waitForLeader` tells when it has synced.
   */
  replace(member: EnsembleMember, kind: ServerKind): Promise<EnsembleMember>;
  /** Where the members' data directories are (`server<N>` in it). */
  directory: string;
  /** Stops every member (SIGTERM) and keeps the directory, for another ensemble to start on. */
  stop(): Promise<void>;
  /** Stops every member and removes the ensemble's directory (unless it was given as `directory`). */
  cleanup(): Promise<void>;
}

const zktsLauncher: Launcher = {
  kind: "zkts",
  logName: "zkts.log",
  command(configPath) {
    // The server's own V8 flags, then ZKTS_NODE_FLAGS (e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof").
    const flags = (process.env.ZKTS_NODE_FLAGS ?? "").split(" ").filter((f) => f !== "");
    const main = zktsServerMain();
    return { file: process.execPath, args: [...zktsServerNodeFlags(main), ...flags, main, "--config", configPath] };
  },
};

/**
 * The command line that runs one ensemble member of `kind` on a zoo.cfg (server.N lines in it,
 * myid in its dataDir), for callers that supervise member processes themselves (the lab).
 * `config` is the zoo.cfg's content, of which the reference needs the system-property keys.
 */
export function ensembleMemberCommand(kind: ServerKind, configPath: string, config: Record<string, string>): { file: string; args: string[] } {
  return (kind === "zkts" ? zktsLauncher : referenceQuorumLauncher).command(configPath, config);
}

const POLL_MS = 100;
const START_ATTEMPTS = 3;

/**
 * Starts an ensemble of zkts-server child processes on 127.0.0.1, each with its own client,
 * quorum and election port and dataDir (with myid), and resolves once every member serves.
 */
export async function startZktsEnsemble(opts: EnsembleOptions = {}): Promise<RunningEnsemble> {
  const main = zktsServerMain();
  if (!existsSync(main)) throw new Error(`${main} does not exist; build apps/server first (npm run build)`);
  return await startEnsemble(zktsLauncher, opts);
}

/**
 * The same, with Apache ZooKeeper 3.8 (QuorumPeerMain) as every member: the oracle for what an
 * ensemble member answers operators (Mode lines, mntr keys, conf, AdminServer).
 */
export async function startReferenceEnsemble(opts: EnsembleOptions = {}): Promise<RunningEnsemble> {
  return await startEnsemble(referenceQuorumLauncher, opts);
}

/**
 * A mixed ensemble: member N (from 1) runs `kinds[N-1]`, zkts or Apache ZooKeeper 3.8, the
 * voters first, then `opts.observers` more members of the kinds that follow. Each member's
 * `server.kind` says which it is.
 */
export async function startMixedEnsemble(kinds: readonly ServerKind[], opts: EnsembleOptions = {}): Promise<RunningEnsemble> {
  const observers = opts.observers ?? 0;
  if (kinds.length === 0) throw new Error("a mixed ensemble needs at least one member kind");
  if (opts.voters !== undefined && opts.voters + observers !== kinds.length) {
    throw new Error(`${kinds.length} member kinds for ${opts.voters} voters and ${observers} observers`);
  }
  if (kinds.includes("zkts") && !existsSync(zktsServerMain())) throw new Error(`${zktsServerMain()} does not exist; build apps/server first (npm run build)`);
  const launchers = kinds.map((k) => (k === "zkts" ? zktsLauncher : referenceQuorumLauncher));
  return await startEnsemble((id) => launchers[id - 1] ?? launchers[launchers.length - 1]!, { ...opts, voters: kinds.length - observers });
}

async function startEnsemble(launcher: Launcher | ((id: number) => Launcher), opts: EnsembleOptions): Promise<RunningEnsemble> {
  // Ports from freePort() may be taken by someone else before a member binds them: a start
  // that fails is retried on fresh ports.
  let lastError: unknown;
  for (let attempt = 0; attempt < START_ATTEMPTS; attempt++) {
    try {
      return await startOnce(launcher, opts);
    } catch (err) {
      lastError = err;
    }
  }
  throw lastError;
}

async function startOnce(launcher: Launcher | ((id: number) => Launcher), opts: EnsembleOptions): Promise<RunningEnsemble> {
  const voters = opts.voters ?? 3;
  const observers = opts.observers ?? 0;
  const launcherOf = typeof launcher === "function" ? launcher : () => launcher;
  const kindName = typeof launcher === "function" ? "mixed" : launcher.kind;
  const base = opts.directory ?? (await mkdtemp(join(tmpdir(), `${kindName}-ensemble-`)));
  const removeBase = () => (opts.directory === undefined ? rm(base, { recursive: true, force: true }) : Promise.resolve());
  const specs: { id: number; role: EnsembleMember["role"]; clientPort: number; quorumPort: number; electionPort: number }[] = [];
  for (let id = 1; id <= voters + observers; id++) {
    specs.push({
      id,
      role: id <= voters ? "participant" : "observer",
      clientPort: await freePort(),
      quorumPort: await freePort(),
      electionPort: await freePort(),
    });
  }
  const serverLines: Record<string, string> = {};
  for (const s of specs) serverLines[`server.${s.id}`] = `127.0.0.1:${s.quorumPort}:${s.electionPort}:${s.role};127.0.0.1:${s.clientPort}`;
  const shared = {
    initLimit: String(opts.initLimit ?? 10),
    syncLimit: String(opts.syncLimit ?? 5),
    ...serverLines,
    ...opts.config,
  };
  const members: EnsembleMember[] = [];
  /** Members replaced by the other kind of server. */
  const replacedBy = new Map<number, Launcher>();
  /** One member's process, with its dataDir and myid under the ensemble's directory. */
  const launchMember = async (id: number, role: EnsembleMember["role"], clientPort: number, sharedConfig: Record<string, string>) => {
    const dataDir = join(base, `server${id}`);
    await mkdir(dataDir, { recursive: true });
    if (!existsSync(join(dataDir, "myid"))) await writeFile(join(dataDir, "myid"), `${id}\n`);
    const config = { ...sharedConfig, ...(role === "observer" ? { peerType: "observer" } : {}), ...opts.memberConfig?.(id) };
    return await launch(replacedBy.get(id) ?? launcherOf(id), {
      port: clientPort,
      dataDir,
      tickTime: opts.tickTime ?? 200,
      config,
      startTimeoutMs: opts.startTimeoutMs ?? 60_000,
      ...(opts.memberSystemProperties === undefined ? {} : { systemProperties: opts.memberSystemProperties(id) }),
    });
  };
  try {
    // Started together: no member answers srvr with a Mode until a quorum has formed. Every
    // start is awaited, so a failed one leaves no member running behind the cleanup below.
    const started = await Promise.allSettled(
      specs.map(async (s) => {
        const server = await launchMember(s.id, s.role, s.clientPort, shared);
        members.push({ id: s.id, role: s.role, server, serverLine: `server.${s.id}=${serverLines[`server.${s.id}`]}` });
      }),
    );
    const failure = started.find((r) => r.status === "rejected");
    if (failure !== undefined) throw failure.reason;
  } catch (err) {
    await Promise.all(members.map((m) => m.server.stop().catch(() => undefined)));
    await removeBase();
    throw err;
  }
  members.sort((a, b) => a.id - b.id);

  const modeOf = async (member: EnsembleMember): Promise<string | null> => {
    if (member.server.pid === null) return null;
    try {
      const answer = await fourLetterWord(member.server.host, member.server.port, "srvr", 2000);
      return /^Mode: (\w+)$/m.exec(answer)?.[1] ?? null;
    } catch {
      return null;
    }
  };

  return {
    members,
    connectString: members.map((m) => m.server.connectString).join(","),
    modeOf,
    async waitForLeader(timeoutMs = 30_000) {
      const deadline = performance.now() + timeoutMs;
      let seen = "";
      while (performance.now() < deadline) {
        const running = members.filter((m) => m.server.pid !== null);
        const modes = await Promise.all(running.map((m) => modeOf(m)));
        seen = running.map((m, i) => `${m.id}=${modes[i]}`).join(" ");
        const leaders = running.filter((_, i) => modes[i] === "leader");
        if (leaders.length === 1 && modes.every((m) => m !== null)) return leaders[0]!;
        await sleep(POLL_MS);
      }
      throw new Error(`no leader with every running member serving within ${timeoutMs} ms (last: ${seen})`);
    },
    async join(id, role) {
      // Its ports are in no configuration yet: a start that finds one taken tries fresh ones.
      for (let attempt = 1; ; attempt++) {
        const spec = { clientPort: await freePort(), quorumPort: await freePort(), electionPort: await freePort() };
        const line = `127.0.0.1:${spec.quorumPort}:${spec.electionPort}:${role};127.0.0.1:${spec.clientPort}`;
        try {
          // It serves once it follows the leader; until a reconfig adds it, it does not vote.
          const server = await launchMember(id, role, spec.clientPort, { ...shared, [`server.${id}`]: line });
          const member: EnsembleMember = { id, role, server, serverLine: `server.${id}=${line}` };
          members.push(member);
          return member;
        } catch (err) {
          if (attempt >= START_ATTEMPTS || !isBindFailure(err)) throw err;
        }
      }
    },
    async replace(member, kind) {
      const index = members.indexOf(member);
      if (index < 0) throw new Error(`server ${member.id} is not a member of this ensemble`);
      await member.server.stop();
      replacedBy.set(member.id, kind === "zkts" ? zktsLauncher : referenceQuorumLauncher);
      const lineConfig = { ...shared, [`server.${member.id}`]: member.serverLine.substring(member.serverLine.indexOf("=") + 1) };
      const server = await launchMember(member.id, member.role, member.server.port, lineConfig);
      const replaced: EnsembleMember = { ...member, server };
      members[index] = replaced;
      return replaced;
    },
    directory: base,
    async stop() {
      await Promise.all(members.map((m) => m.server.stop()));
    },
    async cleanup() {
      await Promise.all(members.map((m) => m.server.stop().catch(() => undefined)));
      await removeBase();
    },
  };
}
