import { type Server, type Socket, createServer } from "node:net";
import { JuteError, OpCode, type QuorumPacket } from "@zkts/jute";
import type { SnapshotSource } from "@zkts/storage";
import { type QuorumMessage, QuorumPacketType, quorumMessage } from "@zkts/zab";
import type { Logger } from "../logger.js";
import { writeCorked } from "./corked-writes.js";
import { type ForwardedRequest, decodeQuorumPacket, encodeQuorumBody, learnerIdOf } from "./quorum-codec.js";
import {
  QuorumPacketReader,
  REVALIDATE,
  decodeRevalidate,
  encodeQuorumPacket,
  encodeRevalidateAnswer,
  encodeSnapPacket,
  writeSnapPacket,
} from "./quorum-wire.js";
import type { QuorumMember } from "@zkts/config";
import { QuorumSockets } from "./quorum-sockets.js";

export interface LearnerConnectionHandlers {
  /** A zab message from a learner, with the per-connection header filled in. */
  onMessage(message: QuorumMessage): void;
  /** A client request a learner forwarded. */
  onRequest(from: number, request: ForwardedRequest): void;
  /** The connection of the learner currently registered under this id closed. */
  onClosed(peerId: number): void;
  /**
   * A learner's client reconnected with this session: whether it is still valid (REVALIDATE),
   * or null from a server that no longer leads, which must not answer: its "no" would tell the
   * client its session expired, when the next leader holds it. Its learners lose it in a moment
   * (`closeAll`) and drop their clients, which reconnect and ask that leader.
   */
  onRevalidate(peerId: number, sessionId: bigint, timeoutMs: number): boolean | null;
}

interface LearnerConnection {
  /** Doubles as the zab session of every message on this connection. */
  readonly id: number;
  readonly socket: Socket;
  peerId: number | null;
  /** The leader's term, learned from the first message the leader sends on it. */
  term: number | null;
  /** Sequence of the next zab message after FOLLOWERINFO/OBSERVERINFO (which is 0). */
  seqIn: number;
  /** When its last bytes arrived (performance.now()). */
  lastHeardMs: number;
  /** While a SNAP streams: other packets for the learner, held until its snapshot is all out. */
  heldForSnap: Buffer[] | null;
}

/**
 * The leader's side of the quorum channel: listens on quorumPort and keeps one connection
 * per learner. A learner is known by the server id in its FOLLOWERINFO/OBSERVERINFO; a new
 * connection from the same id replaces the old one.
 */
export class LearnerConnections {
  private server: Server | null = null;
  private readonly byPeer = new Map<number, LearnerConnection>();
  private readonly all = new Set<LearnerConnection>();
  private nextId = 1;
  /** The broadcast message last encoded, for the next learner it goes to (encode()). */
  private lastBroadcast: { type: string; zxid: bigint; data: Uint8Array | null; bytes: Buffer } | null = null;

  constructor(
    private readonly self: QuorumMember,
    _members: readonly QuorumMember[],
    private readonly handlers: LearnerConnectionHandlers,
    private readonly logger: Logger,
    private readonly maxBuffer: number,
    /** The address the quorum port is bound on (the own line's host unless quorumListenOnAllIPs). */
    private readonly listenHost: string = self.host,
    /** Plain or TLS (sslQuorum, portUnification). */
    private readonly sockets: QuorumSockets = new QuorumSockets(null, logger),
    /**
     * A learner's connection heard from within this long (syncLimit) is alive: another
     * connection claiming the same server id is refused rather than allowed to replace it.
     * 0 lets every newcomer replace the old connection.
     */
    private readonly liveWindowMs = 0,
  ) {}

  async start(): Promise<void> {
    const server = createServer((raw) => this.sockets.accept(raw, "quorum port", (socket) => this.accept(socket)));
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(this.self.quorumPort, this.listenHost, () => {
        server.off("error", reject);
        resolve();
      });
    });
    server.on("error", (err) => this.logger.log("error", "quorum listener error", { err }));
    this.server = server;
  }

  stop(): void {
    this.closeAll();
    this.server?.close();
  }

  /**
   * Closes every learner connection (when this server stops leading), without reporting them.
   * With `flushMs`, what was written still goes out first (a leader that steps down for the
   * successor it designated has just told its learners so); a connection that cannot drain
   * within that time is cut.
   */
  closeAll(flushMs = 0): void {
    this.byPeer.clear();
    for (const c of this.all) {
      if (flushMs <= 0) {
        c.socket.destroy();
        continue;
      }
      c.socket.end();
      setTimeout(() => c.socket.destroy(), flushMs).unref();
    }
    this.all.clear();
  }

  /** This leader has the learner connection `message` was made for (its peer and zab session). */
  carries(message: QuorumMessage): boolean {
    return this.byPeer.get(message.to)?.id === message.session;
  }

  /** Sends a zab message to the learner connection it belongs to; a stale session is dropped. */
  send(message: QuorumMessage): void {
    const c = this.byPeer.get(message.to);
    if (c === undefined || c.id !== message.session) return;
    c.term ??= message.term;
    if (message.type === "SNAP" && message.snapshot !== null) {
      this.write(c, encodeSnapPacket(message.zxid, message.snapshot));
      return;
    }
    this.write(c, this.encode(message));
  }

  /**
   * The wire bytes of a zab message. The leader sends each PROPOSAL, COMMIT and INFORM to every
   * learner in turn, and their bytes do not depend on the learner: the last one is encoded
   * once and its bytes written to each.
   */
  private encode(message: QuorumMessage): Buffer {
    if (message.type !== "PROPOSAL" && message.type !== "COMMIT" && message.type !== "INFORM") {
      return encodeQuorumPacket(encodeQuorumBody(this.self.id, message));
    }
    const data = message.type === "COMMIT" ? null : message.data;
    const last = this.lastBroadcast;
    if (last !== null && last.type === message.type && last.zxid === message.zxid && last.data === data) return last.bytes;
    const bytes = encodeQuorumPacket(encodeQuorumBody(this.self.id, message));
    this.lastBroadcast = { type: message.type, zxid: message.zxid, data, bytes };
    return bytes;
  }

  private write(c: LearnerConnection, bytes: Buffer): void {
    if (c.heldForSnap !== null) c.heldForSnap.push(bytes);
    else writeCorked(c.socket, bytes);
  }

  /**
   * Sends a SNAP whose snapshot is encoded from `source` as it goes out: each chunk is queued
   * on the socket as it fills, and its buffer reused once sent. The socket takes every chunk
   * rather than making the leader wait for a slow learner to read them (as when the snapshot
   * was serialized whole); the encoder's pauses let it send what it has meanwhile.
   */
  async sendSnap(message: QuorumMessage & { type: "SNAP" }, source: SnapshotSource): Promise<void> {
    const c = this.byPeer.get(message.to);
    if (c === undefined || c.id !== message.session) return;
    c.term ??= message.term;
    // Nothing may come between the snapshot's chunks (a REVALIDATE answer, say).
    const held: Buffer[] = [];
    c.heldForSnap = held;
    try {
      await writeSnapPacket(message.zxid, source, (bytes, release) => {
        // A chunk not sent (the learner went) is not released: nothing may still be reading it.
        if (!c.socket.destroyed) c.socket.write(bytes, (err) => (err === undefined || err === null ? release() : undefined));
      });
    } finally {
      c.heldForSnap = null;
      for (const bytes of held) writeCorked(c.socket, bytes);
    }
  }

  /** As ZooKeeper's LearnerHandler: a learner authenticates (quorum SASL) before its first packet. */
  private accept(socket: Socket): void {
    socket.setNoDelay(true);
    socket.on("error", () => undefined);
    this.sockets.sasl.asServer(socket, Buffer.alloc(0), `${socket.remoteAddress}:${socket.remotePort}`).then(
      (rest) => {
        if (!socket.destroyed) this.serve(socket, rest);
      },
      () => socket.destroy(),
    );
  }

  private serve(socket: Socket, initialBytes: Buffer): void {
    const c: LearnerConnection = { id: this.nextId++, socket, peerId: null, term: null, seqIn: 1, lastHeardMs: performance.now(), heldForSnap: null };
    this.all.add(c);
    const reader = new QuorumPacketReader(this.maxBuffer);
    const onData = (chunk: Buffer) => {
      c.lastHeardMs = performance.now();
      try {
        reader.push(chunk, (packet) => this.onPacket(c, packet));
      } catch (err) {
        this.logger.log("warn", "unreadable quorum packet from a learner; closing", { peer: c.peerId, err });
        socket.destroy();
      }
    };
    socket.on("data", onData);
    socket.once("close", () => {
      this.all.delete(c);
      if (c.peerId !== null && this.byPeer.get(c.peerId) === c) {
        this.byPeer.delete(c.peerId);
        this.handlers.onClosed(c.peerId);
      }
    });
    if (initialBytes.length > 0) onData(initialBytes);
  }

  private onPacket(c: LearnerConnection, packet: QuorumPacket): void {
    const isInfo = packet.type === QuorumPacketType.FOLLOWERINFO || packet.type === QuorumPacketType.OBSERVERINFO;
    if (isInfo && c.peerId === null) this.identify(c, learnerIdOf(packet));
    if (c.socket.destroyed) return;
    if (c.peerId === null) throw new JuteError(`quorum packet ${packet.type} before FOLLOWERINFO`);
    if (packet.type === REVALIDATE) {
      const { sessionId, timeoutMs } = decodeRevalidate(packet.data);
      const valid = this.handlers.onRevalidate(c.peerId, sessionId, timeoutMs);
      if (valid !== null) this.write(c, encodeQuorumPacket(encodeRevalidateAnswer(sessionId, valid)));
      return;
    }
    if (packet.type === QuorumPacketType.PING && packet.data !== null && packet.data.length > 0) {
      // A learner's PING carries the sessions its clients used since its last one.
      this.handlers.onRequest(c.peerId, { sessionId: 0n, cxid: 0, type: OpCode.ping, payload: packet.data, authInfo: [] });
    }
    const decoded = decodeQuorumPacket(packet);
    if (decoded.kind === "request") {
      this.handlers.onRequest(c.peerId, decoded.request);
      return;
    }
    // zab numbers a connection's messages from 0, its FOLLOWERINFO; zkts learners repeat
    // that first message until the leader answers, so every copy is numbered 0.
    const seq = isInfo ? 0 : c.seqIn++;
    this.handlers.onMessage(quorumMessage(decoded.body, c.peerId, this.self.id, c.id, c.term ?? 0, seq));
  }

  private identify(c: LearnerConnection, peerId: number): void {
    // Servers outside the configuration are taken too (one about to be added syncs first);
    // the zab core decides what their messages count for.
    if (peerId === this.self.id) {
      this.logger.log("warn", "quorum connection claiming this server's own id; closing", { peerId });
      c.socket.destroy();
      return;
    }
    const previous = this.byPeer.get(peerId);
    if (previous !== undefined && previous !== c && performance.now() - previous.lastHeardMs < this.liveWindowMs) {
      // Without quorum authentication anyone can claim a member's id; letting the claim win
      // would cut the real learner off and, claimed for a quorum of learners, depose the
      // leader. A learner that really reconnected closed its old connection, or that one
      // went silent; until then it keeps its place and the newcomer is refused.
      this.logger.log("warn", "quorum connection claiming the id of a learner still connected; closing it", { peerId });
      c.socket.destroy();
      return;
    }
    c.peerId = peerId;
    this.byPeer.set(peerId, c);
    // The replaced connection closes without a report: the learner is on the new one.
    if (previous !== undefined && previous !== c) previous.socket.destroy();
  }
}
