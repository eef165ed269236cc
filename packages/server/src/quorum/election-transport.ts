import { type Server, type Socket, createServer } from "node:net";
import { type Membership, type Notification, PeerState, type PeerStateName } from "@zkts/zab";
import type { Logger } from "../logger.js";
import {
  ELECTION_MESSAGE_MAX,
  ELECTION_PROTOCOL_V2,
  NOTIFICATION_VERSION,
  decodeInitialMessage,
  decodeNotification,
  encodeInitialMessage,
  encodeNotification,
} from "./election-wire.js";
import { membershipFromConfigText } from "./membership-text.js";
import type { QuorumMember } from "@zkts/config";
import { nextReconnectDelayMs } from "./peer-address.js";
import { QuorumSockets } from "./quorum-sockets.js";

/** How long an accepted connection may take to send its initial message. */
const INITIAL_MESSAGE_TIMEOUT_MS = 10_000;

/** At most one prompt per larger peer in this long. */
const PROMPT_INTERVAL_MS = 250;

const STATE_NAMES = new Map<number, PeerStateName>(Object.entries(PeerState).map(([name, n]) => [n, name as PeerStateName]));

/**
 * The election channel (ZooKeeper's QuorumCnxManager): one TCP connection per pair of
 * servers. As in ZooKeeper, only a connection initiated by the server with the larger id
 * survives, so two servers dialling each other at once still end up with one connection:
 * this server dials every smaller id (with a bounded backoff while that peer is down) and
 * accepts connections from larger ids only.
 */
export class ElectionTransport {
  private server: Server | null = null;
  private readonly links = new Map<number, Socket>();
  private readonly dialing = new Set<number>();
  private readonly delaysMs = new Map<number, number>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly promptedAtMs = new Map<number, number>();
  /**
   * The last notification meant for each peer, written again whenever a connection to it
   * comes up (ZooKeeper's QuorumCnxManager does the same): votes sent while the connection
   * was not up yet, as at every start, then arrive at once instead of at the next resend.
   */
  private readonly lastSent = new Map<number, Buffer>();
  private stopped = false;

  constructor(
    private readonly self: QuorumMember,
    private peers: readonly QuorumMember[],
    private readonly onNotification: (n: Notification) => void,
    private readonly logger: Logger,
    /** The address the election port is bound on (the own line's host unless quorumListenOnAllIPs). */
    private readonly listenHost: string = self.host,
    /** Plain or TLS (sslQuorum, portUnification). */
    private readonly sockets: QuorumSockets = new QuorumSockets(null, logger),
    /** The link to a peer came up or went down: an election need not wait for a vote that cannot arrive. */
    private readonly onLink: (peer: number, up: boolean) => void = () => undefined,
  ) {}

  async start(): Promise<void> {
    const server = createServer((raw) => this.sockets.accept(raw, "election port", (socket) => this.accept(socket)));
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(this.self.electionPort, this.listenHost, () => {
        server.off("error", reject);
        resolve();
      });
    });
    server.on("error", (err) => this.logger.log("error", "election listener error", { err }));
    this.server = server;
    for (const p of this.peers) if (p.id < this.self.id) this.dial(p);
  }

  stop(): void {
    this.stopped = true;
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    for (const s of this.links.values()) s.destroy();
    this.links.clear();
    this.server?.close();
  }

  /** A reconfiguration added or moved members: dial the new ones with smaller ids. */
  setPeers(peers: readonly QuorumMember[]): void {
    this.peers = peers.filter((p) => p.id !== this.self.id);
    for (const p of this.peers) if (p.id < this.self.id && !this.links.has(p.id)) this.dial(p);
  }

  /**
   * Sends now if connected; otherwise the notification waits (the newest one per peer only)
   * for the connection, which this server dials or, for a larger id, prompts.
   */
  send(n: Notification): void {
    const bytes = encodeNotification({
      state: PeerState[n.state],
      leader: BigInt(n.leader),
      zxid: n.zxid,
      electionEpoch: BigInt(n.electionEpoch),
      peerEpoch: BigInt(n.peerEpoch),
      version: NOTIFICATION_VERSION,
      // As ZooKeeper: the sender's active configuration, so a peer that missed a reconfig learns it.
      config: n.membership === undefined ? "" : Buffer.from(n.membership.data).toString("utf8"),
    });
    this.lastSent.set(n.to, bytes);
    const socket = this.links.get(n.to);
    if (socket !== undefined) {
      socket.write(bytes);
      return;
    }
    const peer = this.peers.find((p) => p.id === n.to);
    if (peer !== undefined && peer.id > this.self.id) this.prompt(peer);
  }

  private dial(peer: QuorumMember): void {
    if (this.stopped || this.dialing.has(peer.id) || this.links.has(peer.id)) return;
    this.dialing.add(peer.id);
    const { socket, connected } = this.sockets.dial(peer.host, peer.electionPort);
    socket.setNoDelay(true);
    let opened = false;
    socket.once(connected, () => {
      opened = true;
      this.dialing.delete(peer.id);
      socket.write(this.initialMessage());
      // With quorum SASL the introduction is followed by the exchange; the link carries votes
      // only once the other member accepted it.
      this.sockets.sasl.asLearner(socket, `${peer.id}`).then(
        (rest) => {
          if (this.stopped || socket.destroyed) return;
          this.delaysMs.set(peer.id, 0);
          this.register(peer.id, socket, rest);
        },
        () => socket.destroy(),
      );
    });
    socket.on("error", () => undefined);
    socket.once("close", () => {
      if (!opened) this.dialing.delete(peer.id);
      if (this.links.get(peer.id) === socket) {
        this.links.delete(peer.id);
        this.onLink(peer.id, false);
      }
      this.redialLater(peer);
    });
  }

  /**
   * A larger id is the one to dial, but it may be waiting out its backoff: as ZooKeeper
   * does, connect and introduce ourselves; it drops this connection and dials back at once.
   */
  private prompt(peer: QuorumMember): void {
    const now = performance.now();
    if (this.stopped || now - (this.promptedAtMs.get(peer.id) ?? -Infinity) < PROMPT_INTERVAL_MS) return;
    this.promptedAtMs.set(peer.id, now);
    const { socket, connected } = this.sockets.dial(peer.host, peer.electionPort);
    socket.once(connected, () => {
      socket.write(this.initialMessage());
      // A member requiring quorum SASL hears nobody who does not authenticate, prompts included.
      this.sockets.sasl.asLearner(socket, `${peer.id}`).then(
        () => socket.end(),
        () => socket.destroy(),
      );
    });
    socket.on("error", () => undefined);
    socket.setTimeout(PROMPT_INTERVAL_MS, () => socket.destroy());
  }

  private initialMessage(): Buffer {
    return encodeInitialMessage({
      protocolVersion: ELECTION_PROTOCOL_V2,
      sid: BigInt(this.self.id),
      electionAddress: `${this.self.host}:${this.self.electionPort}`,
    });
  }

  private redialLater(peer: QuorumMember): void {
    if (this.stopped || this.links.has(peer.id)) return;
    // A server known only from the initial message of a connection it made is dialled back
    // once, as ZooKeeper does; redialling it forever would let anyone who reaches this port
    // leave a reconnect loop behind for every id it makes up.
    if (!this.peers.some((p) => p.id === peer.id)) return;
    const delayMs = nextReconnectDelayMs(this.delaysMs.get(peer.id) ?? 0);
    this.delaysMs.set(peer.id, delayMs);
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      this.dial(peer);
    }, delayMs);
    this.timers.add(timer);
  }

  private accept(socket: Socket): void {
    if (this.stopped) {
      socket.destroy();
      return;
    }
    socket.setNoDelay(true);
    // A connection that never introduces itself would otherwise hold a socket forever.
    socket.setTimeout(INITIAL_MESSAGE_TIMEOUT_MS, () => socket.destroy());
    let pending = Buffer.alloc(0);
    const onData = (chunk: Buffer) => {
      pending = Buffer.concat([pending, chunk]);
      let initial;
      try {
        initial = decodeInitialMessage(pending);
      } catch (err) {
        this.logger.log("warn", "election connection with a bad initial message", { err });
        socket.destroy();
        return;
      }
      if (initial === null) return;
      socket.off("data", onData);
      // As ZooKeeper's QuorumCnxManager: the connecting member authenticates (quorum SASL)
      // before anything else is done with its connection.
      this.sockets.sasl.asServer(socket, pending.subarray(initial.length), `${initial.message.sid}`).then(
        (rest) => {
          socket.setTimeout(0);
          if (!socket.destroyed) this.introduced(socket, initial.message, rest);
        },
        () => socket.destroy(),
      );
    };
    socket.on("data", onData);
    socket.on("error", () => undefined);
  }

  /** A connection whose initial message (and quorum authentication) came through. */
  private introduced(socket: Socket, message: { sid: bigint; electionAddress: string }, rest: Buffer): void {
    if (this.stopped) {
      socket.destroy();
      return;
    }
    const sid = Number(message.sid);
    // A server outside the configuration (one about to be added) is known by the election
    // address its initial message gives.
    const peer = this.peers.find((p) => p.id === sid) ?? addressFromInitial(sid, message.electionAddress);
    if (peer === undefined || sid < this.self.id) {
      // A smaller id's connection does not survive; this server dials it instead.
      socket.destroy();
      if (peer !== undefined) this.dial(peer);
      return;
    }
    this.register(sid, socket, rest);
  }

  private register(sid: number, socket: Socket, initialBytes: Buffer): void {
    const previous = this.links.get(sid);
    if (previous !== undefined && previous !== socket) previous.destroy();
    this.links.set(sid, socket);
    this.onLink(sid, true);
    const last = this.lastSent.get(sid);
    if (last !== undefined) socket.write(last);
    let pending = initialBytes;
    const onData = (chunk: Buffer) => {
      pending = pending.length === 0 ? chunk : Buffer.concat([pending, chunk]);
      while (pending.length >= 4) {
        const length = pending.readInt32BE(0);
        if (length < 0 || length > ELECTION_MESSAGE_MAX) {
          this.logger.log("warn", "election message of an impossible length; closing", { peer: sid, length });
          socket.destroy();
          return;
        }
        if (pending.length < 4 + length) return;
        const payload = pending.subarray(4, 4 + length);
        pending = pending.subarray(4 + length);
        this.deliver(sid, payload, socket);
      }
    };
    socket.on("data", onData);
    socket.once("close", () => {
      if (this.links.get(sid) !== socket) return;
      this.links.delete(sid);
      this.onLink(sid, false);
    });
    if (initialBytes.length > 0) onData(Buffer.alloc(0));
  }

  private deliver(sid: number, payload: Buffer, socket: Socket): void {
    let wire;
    try {
      wire = decodeNotification(payload);
    } catch (err) {
      this.logger.log("warn", "unreadable notification; closing", { peer: sid, err });
      socket.destroy();
      return;
    }
    const state = STATE_NAMES.get(wire.state);
    if (state === undefined) return;
    this.onNotification({
      type: "NOTIFICATION",
      from: sid,
      to: this.self.id,
      state,
      leader: Number(wire.leader),
      zxid: wire.zxid,
      electionEpoch: Number(wire.electionEpoch),
      peerEpoch: Number(wire.peerEpoch),
      ...configOf(wire.config),
    });
  }
}

function configOf(text: string): { configVersion: bigint; membership?: Membership } {
  if (text === "") return { configVersion: 0n };
  try {
    const membership = membershipFromConfigText(Buffer.from(text, "utf8"));
    return { configVersion: membership.version, membership };
  } catch {
    // A configuration this server cannot read does not stop the election.
    return { configVersion: 0n };
  }
}

function addressFromInitial(sid: number, electionAddress: string): QuorumMember | undefined {
  const colon = electionAddress.lastIndexOf(":");
  const port = Number(electionAddress.substring(colon + 1));
  if (colon <= 0 || !Number.isInteger(port) || port <= 0 || port > 65535) return undefined;
  const host = electionAddress.substring(0, colon).replace(/^\[(.*)\]$/, "$1");
  return { id: sid, host, quorumPort: 0, electionPort: port, role: "participant" };
}
