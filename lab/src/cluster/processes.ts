import { appendFile, copyFile, mkdir, readdir, rm, writeFile } from "node:fs/promises";
import { basename, dirname, join } from "node:path";
import { ensembleMemberCommand, fourLetterWord, renderZooCfg } from "@zkts/testkit";
import { type Cluster, type Target, memberKind } from "./cluster.js";
import { MemberProcess } from "./member-process.js";
import { namedAddressing, portAddressing } from "./peer-addressing.js";
import { rejoinIfRemoved, rejoinNotice } from "./rejoin-config.js";
import { SmallDisk } from "./small-disk.js";
import { startToxiproxyServer } from "../toxiproxy/index.js";
import { type MemberProbe, leaderOf, waitUntilHealthy } from "./ensemble-health.js";
import { type MemberUpstreams, ProxyMesh } from "./proxy-mesh.js";
import { type EnsembleShape, memberZooCfg, modeFromSrvr } from "./zoo-cfg.js";

export interface ProcessClusterOptions extends EnsembleShape {
  target: Target;
  /** The Toxiproxy API every link goes through; without one the cluster runs the lab's own in-process (seeded with `seed`). */
  toxiproxyUrl?: string;
  seed?: number;
  /** Where members keep their data directories and logs. */
  dir: string;
  /** Give each member's data directory a disk of its own of this many MiB (a tmpfs; needs root), for disk faults. */
  diskMb?: number;
  /** Extra environment for every member (e.g. ZKTS_UNSAFE). */
  env?: Record<string, string>;
  /**
   * Name the members in the server lines, each resolving the names through a hosts file of its
   * own (peer-addressing.ts), so that a reconfig's lines still mean each member's own proxies.
   */
  namedPeers?: boolean;
}

interface Member {
  readonly id: number;
  readonly clientPort: number;
  readonly process: MemberProcess;
  readonly configPath: string;
  /** The zoo.cfg the member first started with. */
  readonly startConfig: Record<string, string>;
}

const HOST = "127.0.0.1";

/**
 * Members as child processes on loopback ports, every link through the Toxiproxy mesh: each
 * member's server lines lead it to the proxies only it dials (by address, or with `namedPeers`
 * by names it resolves through a hosts file of its own), and clients dial a member's client
 * proxy. The lab's own look at a member (srvr) uses the real port, so faults never
 * blind the lab.
 */
export async function startProcessCluster(opts: ProcessClusterOptions): Promise<Cluster> {
  const ids = Array.from({ length: opts.voters + (opts.observers ?? 0) }, (_, i) => i + 1);
  const { addressing, ports } = opts.namedPeers ? await namedAddressing(ids) : await portAddressing(ids);
  const upstreams = new Map<number, MemberUpstreams>(ids.map((id) => [id, addressing.upstreams(id)]));
  const ownToxiproxy = opts.toxiproxyUrl === undefined ? await startToxiproxyServer({ host: HOST, port: 0, seed: opts.seed ?? 0 }) : null;
  const mesh = await ProxyMesh.create(opts.toxiproxyUrl ?? ownToxiproxy!.url, upstreams, (name) => addressing.proxyListen(name));

  const members = new Map<number, Member>();
  const disks = new Map<number, SmallDisk>();
  for (const id of ids) {
    // The member's own directory holds its zoo.cfg and log; its data directory may be a small
    // disk of its own, so that filling it leaves the log and everything else writable.
    const memberDir = join(opts.dir, `zk${id}`);
    const dataDir = join(memberDir, "data");
    await mkdir(dataDir, { recursive: true });
    if (opts.diskMb !== undefined) {
      const disk = new SmallDisk(dataDir, opts.diskMb);
      await disk.mount();
      disks.set(id, disk);
    }
    await writeFile(join(dataDir, "myid"), `${id}\n`);
    const own = ports.get(id)!;
    const config = memberZooCfg(opts, id, dataDir, own.client, (peer) => addressing.view(id, peer, mesh));
    const configPath = join(memberDir, "zoo.cfg");
    await writeFile(configPath, renderZooCfg(Object.entries(config)));
    const kind = memberKind(opts.target, id);
    const launch = await addressing.launch(id, memberDir, kind, ensembleMemberCommand(kind === "zkts" ? "zkts" : "reference", configPath, config));
    const proc = new MemberProcess(withEnv(launch.command, { ...opts.env, ...launch.env }), memberDir, join(memberDir, "member.log"));
    members.set(id, { id, clientPort: own.client, process: proc, configPath, startConfig: config });
  }
  await addressing.release();
  for (const m of members.values()) m.process.start();

  const diskOf = (id: number): SmallDisk => {
    const disk = disks.get(id);
    if (disk === undefined) throw new Error("disk faults need members with disks of their own (diskMb)");
    return disk;
  };
  const member = (id: number): Member => {
    const m = members.get(id);
    if (m === undefined) throw new Error(`no member ${id}`);
    return m;
  };
  const mode = async (id: number): Promise<string | null> => {
    const m = member(id);
    if (!m.process.running || m.process.isPaused) return null;
    try {
      return modeFromSrvr(await fourLetterWord(HOST, m.clientPort, "srvr", 1000));
    } catch {
      return null;
    }
  };

  const crashLines = (id: number) => member(id).process.crashes.map((c) => `zk${id} exited with ${c.signal ?? `code ${c.code}`} (see logs/zk${id}.log)`);
  const probe: MemberProbe = {
    members: ids,
    isRunning: (id) => member(id).process.running,
    mode,
    crashedAndDown: () => ids.filter((id) => !member(id).process.running).flatMap(crashLines),
  };

  const cluster: Cluster = {
    driver: "processes",
    target: opts.target,
    members: ids,
    links: mesh,
    ...(addressing.serverSpec === undefined ? {} : { serverSpec: (id: number, role: "participant" | "observer") => addressing.serverSpec!(id, role) }),
    clientAddress: (id) => mesh.clientAddress(id),
    connectString: () => ids.map((id) => mesh.clientAddress(id)).join(","),
    mode,
    leader: () => leaderOf(probe),
    async kill(id, signal = "SIGKILL") {
      await member(id).process.stop(signal);
    },
    async start(id) {
      const m = member(id);
      if (addressing.named && !m.process.running && (await rejoinIfRemoved(m.configPath, id, m.startConfig))) {
        await appendFile(m.process.logPath, rejoinNotice(id));
      }
      m.process.start();
    },
    async pause(id) {
      await member(id).process.pause();
    },
    async resume(id) {
      member(id).process.resume();
    },
    isRunning: (id) => member(id).process.running,
    waitHealthy: (timeoutMs) => waitUntilHealthy(probe, timeoutMs),
    async fillDisk(id) {
      await diskOf(id).fill();
    },
    async freeDisk(id) {
      await diskOf(id).free();
    },
    crashes: () => ids.flatMap(crashLines),
    async collectLogs(dir) {
      await mkdir(dir, { recursive: true });
      const written: string[] = [];
      for (const m of members.values()) {
        const to = join(dir, `zk${m.id}.log`);
        await copyFile(m.process.logPath, to).then(
          () => written.push(to),
          () => undefined,
        );
        written.push(...(await copyConfigFiles(m.configPath, join(dir, `zk${m.id}-conf`))));
      }
      return written;
    },
    async close() {
      await Promise.all([...members.values()].map((m) => m.process.stop("SIGKILL")));
      await mesh.remove().catch(() => undefined);
      await ownToxiproxy?.close().catch(() => undefined);
      for (const disk of disks.values()) await disk.unmount();
      await rm(opts.dir, { recursive: true, force: true });
    },
  };
  return cluster;
}

/** Extra environment variables reach the member through `env` on the command line. */
function withEnv(command: { file: string; args: string[] }, env: Record<string, string> | undefined): { file: string; args: string[] } {
  if (env === undefined || Object.keys(env).length === 0) return command;
  return { file: "/usr/bin/env", args: [...Object.entries(env).map(([k, v]) => `${k}=${v}`), command.file, ...command.args] };
}

/**
 * A member's zoo.cfg and the dynamic files a reconfig wrote beside it, as they were when the run
 * ended: which configuration a member would start from is often what a failed run turns on.
 */
async function copyConfigFiles(configPath: string, to: string): Promise<string[]> {
  const name = basename(configPath);
  const files = (await readdir(dirname(configPath)).catch(() => [] as string[])).filter((f) => f === name || f.startsWith(`${name}.dynamic.`));
  if (files.length === 0) return [];
  await mkdir(to, { recursive: true });
  const copied: string[] = [];
  for (const file of files) {
    await copyFile(join(dirname(configPath), file), join(to, file)).then(
      () => copied.push(join(to, file)),
      () => undefined,
    );
  }
  return copied;
}
