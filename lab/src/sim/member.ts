import {
  type ForwardedRequest,
  type LoadedSnapshot,
  type MajorityQuorumVerifier,
  type Message,
  type PeerStatus,
  type PersistedState,
  PROPOSALS_OUTSTANDING_MAX,
  type ProposeResult,
  type Ready,
  Replica,
  type ServerConfig,
  SeededRng,
  type SoftState,
  type TxnBuilder,
  ZabPeer,
  defaultServerConfig,
  type ReadyHandlers,
  ReadyLoop,
  initConfigNode,
  type Membership,
  reconfigMembership,
  replicaStateFrom,
  silentLogger,
} from "@zkts/server";
import type { SimDisk } from "./disk.js";
import type { Envelope } from "./network.js";
import type { SimRandom } from "./random.js";

/** How often a Ready's write takes long enough for messages to arrive meanwhile. */
const DISK_BUSY_CHANCE = 0.3;

/** What a member needs from the simulation around it. */
export interface MemberWorld {
  now(): number;
  sendPeer(message: Message): void;
  /** A learner's request to its leader (epoch: the leadership it follows). */
  sendForward(from: number, to: number, request: ForwardedRequest, epoch: number): void;
  /** Called for every Ready before it is handled: the invariant checks look here. */
  onReady(member: SimMember, r: Ready): void;
  onApplied(member: SimMember, entry: { zxid: bigint; data: Uint8Array }): void;
  onStateAt(member: SimMember, zxid: bigint): void;
  /** The member crashed (its disk lost power or failed an fsync while it persisted). */
  onCrash(member: SimMember): void;
  /**
   * The member's disk is busy with a Ready: what reaches it over the network in the next few
   * milliseconds arrives now, while the write is in flight, as a server's event loop takes
   * input during an fsync.
   */
  whileDiskBusy(member: SimMember): Promise<void>;
  /** Its clients lost their connection: it stopped serving, or closed their session. */
  onClientsDropped(member: SimMember, sessionId: bigint | null): void;
}

export interface MemberSettings {
  readonly tickMs: number;
  readonly initLimit: number;
  readonly syncLimit: number;
  readonly logRetainEntries: number;
  readonly zxidCounterMax: number;
  /** Chance, per applied transaction, that the member snapshots its state (and purges its log). */
  readonly snapshotChance: number;
  /** The configuration the ensemble starts with (its text is what /zookeeper/config holds). */
  readonly initialMembership: Membership;
}

/**
 * One simulated ensemble member: the real ZabPeer and Replica (the server's request
 * pipeline), a SimDisk (the real storage over a simulated file system), and the Ready loop
 * the server runs (ReadyLoop, around handleReady), with the network and clock of the
 * simulation. A crash drops this object; a restart builds a new one from what recovery finds
 * on the disk.
 */
export class SimMember {
  readonly peer: ZabPeer;
  replica!: Replica;
  alive = true;
  /**
   * A paused process (a long GC pause, a stopped VM) runs nothing until this time; what
   * reaches it meanwhile waits, and its timers fire late.
   */
  pausedUntil = 0;
  private readonly readies: ReadyLoop;
  readonly config: ServerConfig;

  private constructor(
    readonly id: number,
    readonly incarnation: number,
    readonly disk: SimDisk,
    persisted: PersistedState,
    quorum: MajorityQuorumVerifier,
    private readonly random: SimRandom,
    private readonly settings: MemberSettings,
    private readonly world: MemberWorld,
  ) {
    // Reconfig is on; the simulation's administrator needs no credentials.
    this.config = defaultServerConfig({ serverId: id, tickTime: settings.tickMs, reconfigEnabled: true, skipAcl: true });
    this.peer = new ZabPeer({
      id,
      config: quorum,
      rng: new SeededRng(random.uint32() | 0),
      membershipOf: reconfigMembership,
      storage: { ...persisted, membership: persisted.membership ?? settings.initialMembership },
      initLimit: settings.initLimit,
      syncLimit: settings.syncLimit,
      logRetainEntries: settings.logRetainEntries,
      zxidCounterMax: settings.zxidCounterMax,
      // The server's bound, so the simulated leader holds requests back where a server's would.
      proposalsOutstandingMax: PROPOSALS_OUTSTANDING_MAX,
    });
    this.readies = new ReadyLoop(
      this.peer,
      {
        handlers: () => this.readyHandlers(),
        taken: (r) => this.world.onReady(this, r),
        advanced: (r) => this.afterReady(r),
      },
      () => this.alive,
    );
  }

  /** Starts a member from what recovery finds on its disk: the tree comes from the snapshot only; the core replays the rest. */
  static async start(
    id: number,
    incarnation: number,
    disk: SimDisk,
    quorum: MajorityQuorumVerifier,
    random: SimRandom,
    settings: MemberSettings,
    world: MemberWorld,
  ): Promise<SimMember> {
    const { persisted, snapshot } = await disk.open();
    const member = new SimMember(id, incarnation, disk, persisted, quorum, random, settings, world);
    const recovered = await replicaStateFrom(snapshot, member.config);
    member.replica = new Replica({
      config: member.config,
      port: member,
      clock: () => world.now(),
      logger: silentLogger,
      tree: recovered.tree,
      sessions: recovered.sessions,
      events: {
        sessionClosed: (sessionId) => world.onClientsDropped(member, sessionId),
        servingLost: () => world.onClientsDropped(member, null),
      },
    });
    initConfigNode(member.replica.tree, member.peer.membership.active);
    world.onStateAt(member, snapshot?.zxid ?? 0n);
    return member;
  }

  get soft(): SoftState {
    return this.replica.softState;
  }

  // ---- QuorumPort --------------------------------------------------------------------------

  status(): PeerStatus {
    return this.peer.status();
  }

  propose(build: TxnBuilder): ProposeResult {
    const result = this.peer.propose(build);
    // As the server's PeerDriver: a proposal made while a Ready is persisted goes out at once.
    this.readies.express();
    return result;
  }

  proposalsFull(): boolean {
    return this.peer.proposalsFull();
  }

  sync(syncId: number, options?: { confirmQuorum?: boolean }): boolean {
    return this.peer.sync(syncId, options);
  }

  forward(request: ForwardedRequest): boolean {
    const soft = this.soft;
    if ((soft.role !== "FOLLOWING" && soft.role !== "OBSERVING") || soft.leader === null || !soft.serving) return false;
    this.world.sendForward(this.id, soft.leader, request, soft.epoch);
    return true;
  }

  // ---- inputs --------------------------------------------------------------------------

  async receive(envelope: Envelope): Promise<void> {
    if (!this.alive) return;
    if (envelope.kind === "peer") this.peer.step(envelope.message);
    else this.replica.onForwardedRequest(envelope.from, envelope.request);
    await this.process();
  }

  async tick(): Promise<void> {
    if (!this.alive) return;
    this.peer.tick();
    this.replica.tick();
    await this.process();
  }

  /**
   * Runs every pending Ready through the server's Ready loop, one at a time, in the order the
   * core requires. Called after each input; inputs that arrive while it runs are picked up
   * by the same loop.
   */
  async process(): Promise<void> {
    try {
      // An input while the Ready loop awaits the disk: what need not wait goes now, as PeerDriver.kick does.
      if (this.readies.running) {
        this.readies.express();
        return;
      }
      await this.readies.run();
    } catch (err) {
      // A server stops when its disk fails it; anything else is a bug.
      if (!this.disk.faulted) throw err;
      this.world.onCrash(this);
    }
  }

  private readyHandlers(): ReadyHandlers {
    return {
      persist: async (ready) => this.persist(ready),
      send: (m) => this.world.sendPeer(m),
      state: {
        load: (snapshot) => this.replica.load(snapshot),
        serialize: () => this.replica.serialize(),
        snapshotSource: () => this.replica.snapshotSource(),
        apply: (entry) => {
          this.world.onApplied(this, entry);
          this.replica.apply(entry);
        },
        onSoftState: (soft) => this.replica.onSoftState(soft),
        onSyncs: (done, failed) => this.replica.onSyncs(done, failed),
        onForwardedRequest: (from, request) => this.replica.onForwardedRequest(from, request),
        revalidateSession: (sessionId) => this.replica.revalidateSession(sessionId),
        onMembership: (active) => this.replica.onMembership(active),
      },
    };
  }

  /** Now and then a member snapshots what it applied (and purges its log), as a server does. */
  private afterReady(r: Ready): Promise<void> | undefined {
    if (r.committed.length === 0 || !this.random.chance(this.settings.snapshotChance)) return undefined;
    return this.disk.takeSnapshot(this.replica.tree.lastProcessedZxid, this.replica.snapshotSource());
  }

  private async persist(r: Ready): Promise<LoadedSnapshot | null> {
    const written = this.disk.persist(r);
    // A failed write is the awaiter's to handle below, not an unhandled rejection meanwhile.
    written.catch(() => undefined);
    if (this.random.chance(DISK_BUSY_CHANCE)) {
      // The Ready loop counts the write as begun once this returns its promise: take input after that.
      await Promise.resolve();
      await this.world.whileDiskBusy(this);
    }
    const installed = await written;
    if (installed !== null) this.world.onStateAt(this, installed.zxid);
    return installed;
  }
}
