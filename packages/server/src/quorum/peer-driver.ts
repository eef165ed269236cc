import { randomInt } from "node:crypto";
import { OpCode } from "@zkts/jute";
import type { LoadedSnapshot, SnapshotSource } from "@zkts/storage";
import {
  MajorityQuorumVerifier,
  type Message,
  type PeerStatus,
  type PersistedState,
  type ProposeResult,
  SeededRng,
  type SoftState,
  type TxnBuilder,
  ZabPeer,
} from "@zkts/zab";
import { type Logger, hex } from "../logger.js";
import { ElectionTransport } from "./election-transport.js";
import { type CoreTiming, coreTimingOf } from "./core-timing.js";
import type { EnsembleStore } from "./ensemble-store.js";
import { LeaderLink } from "./leader-link.js";
import { LearnerConnections } from "./learner-connections.js";
import { addressesOfConfigText, configOfMembers, membershipOfConfig, reconfigMembership, restampedMembership } from "./membership-text.js";
import type { QuorumMember } from "@zkts/config";
import { peerListenHost } from "./peer-address.js";
import { PeerStats } from "./peer-stats.js";
import { QuorumSockets } from "./quorum-sockets.js";
import type { QuorumTlsConfig } from "../tls/tls-settings.js";
import type { QuorumSaslConfig } from "../sasl/sasl-settings.js";
import { type ForwardedRequest, encodeForwardedRequest } from "./quorum-codec.js";
import type { QuorumPort } from "./quorum-port.js";
import { ReadyLoop, type ReplicatedState, type SnapMessage } from "./ready-loop.js";

export interface PeerDriverOptions {
  self: QuorumMember;
  members: readonly QuorumMember[];
  initLimit: number;
  syncLimit: number;
  tickTimeMs: number;
  persisted: PersistedState;
  store: EnsembleStore;
  logger: Logger;
  maxBuffer: number;
  /** quorumListenOnAllIPs: bind the quorum and election ports on every address. */
  listenOnAllIPs?: boolean;
  /** The disk failed: the replica must stop, since it can no longer vouch for what it acks. */
  onFatal: (err: Error) => void;
  /** zkts.unsafe=commit-without-quorum: a deliberately broken leader, for the lab to catch. */
  unsafeCommitWithoutQuorum?: boolean;
  /** reconfigEnabled: a leader gives a version-0 configuration its epoch's first zxid, as ZooKeeper's does. */
  reconfigEnabled?: boolean;
  /** The version of `members` as a configuration, when nothing newer is on disk; default 0. */
  configVersion?: bigint;
  /** TLS between members (sslQuorum, portUnification); null or absent: plain TCP. */
  quorumTls?: QuorumTlsConfig | null;
  /** SASL between members (quorum.auth.*); null or absent: none. */
  quorumSasl?: QuorumSaslConfig | null;
}

/** SNAP packets carry a whole snapshot, so the quorum channel accepts far more than a client's jute.maxbuffer. */
const QUORUM_PACKET_BYTES_MAX = 1024 * 1024 * 1024;
/** How long a leader that steps down lets its last messages drain before cutting a learner connection. */
const LEARNER_FLUSH_MS = 1000;

/**
 * Drives one ZabPeer: feeds it messages from the election and quorum channels and a tick
 * every core tick (a fraction of tickTime: core-timing.ts), and handles each Ready in the
 * order the core requires (persist, send, apply, advance), one at a time.
 */
export class PeerDriver implements QuorumPort {
  readonly peer: ZabPeer;
  /** Proposal sizes, leader uptime and election times, for mntr and the AdminServer. */
  readonly stats = new PeerStats(Date.now);
  private readonly election: ElectionTransport;
  private readonly learners: LearnerConnections;
  private readonly leaderLink: LeaderLink;
  private soft: SoftState = { role: "LOOKING", leader: null, epoch: 0, serving: false };
  private readonly readies: ReadyLoop;
  /** This Ready ends this peer's leadership: its learners' connections close once it is handled. */
  private leavingLeadership = false;
  private stopped = false;
  private ticker: NodeJS.Timeout | null = null;
  private state: ReplicatedState | null = null;
  private membershipKey = "";
  private readonly timing: CoreTiming;
  private readonly sockets: QuorumSockets;

  constructor(private readonly o: PeerDriverOptions) {
    this.timing = coreTimingOf(o.tickTimeMs, o.initLimit, o.syncLimit);
    const voters = o.members.filter((m) => m.role === "participant").map((m) => m.id);
    const observers = o.members.filter((m) => m.role === "observer").map((m) => m.id);
    this.peer = new ZabPeer({
      id: o.self.id,
      config: new MajorityQuorumVerifier(voters, observers),
      membershipOf: reconfigMembership,
      ...(o.reconfigEnabled === true ? { restampMembership: restampedMembership } : {}),
      rng: new SeededRng(randomInt(0, 2 ** 31)),
      // Without a configuration activated by a reconfig, zoo.cfg's server lines are version 0.
      storage: { ...o.persisted, membership: o.persisted.membership ?? membershipOfConfig(configOfMembers(o.members, o.configVersion ?? 0n)) },
      ...this.timing.limits,
      ...(o.unsafeCommitWithoutQuorum ? { unsafeCommitWithoutQuorum: true } : {}),
    });
    this.readies = new ReadyLoop(
      this.peer,
      {
        handlers: () =>
          this.state === null
            ? null
            : {
                persist: (ready) => this.o.store.persist(ready),
                send: (m) => this.send(m),
                sendSnap: (m, source) => this.sendSnap(m, source),
                state: this.state,
              },
        taken: (r) => {
          this.leavingLeadership = r.softState !== null && this.soft.role === "LEADING" && r.softState.role !== "LEADING";
          if (r.softState !== null) this.changeSoftState(r.softState);
        },
        // ZooKeeper closes its learners' connections when it stops leading, so they notice at
        // once; after this Ready's messages, which were still the leader's (a reconfig's
        // COMMITANDACTIVATE naming the successor, for one).
        handled: () => {
          if (this.leavingLeadership) this.learners.closeAll(LEARNER_FLUSH_MS);
        },
        advanced: () => this.followMembership(),
      },
      () => !this.stopped,
    );
    const peers = o.members.filter((m) => m.id !== o.self.id);
    const listenHost = peerListenHost(o.self, o.listenOnAllIPs ?? false);
    this.sockets = new QuorumSockets(o.quorumTls ?? null, o.logger, o.quorumSasl ?? null);
    this.election = new ElectionTransport(
      o.self,
      peers,
      (n) => this.step(n),
      o.logger,
      listenHost,
      this.sockets,
      (id, up) => this.linkChanged(id, up),
    );
    this.learners = new LearnerConnections(
      o.self,
      o.members,
      {
        // Only learners connect to the quorum port, so only a leader (or a server that may
        // come to lead) hears it; a follower taking its messages would take a stranger
        // claiming its leader's id for the leader.
        onMessage: (m) => {
          if (this.soft.role === "LEADING" || this.soft.role === "LOOKING") this.step(m);
        },
        onRequest: (from, request) => {
          if (this.soft.role === "LEADING") this.state?.onForwardedRequest(from, request);
        },
        // Likewise a closed learner connection means something to a leader only: to a
        // follower, one claiming its leader's id would read as losing the leader.
        onClosed: (id) => {
          if (this.soft.role === "LEADING") this.disconnected(id);
        },
        // A leader stepping down still reads its learners until their connections close (after
        // the Ready that ended its leadership is handled): it leaves their questions unanswered.
        onRevalidate: (_from, sessionId) => (this.soft.role !== "LEADING" || this.state === null ? null : this.state.revalidateSession(sessionId)),
      },
      o.logger,
      QUORUM_PACKET_BYTES_MAX,
      listenHost,
      this.sockets,
      o.tickTimeMs * o.syncLimit,
    );
    this.leaderLink = new LeaderLink(
      o.self,
      o.members,
      { onMessage: (m) => this.step(m), onClosed: (id) => this.disconnected(id) },
      o.logger,
      QUORUM_PACKET_BYTES_MAX,
      this.sockets,
    );
  }

  get softState(): SoftState {
    return this.soft;
  }

  /** Starts the transports and the tick; the core's output goes to `state` from now on. */
  async start(state: ReplicatedState): Promise<void> {
    this.state = state;
    await this.learners.start();
    await this.election.start();
    this.ticker = setInterval(() => {
      this.peer.tick();
      this.kick();
    }, this.timing.coreTickMs);
    this.kick();
  }

  stop(): void {
    this.stopped = true;
    if (this.ticker !== null) clearInterval(this.ticker);
    this.election.stop();
    this.learners.stop();
    this.leaderLink.stop();
    this.sockets.close();
  }

  propose(build: TxnBuilder): ProposeResult {
    let bytes = 0;
    const result = this.peer.propose((zxid) => {
      const data = build(zxid);
      bytes = data.byteLength;
      return data;
    });
    // ZooKeeper's proposal_stats: the bytes of each txn the leader proposes.
    if (result.kind === "proposed") this.stats.proposed(bytes);
    this.kick();
    return result;
  }

  proposalsFull(): boolean {
    return this.peer.proposalsFull();
  }

  sync(syncId: number, options: { confirmQuorum?: boolean } = {}): boolean {
    const taken = this.peer.sync(syncId, options);
    this.kick();
    return taken;
  }

  status(): PeerStatus {
    return this.peer.status();
  }

  /** A learner's forwarded client request or session report, written beside the core's messages. */
  forward(request: ForwardedRequest): boolean {
    if (this.soft.role === "LEADING" || this.soft.role === "LOOKING") return false;
    // The sessions a learner's clients used ride its next PING, as ZooKeeper's learners send them.
    if (request.type === OpCode.ping) return this.leaderLink.reportSessions(request.payload);
    return this.leaderLink.sendPacket(encodeForwardedRequest(request));
  }

  /** A learner asks its leader whether a client that reconnected here may have `sessionId` (REVALIDATE). */
  revalidate(sessionId: bigint, timeoutMs: number, answer: (valid: boolean) => void): boolean {
    if (this.soft.role === "LEADING" || this.soft.role === "LOOKING") return false;
    return this.leaderLink.revalidate(sessionId, timeoutMs, answer);
  }

  private step(m: Message): void {
    if (this.stopped) return;
    this.stats.received(m, this.soft.role);
    this.peer.step(m);
    this.kick();
  }

  private linkChanged(peerId: number, up: boolean): void {
    if (this.stopped) return;
    this.peer.reachable(peerId, up);
    this.kick();
  }

  private disconnected(peerId: number): void {
    if (this.stopped) return;
    this.peer.disconnected(peerId);
    this.kick();
  }

  /**
   * Runs the Ready loop after an input; one already running picks the input up itself, and
   * meanwhile hands on what need not wait for the Ready it is persisting.
   */
  private kick(): void {
    if (this.stopped) return;
    if (this.readies.running) {
      try {
        this.readies.express();
      } catch (err) {
        this.fail(err);
      }
      return;
    }
    if (!this.peer.hasReady()) return;
    void this.readies.run().then(undefined, (err: unknown) => this.fail(err));
  }

  private fail(err: unknown): void {
    this.stopped = true;
    this.o.onFatal(err instanceof Error ? err : new Error(String(err)));
  }

  /**
   * The transports know every server of the active configuration and of one a reconfig in
   * flight proposes (besides zoo.cfg's), so the election reaches added servers and a learner
   * can follow a leader that a reconfiguration added.
   */
  private followMembership(): void {
    const { active, pending } = this.peer.membership;
    const key = `${active.version}/${pending?.version ?? "-"}`;
    if (key === this.membershipKey) return;
    this.membershipKey = key;
    const byId = new Map<number, QuorumMember>();
    for (const m of this.o.members) byId.set(m.id, m);
    for (const m of addressesOfConfigText(active.data)) byId.set(m.id, m);
    for (const m of addressesOfConfigText(pending?.data ?? new Uint8Array(0))) byId.set(m.id, m);
    const members = [...byId.values()];
    this.state?.onMembership(active);
    this.election.setPeers(members);
    this.leaderLink.setMembers(members);
    this.o.logger.log("info", "configuration", { version: hex(active.version), members: members.map((m) => m.id) });
  }

  private changeSoftState(soft: SoftState): void {
    const previous = this.soft;
    this.soft = soft;
    this.stats.roleChanged(previous.role, soft.role, soft.serving);
    this.o.logger.log("info", "quorum role", { ...soft, previousRole: previous.role });
    const learning = soft.role === "FOLLOWING" || soft.role === "OBSERVING";
    this.leaderLink.follow(learning ? soft.leader : null);
  }

  /** A SNAP goes to a learner connection only (a leader sends it), streamed as it is encoded. */
  private async sendSnap(m: SnapMessage, source: SnapshotSource): Promise<void> {
    this.stats.sent(m, this.soft.role);
    await this.learners.sendSnap(m, source);
  }

  private send(m: Message): void {
    this.stats.sent(m, this.soft.role);
    if (m.type === "NOTIFICATION") this.election.send(m);
    // By connection, not by role: a Ready that ends a leadership carries the leader's last
    // messages to its learners and the new learner's first one to the successor.
    else if (this.learners.carries(m)) this.learners.send(m);
    else this.leaderLink.send(m);
  }
}
