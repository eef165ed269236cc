import { mkdir, writeFile } from "node:fs/promises";
import { basename, join, posix } from "node:path";
import { pathToFileURL } from "node:url";
import { ensembleMemberCommand, fourLetterWord, renderZooCfg, repoRoot } from "@zkts/testkit";
import { GenericContainer, type StartedTestContainer, Wait } from "testcontainers";
import { AnswersSrvr } from "../containers/answers-srvr.js";
import { APP_DIR, CONF_DIR, DATA_DIR, HOSTS_PRELOAD_ENTRY, type LabImages, TOXIPROXY_ENTRY, ensureLabImages } from "../containers/images.js";
import { MemberContainer } from "../containers/member-container.js";
import { MEMBER_LABEL, POD_LABEL, dockerode, onInterrupt, removeRun, runLabels, sweepLeftovers } from "../containers/run-resources.js";
import { type Cluster, type Target, memberKind } from "./cluster.js";
import {
  CONTAINER_NAMED_PEERS_MAX,
  POD_FORWARDERS_API,
  containerHostsFile,
  containerPeerPorts,
  containerPeerView,
  containerServerSpec,
  podForwarders,
} from "./container-peers.js";
import { leaderOf, waitUntilHealthy } from "./ensemble-health.js";
import { resolvingThrough } from "./named-peers.js";
import { type MemberUpstreams, ProxyMesh, clientProxyName } from "./proxy-mesh.js";
import { rejoinNotice, rejoinedZooCfg } from "./rejoin-config.js";
import { type EnsembleShape, hostPort, memberZooCfg, modeFromSrvr } from "./zoo-cfg.js";

export interface ContainerClusterOptions extends EnsembleShape {
  target: Target;
  /** Seed of the Toxiproxy server's draws (toxicity, jitter, slice sizes). */
  seed?: number;
  /** Extra environment for every member (e.g. ZKTS_UNSAFE). */
  env?: Record<string, string>;
  /** Images to run; made (or found) by ensureLabImages() when absent. */
  images?: LabImages;
  /**
   * Name the members in the server lines, each member in a pod of its own that resolves the
   * names to forwarders to its own proxies (container-peers.ts), so that the lines a reconfig
   * hands every member still mean each member's own proxies. Runs that reconfig need it.
   */
  namedPeers?: boolean;
}

/** What starting the cluster took, for reports. */
export interface ContainerStartTimes {
  readonly imagesMs: number;
  readonly toxiproxyMs: number;
  /** Each member's container (after its pod's, with named peers), created, started and answering srvr on its client port (they start together). */
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
/** A member's files in its container: zoo.cfg (ZooKeeper writes its dynamic files beside it) and, with named peers, the hosts file. */
const CONFIG_PATH = `${CONF_DIR}/zoo.cfg`;
const HOSTS_PATH = `${CONF_DIR}/hosts`;
/** A pod's forwarders, created by its Toxiproxy at start. */
const FORWARDERS_PATH = `${CONF_DIR}/forwarders.json`;

const memberAlias = (id: number) => `zk${id}`;

/** A member once its container serves, and the zoo.cfg it was started with. */
interface StartedMember {
  readonly container: MemberContainer;
  readonly startConfig: Record<string, string>;
}

/**
 * Members in containers on a Docker network the lab creates, every link through a Toxiproxy
 * container on that network. Each member's zoo.cfg names its peers at proxies only it dials
 * (`toxiproxy:<port>`) and itself under its own alias, with quorumListenOnAllIPs so it binds
 * its peer ports whatever its own line says; with `namedPeers` every member's lines name
 * `zkN` alike, and each member's pod resolves the names to its own proxies (container-peers.ts).
 * Clients reach a member through its client proxy, published to the host; the lab's own look
 * at a member (srvr) uses the member's real client port, published too, so faults never blind
 * the lab. Kill, restart of the same container (data kept), pause (cgroup freezer) and
 * network disconnect go through the engine. Everything carries the run's labels and is
 * removed at close, on SIGINT/SIGTERM, or by the next run's sweep if this process died.
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
    const named = opts.namedPeers === true;
    if (named && ids.length > CONTAINER_NAMED_PEERS_MAX) throw new Error(`named peers in containers take at most ${CONTAINER_NAMED_PEERS_MAX} members`);

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

    // The alias zkN is the member's container, or its pod's (which it shares the network of).
    const upstreams = new Map<number, MemberUpstreams>(
      ids.map((id) => {
        const peer = named ? containerPeerPorts(id) : PORTS;
        return [
          id,
          { client: `${memberAlias(id)}:${PORTS.client}`, quorum: `${memberAlias(id)}:${peer.quorum}`, election: `${memberAlias(id)}:${peer.election}` },
        ];
      }),
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
    const start = { opts, images, engine, ids, mesh, inNetwork, network, labels };
    const started = await Promise.all(
      ids.map(async (id) => {
        const memberBegun = performance.now();
        const one = named ? await podMember(start, id) : await addressedMember(start, id);
        membersMs.set(id, performance.now() - memberBegun);
        return [id, one] as const;
      }),
    );
    const startedMembers = new Map(started);
    const members = new Map(started.map(([id, one]) => [id, one.container]));
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
      ...(named ? { serverSpec: (id: number, role: "participant" | "observer") => containerServerSpec(id, role, PORTS.client) } : {}),
      kill: (id, signal = "SIGKILL") => member(id).kill(signal),
      async start(id) {
        const m = member(id);
        // Both servers refuse to start outside their own last configuration: a member a
        // reconfig removed comes back as a joiner (rejoin-config.ts), as on the processes driver.
        if (named && !m.isRunning) {
          const rewritten = await rejoinedZooCfg(
            await m.readFile(CONFIG_PATH),
            CONFIG_PATH,
            (path) => m.readFile(path),
            id,
            startedMembers.get(id)!.startConfig,
          );
          if (rewritten !== null) {
            await m.writeFile(CONFIG_PATH, rewritten);
            m.note(rejoinNotice(id));
          }
        }
        await m.start();
      },
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
          written.push(...(await copyConfigInForce(m, join(dir, `zk${id}-conf`))));
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

/** What starting one member needs. */
interface MemberStart {
  readonly opts: ContainerClusterOptions;
  readonly images: LabImages;
  readonly engine: Awaited<ReturnType<typeof dockerode>>;
  readonly ids: readonly number[];
  readonly mesh: ProxyMesh;
  /** A proxy's listen address as the lab's network reaches it (`toxiproxy:<port>`). */
  readonly inNetwork: (proxyListen: string) => string;
  readonly network: string;
  readonly labels: Record<string, string>;
}

/** The member's zoo.cfg, its command, and the files copied into its container beside it. */
function memberLaunch(s: MemberStart, id: number, config: Record<string, string>) {
  const kind = memberKind(s.opts.target, id);
  const command = ensembleMemberCommand(kind === "zkts" ? "zkts" : "reference", CONFIG_PATH, config);
  return {
    image: kind === "zkts" ? s.images.node : s.images.zookeeper,
    kind,
    command: { file: command.file, args: command.args.map(inImage) },
    files: [
      { content: renderZooCfg(Object.entries(config)), target: CONFIG_PATH, mode: 0o644 },
      { content: `${id}\n`, target: `${DATA_DIR}/myid`, mode: 0o644 },
    ],
  };
}

/**
 * Address mode: the member's container on the lab's network under its alias; its zoo.cfg names
 * each peer at the proxy only it dials (`toxiproxy:<port>`).
 */
async function addressedMember(s: MemberStart, id: number): Promise<StartedMember> {
  const shape = { ...s.opts, config: { quorumListenOnAllIPs: "true", ...s.opts.config } };
  const config = memberZooCfg(
    shape,
    id,
    DATA_DIR,
    PORTS.client,
    (peer) =>
      peer === id
        ? { quorum: `${memberAlias(id)}:${PORTS.quorum}`, election: `${memberAlias(id)}:${PORTS.election}`, client: `0.0.0.0:${PORTS.client}` }
        : {
            quorum: s.inNetwork(s.mesh.peerAddress(id, peer, "quorum")),
            election: s.inNetwork(s.mesh.peerAddress(id, peer, "election")),
            client: s.inNetwork(s.mesh.clientAddress(peer)),
          },
    "0.0.0.0",
  );
  const launch = memberLaunch(s, id, config);
  const container: StartedTestContainer = await new GenericContainer(launch.image)
    .withCommand([launch.command.file, ...launch.command.args])
    .withNetworkMode(s.network)
    .withNetworkAliases(memberAlias(id))
    .withExposedPorts(PORTS.client)
    .withLabels({ ...s.labels, [MEMBER_LABEL]: String(id) })
    .withEnvironment(s.opts.env ?? {})
    .withCopyContentToContainer(launch.files)
    .withWaitStrategy(new AnswersSrvr(PORTS.client))
    .withStartupTimeout(CONTAINER_START_MS_MAX)
    .start();
  return {
    container: new MemberContainer(s.engine, container.getId(), s.network, memberAlias(id), PORTS.client, container.getMappedPort(PORTS.client)),
    startConfig: config,
  };
}

/**
 * Named peers (container-peers.ts): first the member's pod, on the lab's network under the
 * member's alias and host name, publishing the client port, its Toxiproxy forwarding each
 * peer's loopback alias to this member's proxies; then the member in the pod's network
 * namespace, its lines naming every member `zkN`, resolved through the hosts file.
 */
async function podMember(s: MemberStart, id: number): Promise<StartedMember> {
  const alias = memberAlias(id);
  const forwarders = podForwarders(id, s.ids, (from, to, port) => s.inNetwork(s.mesh.peerAddress(from, to, port)));
  const pod = await new GenericContainer(s.images.node)
    .withCommand([
      process.execPath,
      inImage(TOXIPROXY_ENTRY),
      "--host",
      POD_FORWARDERS_API.host,
      "--port",
      String(POD_FORWARDERS_API.port),
      "--config",
      FORWARDERS_PATH,
    ])
    .withNetworkMode(s.network)
    .withNetworkAliases(alias)
    .withHostname(alias)
    .withExposedPorts(PORTS.client)
    .withLabels({ ...s.labels, [POD_LABEL]: String(id) })
    .withCopyContentToContainer([{ content: `${JSON.stringify(forwarders, null, 2)}\n`, target: FORWARDERS_PATH, mode: 0o644 }])
    .withWaitStrategy(Wait.forLogMessage("toxiproxy API on"))
    .withStartupTimeout(CONTAINER_START_MS_MAX)
    .start();
  const publishedClientPort = pod.getMappedPort(PORTS.client);
  const shape = { ...s.opts, config: { quorumListenOnAllIPs: "true", ...s.opts.config } };
  const config = memberZooCfg(shape, id, DATA_DIR, PORTS.client, (peer) => containerPeerView(peer, PORTS.client), "0.0.0.0");
  const launch = memberLaunch(s, id, config);
  const resolving = resolvingThrough(launch.kind, launch.command, HOSTS_PATH, pathToFileURL(inImage(HOSTS_PRELOAD_ENTRY)).href);
  const container = await new GenericContainer(launch.image)
    .withCommand([resolving.command.file, ...resolving.command.args])
    .withNetworkMode(`container:${pod.getId()}`)
    .withLabels({ ...s.labels, [MEMBER_LABEL]: String(id) })
    .withEnvironment({ ...s.opts.env, ...resolving.env })
    .withCopyContentToContainer([...launch.files, { content: containerHostsFile(s.ids, alias), target: HOSTS_PATH, mode: 0o644 }])
    .withWaitStrategy(new AnswersSrvr(PORTS.client, publishedClientPort))
    .withStartupTimeout(CONTAINER_START_MS_MAX)
    .start();
  return {
    container: new MemberContainer(s.engine, container.getId(), s.network, alias, PORTS.client, publishedClientPort, pod.getId()),
    startConfig: config,
  };
}

/** A path of this checkout as the node image holds it (the repository's files are under APP_DIR). */
function inImage(path: string): string {
  return path.startsWith(`${repoRoot}/`) ? `${APP_DIR}${path.substring(repoRoot.length)}` : path;
}

/** A member's zoo.cfg and the dynamic file it names, as the processes driver keeps them beside the log. */
async function copyConfigInForce(m: MemberContainer, to: string): Promise<string[]> {
  const copied: string[] = [];
  const copy = async (path: string): Promise<string | null> => {
    const text = await m.readFile(path).catch(() => null);
    if (text === null) return null;
    await mkdir(to, { recursive: true });
    await writeFile(join(to, basename(path)), text);
    copied.push(join(to, basename(path)));
    return text;
  };
  const zooCfg = await copy(CONFIG_PATH);
  const dynamicFile = zooCfg === null ? undefined : /^dynamicConfigFile=(.+)$/m.exec(zooCfg)?.[1]?.trim();
  if (dynamicFile !== undefined) await copy(posix.resolve(CONF_DIR, dynamicFile));
  return copied;
}
