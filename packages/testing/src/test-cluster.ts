import { mkdir } from "node:fs/promises";
import { join } from "node:path";
import { EnsembleServer, type Logger, type QuorumMember, type ServerConfig, defaultServerConfig, silentLogger } from "@zkts/server";
import { asyncDispose } from "./dispose-symbol.js";
import { freeLoopbackPort } from "./free-port.js";
import { LinkRelay } from "./link-relay.js";
import { type DataDir, dataDirFor } from "./temp-dir.js";
import { waitUntil } from "./wait.js";

export interface TestClusterOptions {
  /** Voting members; default 3. */
  members?: number;
  /** Default 200 ms, so that elections and failure detection take a second or less. */
  tickTime?: number;
  /** In ticks; defaults 10 and 5. */
  initLimit?: number;
  syncLimit?: number;
  /** Any other member setting. maxSessionTimeout defaults to 60 s so clients get the timeout they ask for. */
  config?: Partial<ServerConfig>;
  /** A parent for the members' data directories, kept at close; default: a temporary one, removed at close. */
  dataDir?: string;
  /** How long start, restart and leader() wait; default 30 s. */
  timeoutMs?: number;
  logger?: Logger;
}

/** One member, as the test sees it. */
export interface TestMember {
  readonly id: number;
  readonly clientPort: number;
  readonly connectString: string;
  readonly dataDir: string;
  /** The running server, or null while killed. */
  readonly server: EnsembleServer | null;
  /** True while partition() holds its quorum links cut. */
  readonly partitioned: boolean;
}

/** An ensemble of real EnsembleServer members in this process, on loopback ports. */
export interface TestCluster extends AsyncDisposable {
  /** Every member's client address, for any ZooKeeper client. */
  readonly connectString: string;
  readonly members: readonly TestMember[];
  member(id: number): TestMember;
  /** Waits until a running, connected member leads and serves, and returns its id. */
  leader(): Promise<number>;
  /** Stops member `id` at once (its clients see connection loss); its data stays. */
  kill(id: number): Promise<void>;
  /** Starts a killed member again on the same ports and data (a running one is killed first). */
  restart(id: number): Promise<void>;
  /**
   * Cuts every quorum and election link to and from member `id`: its peers' connections are
   * reset and new ones refused until heal(). Client links stay: a member without a quorum
   * drops its clients itself, as ZooKeeper does.
   */
  partition(id: number): void;
  /** Restores every cut link. */
  heal(): void;
  /**
   * Holds what member `id` receives over its quorum links (what its leader sends it) without
   * closing them, until catchUp(id) lets it through in order: a member falling behind its
   * leader unnoticed, for as long as that stays under syncLimit ticks.
   */
  lag(id: number): void;
  catchUp(id: number): void;
  /** Waits until every running member serves (after a heal or restart). */
  waitServing(): Promise<void>;
  /** Stops every member, closes the relays and removes a temporary data directory. */
  close(): Promise<void>;
}

const HOST = "127.0.0.1";
const PREALLOC_BYTES = 1 << 20;
const START_ATTEMPTS = 3;

/**
 * A member's ports, picked before any member starts: every member's configuration names every
 * peer's client address too (the /zookeeper/config node shows them), so none can wait for
 * the kernel to choose.
 */
interface MemberPorts {
  client: number;
  quorum: number;
  election: number;
}

/**
 * Starts `members` EnsembleServer members. Each member dials its peers through a relay of
 * its own per directed link (member A's view of B is a port only A uses), which is what lets
 * partition() cut one member away without a seam in the server's transports.
 */
export async function startTestCluster(options: TestClusterOptions = {}): Promise<TestCluster> {
  const size = options.members ?? 3;
  if (!Number.isInteger(size) || size < 1) throw new Error(`members must be a positive integer, got ${size}`);
  const root = await dataDirFor(options.dataDir, "zkts-testing-cluster-");
  let lastError: unknown;
  // Peer ports are picked before any member binds them; one taken meanwhile means a retry.
  for (let attempt = 0; attempt < START_ATTEMPTS; attempt++) {
    const cluster = await EmbeddedCluster.create(options, size, root);
    try {
      await cluster.startAll();
      return cluster;
    } catch (err) {
      lastError = err;
      await cluster.shutDown();
      if (!/EADDRINUSE/.test(String((err as Error).message))) break;
    }
  }
  await root.dispose();
  throw lastError;
}

class Member implements TestMember {
  server: EnsembleServer | null = null;
  partitioned = false;

  constructor(
    readonly id: number,
    readonly dataDir: string,
    readonly ports: MemberPorts,
  ) {}

  get clientPort(): number {
    return this.ports.client;
  }

  get connectString(): string {
    return `${HOST}:${this.clientPort}`;
  }
}

class EmbeddedCluster implements TestCluster {
  private closed = false;

  private constructor(
    private readonly options: TestClusterOptions,
    readonly members: Member[],
    /** relays.get(from).get(to): the quorum and election relays `from` dials to reach `to`. */
    private readonly relays: Map<number, Map<number, { quorum: LinkRelay; election: LinkRelay }>>,
    private readonly root: DataDir,
    private readonly logger: Logger,
  ) {}

  static async create(options: TestClusterOptions, size: number, root: DataDir): Promise<EmbeddedCluster> {
    const members: Member[] = [];
    for (let id = 1; id <= size; id++) {
      const dataDir = join(root.path, `member-${id}`);
      await mkdir(dataDir, { recursive: true });
      members.push(new Member(id, dataDir, { client: await freeLoopbackPort(), quorum: await freeLoopbackPort(), election: await freeLoopbackPort() }));
    }
    const relays = new Map<number, Map<number, { quorum: LinkRelay; election: LinkRelay }>>();
    for (const from of members) {
      const row = new Map<number, { quorum: LinkRelay; election: LinkRelay }>();
      relays.set(from.id, row);
      for (const to of members) {
        if (to === from) continue;
        row.set(to.id, { quorum: await LinkRelay.open(to.ports.quorum), election: await LinkRelay.open(to.ports.election) });
      }
    }
    return new EmbeddedCluster(options, members, relays, root, options.logger ?? silentLogger);
  }

  get connectString(): string {
    return this.members.map((m) => m.connectString).join(",");
  }

  member(id: number): Member {
    const member = this.members.find((m) => m.id === id);
    if (member === undefined) throw new Error(`no member ${id} (members are 1 to ${this.members.length})`);
    return member;
  }

  async startAll(): Promise<void> {
    // Every member binds its ports and recovers first, then all start together.
    const opened = await Promise.all(this.members.map((m) => this.open(m)));
    await Promise.all(
      opened.map(async (server, i) => {
        await server.start();
        this.members[i]!.server = server;
      }),
    );
    await this.waitServing();
  }

  async leader(): Promise<number> {
    let found: number | null = null;
    await waitUntil(
      () => {
        found = this.currentLeader();
        return found !== null;
      },
      this.timeoutMs(),
      "a serving leader",
      20,
    );
    return found!;
  }

  async kill(id: number): Promise<void> {
    const member = this.member(id);
    const server = member.server;
    if (server === null) return;
    member.server = null;
    await server.stop();
  }

  async restart(id: number): Promise<void> {
    const member = this.member(id);
    await this.kill(id);
    if (this.closed) throw new Error("the test cluster is closed");
    const server = await this.open(member);
    await server.start();
    member.server = server;
    await waitUntil(() => member.partitioned || server.serving, this.timeoutMs(), `member ${id} to serve`, 20);
  }

  partition(id: number): void {
    const member = this.member(id);
    member.partitioned = true;
    for (const [from, row] of this.relays) {
      for (const [to, pair] of row) {
        if (from !== id && to !== id) continue;
        pair.quorum.cutLink();
        pair.election.cutLink();
      }
    }
  }

  lag(id: number): void {
    for (const pair of this.relays.get(this.member(id).id)!.values()) pair.quorum.hold();
  }

  catchUp(id: number): void {
    for (const pair of this.relays.get(this.member(id).id)!.values()) pair.quorum.release();
  }

  heal(): void {
    for (const row of this.relays.values()) {
      for (const pair of row.values()) {
        pair.quorum.restore();
        pair.election.restore();
      }
    }
    for (const m of this.members) m.partitioned = false;
  }

  async waitServing(): Promise<void> {
    await waitUntil(
      () => this.members.every((m) => m.server === null || m.partitioned || m.server.serving),
      this.timeoutMs(),
      "every running member to serve",
      20,
    );
  }

  async close(): Promise<void> {
    if (this.closed) return;
    await this.shutDown();
    await this.root.dispose();
  }

  /** Stops members and relays, keeping the data directories. */
  async shutDown(): Promise<void> {
    this.closed = true;
    await Promise.all(this.members.map((m) => this.kill(m.id)));
    await Promise.all([...this.relays.values()].flatMap((row) => [...row.values()].flatMap((p) => [p.quorum.close(), p.election.close()])));
  }

  async [asyncDispose](): Promise<void> {
    await this.close();
  }

  private currentLeader(): number | null {
    const leaders = this.members.filter((m) => !m.partitioned && m.server !== null && m.server.role === "LEADING" && m.server.serving);
    return leaders.length === 1 ? leaders[0]!.id : null;
  }

  private timeoutMs(): number {
    return this.options.timeoutMs ?? 30_000;
  }

  /** Opens member `member`'s server (bound, recovered, not yet started). */
  private async open(member: Member): Promise<EnsembleServer> {
    const server = await EnsembleServer.open({
      config: this.configOf(member),
      members: this.members.map((peer) => this.viewOf(member, peer)),
      initLimit: this.options.initLimit ?? 10,
      syncLimit: this.options.syncLimit ?? 5,
      logger: this.logger,
      onFatal: (err) => {
        // A member that cannot persist stops, as its process would exit.
        this.logger.log("error", "member stopped: its replica failed", { member: member.id, err });
        void this.kill(member.id);
      },
    });
    return server;
  }

  /** Where `self` finds `peer`: its own real ports for itself, else its relays to the peer. */
  private viewOf(self: Member, peer: Member): QuorumMember {
    const ports =
      self === peer
        ? peer.ports
        : { quorum: this.relays.get(self.id)!.get(peer.id)!.quorum.port, election: this.relays.get(self.id)!.get(peer.id)!.election.port };
    return {
      id: peer.id,
      host: HOST,
      quorumPort: ports.quorum,
      electionPort: ports.election,
      role: "participant",
      clientHost: HOST,
      clientPort: peer.clientPort,
    };
  }

  private configOf(member: Member): ServerConfig {
    const tickTime = this.options.tickTime ?? this.options.config?.tickTime ?? 200;
    return defaultServerConfig({
      tickTime,
      maxSessionTimeout: 60_000,
      fourLetterWords: "*",
      // Log files grow in 1 MiB steps, not ZooKeeper's 64 MiB: recovery on restart reads the
      // whole preallocated file, which took 0.8 s at 64 MiB and takes 40 ms at 1 MiB.
      preAllocSizeBytes: PREALLOC_BYTES,
      ...this.options.config,
      dataDir: member.dataDir,
      dataLogDir: member.dataDir,
      clientPortAddress: HOST,
      clientPort: member.clientPort,
      serverId: member.id,
      inMemory: false,
    });
  }
}
