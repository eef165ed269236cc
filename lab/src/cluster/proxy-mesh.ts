import toxiproxyClient from "toxiproxy-node-client";
import type { LinkFaults, LinkScope, LinkToxic } from "./cluster.js";

const { Toxiproxy } = toxiproxyClient;
type ToxiproxyApi = InstanceType<typeof Toxiproxy>;

/** ZooKeeper's two peer ports: followers dial the leader's quorum port, everyone dials election ports. */
export type PeerPort = "quorum" | "election";

/** Where a member really listens, as seen from the Toxiproxy server. */
export interface MemberUpstreams {
  readonly client: string;
  readonly quorum: string;
  readonly election: string;
}

/**
 * Every link of an ensemble through its own Toxiproxy proxy: one per member for clients, and
 * one per directed pair of members and peer port (ZooKeeper peers dial the addresses of their
 * own `server.N` lines, and Toxiproxy cannot tell callers apart, so member A's view of B must
 * be a proxy only A uses). A 5-member ensemble has 5 + 5×4×2 = 45 proxies.
 *
 * Driven only through toxiproxy-node-client, so the lab's own Toxiproxy server and the
 * upstream one are interchangeable.
 */
export class ProxyMesh implements LinkFaults {
  private readonly listening = new Map<string, string>();
  /** Makes every toxic's name unique, so the same fault can be stacked on a link twice. */
  private toxicSerial = 0;

  private constructor(
    private readonly api: ToxiproxyApi,
    readonly members: readonly number[],
  ) {}

  /**
   * Creates the proxies. `listenOn(name, index)` gives each proxy's listen address ("host:0"
   * lets the server pick a port, the way a loopback cluster wants; a container cluster gives
   * fixed ports its members can name).
   */
  static async create(
    toxiproxyUrl: string,
    upstreams: ReadonlyMap<number, MemberUpstreams>,
    listenOn: (name: string, index: number) => string,
  ): Promise<ProxyMesh> {
    const members = [...upstreams.keys()].sort((a, b) => a - b);
    const mesh = new ProxyMesh(new Toxiproxy(toxiproxyUrl), members);
    const bodies: { name: string; listen: string; upstream: string; enabled: boolean }[] = [];
    const add = (name: string, upstream: string) => bodies.push({ name, listen: listenOn(name, bodies.length), upstream, enabled: true });
    for (const m of members) add(clientProxyName(m), upstreams.get(m)!.client);
    for (const from of members) {
      for (const to of members) {
        if (from === to) continue;
        add(peerProxyName(from, to, "quorum"), upstreams.get(to)!.quorum);
        add(peerProxyName(from, to, "election"), upstreams.get(to)!.election);
      }
    }
    // Proxies left by an earlier run on the same Toxiproxy are replaced.
    const created = await mesh.api.populate(bodies);
    for (const proxy of Object.values(created)) mesh.listening.set(proxy.name, proxy.listen);
    for (const body of bodies) {
      if (!mesh.listening.has(body.name)) mesh.listening.set(body.name, (await mesh.api.get(body.name)).listen);
    }
    return mesh;
  }

  /** The address a member's clients dial. */
  clientAddress(member: number): string {
    return this.listenAddress(clientProxyName(member));
  }

  /** The address `from` dials to reach `to`'s quorum or election port. */
  peerAddress(from: number, to: number, port: PeerPort): string {
    return this.listenAddress(peerProxyName(from, to, port));
  }

  async add(scopes: readonly LinkScope[], toxic: LinkToxic, direction: "upstream" | "downstream" | "both"): Promise<void> {
    const streams = direction === "both" ? (["upstream", "downstream"] as const) : [direction];
    const names = scopes.flatMap((scope) =>
      scope.kind === "client"
        ? [clientProxyName(scope.member)]
        : [peerProxyName(scope.link.from, scope.link.to, "quorum"), peerProxyName(scope.link.from, scope.link.to, "election")],
    );
    await Promise.all(
      names.flatMap((name) =>
        streams.map(async (stream) => {
          const proxy = await this.api.get(name);
          await proxy.addToxic({
            name: `${toxic.type}_${stream}_${this.toxicSerial++}`,
            type: toxic.type,
            stream,
            toxicity: 1,
            attributes: toxicAttributes(toxic),
          } as never);
        }),
      ),
    );
  }

  async healAll(): Promise<void> {
    await this.api.reset();
  }

  /** Removes the mesh's proxies from the Toxiproxy server. */
  async remove(): Promise<void> {
    await Promise.all([...this.listening.keys()].map(async (name) => (await this.api.get(name)).remove().catch(() => undefined)));
  }

  private listenAddress(name: string): string {
    const address = this.listening.get(name);
    if (address === undefined) throw new Error(`no proxy ${name} in this mesh`);
    return address;
  }
}

export function clientProxyName(member: number): string {
  return `client-zk${member}`;
}

export function peerProxyName(from: number, to: number, port: PeerPort): string {
  return `zk${from}-zk${to}-${port}`;
}

function toxicAttributes(toxic: LinkToxic): Record<string, number> {
  switch (toxic.type) {
    case "timeout":
      return toxic.holdClose ? { timeout: toxic.timeoutMs, hold_close: 1 } : { timeout: toxic.timeoutMs };
    case "latency":
      return { latency: toxic.latencyMs, jitter: toxic.jitterMs };
    case "bandwidth":
      return { rate: toxic.rateKBps };
    case "slicer":
      return { average_size: toxic.averageSize, size_variation: toxic.sizeVariation, delay: toxic.delayUs };
    case "reset_peer":
      return { timeout: toxic.timeoutMs };
  }
}
