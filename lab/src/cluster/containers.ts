import { mkdir } from "node:fs/promises";
import { join } from "node:path";
import { ensembleMemberCommand, fourLetterWord, renderZooCfg, repoRoot } from "@zkts/testkit";
import { GenericContainer, type StartedTestContainer, Wait } from "testcontainers";
import { AnswersSrvr } from "../containers/answers-srvr.js";
import { APP_DIR, DATA_DIR, type LabImages, TOXIPROXY_ENTRY, ensureLabImages } from "../containers/images.js";
import { MemberContainer } from "../containers/member-container.js";
import { MEMBER_LABEL, dockerode, onInterrupt, removeRun, runLabels, sweepLeftovers } from "../containers/run-resources.js";
import { type Cluster, type Target, memberKind } from "./cluster.js";
import { leaderOf, waitUntilHealthy } from "./ensemble-health.js";
import { type MemberUpstreams, ProxyMesh, clientProxyName } from "./proxy-mesh.js";
import { type EnsembleShape, hostPort, memberZooCfg, modeFromSrvr } from "./zoo-cfg.js";

export interface ContainerClusterOptions extends EnsembleShape {
  target: Target;
  /** Seed of the Toxiproxy server's draws (toxicity, jitter, slice sizes). */
  seed?: number;
  /** Extra environment for every member (e.g. ZKTS_UNSAFE). */
  env?: Record<string, string>;
  /** Images to run; made (or found) by ensureLabImages() when absent. */
  images?: LabImages;
}

/** What starting the cluster took, for reports. */
export interface ContainerStartTimes {
  readonly imagesMs: number;
  readonly toxiproxyMs: number;
  /** Each member's container, created, started and answering srvr on its client port (they start together). */
  readonly membersMs: ReadonlyMap<number, number>;
  readonly totalMs: number;
}

export interface ContainerCluster extends Cluster {
  readonly runId: string;
  readonly startTimes: ContainerStartTimes;
  /** Takes a member off the lab's network (docker network disconnect): every link of it is cut at once. */
  disconnect(member: number): Promise<void>;
  reconnect(member: number): Promise<void>;
  /** Members that exited without being asked to (a crash), with how. */
  crashes(): string[];
}

/** Inside the lab's network every member listens on ZooKeeper's usual ports. */
const PORTS = { client: 2181, quorum: 2888, election: 3888 } as const;
const TOXIPROXY_ALIAS = "toxiproxy";
const TOXIPROXY_API_PORT = 8474;
/** Client proxies (published to the host) and peer proxies (inside the network only) listen on fixed ports from these. */
const CLIENT_PROXY_PORT_BASE = 21000;
const PEER_PROXY_PORT_BASE = 22000;
const CONTAINER_START_MS_MAX = 60_000;
const LOOPBACK = "127.0.0.1";

const memberAlias = (id: number) => `zk${id}`;

/**
 * Members in containers on a Docker network the lab creates, every link through a Toxiproxy
 * container on that network. Each member's zoo.cfg names its peers at proxies only it dials
 * (`toxiproxy:<port>`) and itself under its own alias, with quorumListenOnAllIPs so it binds
 * its peer ports whatever its own line says. Clients reach a member through its client proxy,
 * published to the host; the lab's own look at a member (srvr) uses the member's real client
 * port, published too, so faults never blind the lab. Kill, restart of the same container
 * (data kept), pause (cgroup freezer) and network disconnect go through the engine.
 * Everything carries the run's labels and is removed at close, on SIGINT/SIGTERM, or by the
 * next run's sweep if this process died.
 */
export async function startContainerCluster(opts: ContainerClusterOptions): Promise<ContainerCluster> {
  // The Ryuk reaper's image cannot be pulled without a registry; the run's labels do its job.
  process.env.TESTCONTAINERS_RYUK_DISABLED ??= "true";
  const begun = performance.now();
  const images = opts.images ?? (await ensureLabImages());
  const imagesMs = performance.now() - begun;
  await sweepLeftovers();
  const engine = await dockerode();
  const { runId, labels } = runLabels();
  const unhook = onInterrupt(() => removeRun(runId));
  try {
    const network = `zkts-lab-${runId}`;
    await engine.createNetwork({ Name: network, Driver: "bridge", CheckDuplicate: true, Labels: labels });
    const ids = Array.from({ length: opts.voters + (opts.observers ?? 0) }, (_, i) => i + 1);

    const toxiproxyBegun = performance.now();
    const clientProxyPorts = new Map(ids.map((id, i) => [clientProxyName(id), CLIENT_PROXY_PORT_BASE + i]));
    const toxiproxy = await new GenericContainer(images.node)
      .withCommand([
        process.execPath,
        inImage(TOXIPROXY_ENTRY),
        "--host",
        "0.0.0.0",
        "--port",
        String(TOXIPROXY_API_PORT),
        ...(opts.seed === undefined ? [] : ["--seed", String(opts.seed)]),
      ])
      .withNetworkMode(network)
      .withNetworkAliases(TOXIPROXY_ALIAS)
      .withExposedPorts(TOXIPROXY_API_PORT, ...clientProxyPorts.values())
      .withLabels(labels)
      .withWaitStrategy(Wait.forHttp("/version", TOXIPROXY_API_PORT))
      .withStartupTimeout(CONTAINER_START_MS_MAX)
      .start();
    const toxiproxyMs = performance.now() - toxiproxyBegun;

    const upstreams = new Map<number, MemberUpstreams>(
      ids.map((id) => [
        id,
        { client: `${memberAlias(id)}:${PORTS.client}`, quorum: `${memberAlias(id)}:${PORTS.quorum}`, election: `${memberAlias(id)}:${PORTS.election}` },
      ]),
    );
    let nextPeerPort = PEER_PROXY_PORT_BASE;
    const mesh = await ProxyMesh.create(
      `http://${LOOPBACK}:${toxiproxy.getMappedPort(TOXIPROXY_API_PORT)}`,
      upstreams,
      (name) => `0.0.0.0:${clientProxyPorts.get(name) ?? nextPeerPort++}`,
    );
    const inNetwork = (proxyListen: string) => `${TOXIPROXY_ALIAS}:${hostPort(proxyListen).port}`;
    const clientAddresses = new Map(ids.map((id) => [id, `${LOOPBACK}:${toxiproxy.getMappedPort(hostPort(mesh.clientAddress(id)).port)}`]));

    const membersMs = new Map<number, number>();
    const started = await Promise.all(
      ids.map(async (id) => {
        const memberBegun = performance.now();
        const container = await memberContainer(opts, images, id, mesh, inNetwork, network, labels);
        membersMs.set(id, performance.now() - memberBegun);
        return [id, new MemberContainer(engine, container.getId(), network, memberAlias(id), PORTS.client, container.getMappedPort(PORTS.client))] as const;
      }),
    );
    const members = new Map(started);
    const member = (id: number): MemberContainer => {
      const m = members.get(id);
      if (m === undefined) throw new Error(`no member ${id}`);
      return m;
    };
    const mode = async (id: number): Promise<string | null> => {
      const m = member(id);
      if (!m.isRunning || m.isPaused) return null;
      try {
        return modeFromSrvr(await fourLetterWord(LOOPBACK, m.publishedClientPort, "srvr", 1000));
      } catch {
        return null;
      }
    };
    const crashLines = (id: number) => member(id).crashes.map((c) => `zk${id} exited with code ${c.exitCode} (see logs/zk${id}.log)`);
    const crashes = () => ids.flatMap(crashLines);
    const probe = {
      members: ids,
      isRunning: (id: number) => member(id).isRunning,
      mode,
      crashedAndDown: () => ids.filter((id) => !member(id).isRunning).flatMap(crashLines),
    };

    const cluster: ContainerCluster = {
      driver: "containers",
      target: opts.target,
      members: ids,
      links: mesh,
      runId,
      startTimes: { imagesMs, toxiproxyMs, membersMs, totalMs: performance.now() - begun },
      clientAddress: (id) => {
        member(id);
        return clientAddresses.get(id)!;
      },
      connectString: () => ids.map((id) => clientAddresses.get(id)!).join(","),
      mode,
      leader: () => leaderOf(probe),
      kill: (id, signal = "SIGKILL") => member(id).kill(signal),
      start: (id) => member(id).start(),
      pause: (id) => member(id).pause(),
      resume: (id) => member(id).resume(),
      disconnect: (id) => member(id).disconnect(),
      reconnect: (id) => member(id).reconnect(),
      isRunning: (id) => member(id).isRunning,
      // A member's data is in its container's own filesystem, which has no size of its own.
      fillDisk: async () => {
        throw new Error("disk faults are not available on the containers driver yet (use --driver processes)");
      },
      freeDisk: async () => undefined,
      crashes,
      waitHealthy: (timeoutMs) => waitUntilHealthy(probe, timeoutMs),
      async collectLogs(dir) {
        await mkdir(dir, { recursive: true });
        const written: string[] = [];
        for (const [id, m] of members) {
          const to = join(dir, `zk${id}.log`);
          await m.writeLog(to).then(
            () => written.push(to),
            () => undefined,
          );
        }
        return written;
      },
      async close() {
        for (const m of members.values()) m.retire();
        unhook();
        await removeRun(runId);
      },
    };
    return cluster;
  } catch (err) {
    unhook();
    await removeRun(runId).catch(() => undefined);
    throw err;
  }
}

async function memberContainer(
  opts: ContainerClusterOptions,
  images: LabImages,
  id: number,
  mesh: ProxyMesh,
  inNetwork: (proxyListen: string) => string,
  network: string,
  labels: Record<string, string>,
): Promise<StartedTestContainer> {
  const shape = { ...opts, config: { quorumListenOnAllIPs: "true", ...opts.config } };
  const config = memberZooCfg(
    shape,
    id,
    DATA_DIR,
    PORTS.client,
    (peer) =>
      peer === id
        ? { quorum: `${memberAlias(id)}:${PORTS.quorum}`, election: `${memberAlias(id)}:${PORTS.election}`, client: `0.0.0.0:${PORTS.client}` }
        : {
            quorum: inNetwork(mesh.peerAddress(id, peer, "quorum")),
            election: inNetwork(mesh.peerAddress(id, peer, "election")),
            client: inNetwork(mesh.clientAddress(peer)),
          },
    "0.0.0.0",
  );
  const configPath = "/conf/zoo.cfg";
  const kind = memberKind(opts.target, id);
  const command = ensembleMemberCommand(kind === "zkts" ? "zkts" : "reference", configPath, config);
  return await new GenericContainer(kind === "zkts" ? images.node : images.zookeeper)
    .withCommand([command.file, ...command.args.map(inImage)])
    .withNetworkMode(network)
    .withNetworkAliases(memberAlias(id))
    .withExposedPorts(PORTS.client)
    .withLabels({ ...labels, [MEMBER_LABEL]: String(id) })
    .withEnvironment(opts.env ?? {})
    .withCopyContentToContainer([
      { content: renderZooCfg(Object.entries(config)), target: configPath, mode: 0o644 },
      { content: `${id}\n`, target: `${DATA_DIR}/myid`, mode: 0o644 },
    ])
    .withWaitStrategy(new AnswersSrvr(PORTS.client))
    .withStartupTimeout(CONTAINER_START_MS_MAX)
    .start();
}

/** A path of this checkout as the node image holds it (the repository's files are under APP_DIR). */
function inImage(path: string): string {
  return path.startsWith(`${repoRoot}/`) ? `${APP_DIR}${path.substring(repoRoot.length)}` : path;
}
