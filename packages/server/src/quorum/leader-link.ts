import type { Socket } from "node:net";
import type { QuorumPacket } from "@zkts/jute";
import { type QuorumMessage, quorumMessage } from "@zkts/zab";
import type { Logger } from "../logger.js";
import { writeCorked } from "./corked-writes.js";
import { decodeQuorumPacket, encodeLearnerSync, encodeQuorumBody } from "./quorum-codec.js";
import { QuorumPacketReader, REVALIDATE, decodeRevalidateAnswer, encodeQuorumPacket, encodeRevalidate } from "./quorum-wire.js";
import type { QuorumMember } from "@zkts/config";
import { nextReconnectDelayMs } from "./peer-address.js";
import type { QuorumSockets } from "./quorum-sockets.js";

/** Packets held while the connection to the leader is being made. */
const QUEUED_PACKETS_MAX = 10_000;

let nextConnectionNumber = 1;

/**
 * A learner's side of the quorum channel: one connection to the leader it follows. A zab
 * learner session lives on one connection: when the core starts a new session (a new
 * FOLLOWERINFO with another session number) the old connection is dropped and a new one
 * made, and when an open connection closes the core is told at once.
 */
export class LeaderLink {
  private target: QuorumMember | null = null;
  private socket: Socket | null = null;
  private open = false;
  private connectionNumber = 0;
  /** The zab session of the messages on the current connection (from the learner's first message). */
  private zabSession: number | null = null;
  private seqIn = 0;
  private queue: Buffer[] = [];
  /** Whether this connection's FOLLOWERINFO/OBSERVERINFO is written or queued. */
  private infoSent = false;
  /** Session reports waiting for the next PING. */
  private sessionReports: Buffer[] = [];
  /**
   * REVALIDATE questions the leader has not answered, each session's in the order they were
   * asked (the leader answers in that order). A connection's close forgets them: the member
   * has lost its leader, stops serving and closes the clients that were waiting.
   */
  private revalidations = new Map<bigint, ((valid: boolean) => void)[]>();
  private retryTimer: NodeJS.Timeout | null = null;
  private retryDelayMs = 0;
  private stopped = false;

  constructor(
    private readonly self: QuorumMember,
    private members: readonly QuorumMember[],
    private readonly handlers: { onMessage(m: QuorumMessage): void; onClosed(leaderId: number): void },
    private readonly logger: Logger,
    private readonly maxBuffer: number,
    private readonly sockets: QuorumSockets,
  ) {}

  /** Follow `leaderId` (from the core's soft state), or nobody. */
  /** A reconfiguration added or moved members: the leader may be one of them. */
  setMembers(members: readonly QuorumMember[]): void {
    this.members = members;
  }

  follow(leaderId: number | null): void {
    if ((this.target?.id ?? null) === leaderId) return;
    this.drop();
    this.target = leaderId === null ? null : (this.members.find((m) => m.id === leaderId) ?? null);
    this.retryDelayMs = 0;
    if (this.target !== null) this.dial();
  }

  get connected(): boolean {
    return this.open;
  }

  send(message: QuorumMessage): void {
    if (this.target === null || message.to !== this.target.id) return;
    if (this.zabSession !== null && message.session !== this.zabSession) {
      // A new learner session: ZAB wants a fresh FIFO channel for it.
      this.drop();
      this.dial();
    }
    this.zabSession = message.session;
    if (message.type === "FOLLOWERINFO" || message.type === "OBSERVERINFO") {
      // The core repeats it until the leader answers; over one TCP connection once is enough,
      // and a ZooKeeper leader closes a connection that sends it twice.
      if (this.infoSent) return;
      this.infoSent = true;
    }
    if (this.socket === null && this.retryTimer === null) this.dial();
    let packet = message.type === "SYNC" ? encodeLearnerSync(message.syncId, message.confirmQuorum === true) : encodeQuorumBody(this.self.id, message);
    if (message.type === "PING") {
      // A learner's PING always carries its session report, empty or not: ZooKeeper's leader reads it.
      packet = { ...packet, data: Buffer.concat(this.sessionReports) };
      this.sessionReports = [];
    }
    this.write(encodeQuorumPacket(packet));
  }

  /** Holds a report of the sessions clients used, for the next PING; false when not connected. */
  reportSessions(report: Buffer): boolean {
    if (!this.open) return false;
    this.sessionReports.push(report);
    return true;
  }

  /** Writes a packet the core does not produce (a forwarded client request); false when not connected. */
  sendPacket(packet: QuorumPacket): boolean {
    if (!this.open || this.socket === null) return false;
    writeCorked(this.socket, encodeQuorumPacket(packet));
    return true;
  }

  /** Asks the leader whether a client that reconnected here may have `sessionId`; false when not connected. */
  revalidate(sessionId: bigint, timeoutMs: number, answer: (valid: boolean) => void): boolean {
    if (!this.sendPacket(encodeRevalidate(sessionId, timeoutMs))) return false;
    const waiting = this.revalidations.get(sessionId);
    if (waiting === undefined) this.revalidations.set(sessionId, [answer]);
    else waiting.push(answer);
    return true;
  }

  stop(): void {
    this.stopped = true;
    this.drop();
    this.target = null;
  }

  private write(bytes: Buffer): void {
    if (this.open && this.socket !== null) {
      writeCorked(this.socket, bytes);
      return;
    }
    if (this.queue.length < QUEUED_PACKETS_MAX) this.queue.push(bytes);
  }

  /** Closes the current connection without reporting it: the caller moved on. */
  private drop(): void {
    if (this.retryTimer !== null) clearTimeout(this.retryTimer);
    this.retryTimer = null;
    const s = this.socket;
    this.socket = null;
    this.open = false;
    this.zabSession = null;
    this.queue = [];
    this.sessionReports = [];
    this.revalidations = new Map();
    this.infoSent = false;
    s?.destroy();
  }

  private dial(): void {
    const target = this.target;
    if (this.stopped || target === null || this.socket !== null) return;
    const { socket, connected } = this.sockets.dial(target.host, target.quorumPort);
    socket.setNoDelay(true);
    this.socket = socket;
    this.seqIn = 0;
    this.connectionNumber = nextConnectionNumber++;
    const reader = new QuorumPacketReader(this.maxBuffer);
    const onData = (chunk: Buffer) => {
      if (this.socket !== socket) return;
      try {
        reader.push(chunk, (packet) => this.onPacket(target.id, packet));
      } catch (err) {
        this.logger.log("warn", "unreadable quorum packet from the leader; closing", { leader: target.id, err });
        socket.destroy();
      }
    };
    socket.once(connected, () => {
      if (this.socket !== socket) return;
      // As ZooKeeper's Learner: authenticate (quorum SASL) before the first packet; until then
      // packets wait in the queue, and a refusal is a connection that never opened (retried).
      this.sockets.sasl.asLearner(socket, `${target.id}`).then(
        (rest) => {
          if (this.socket !== socket || socket.destroyed) return;
          this.open = true;
          this.retryDelayMs = 0;
          socket.on("data", onData);
          for (const bytes of this.queue.splice(0)) socket.write(bytes);
          if (rest.length > 0) onData(rest);
        },
        () => socket.destroy(),
      );
    });
    socket.on("error", () => undefined);
    socket.once("close", () => {
      if (this.socket !== socket) return;
      const wasOpen = this.open;
      this.socket = null;
      this.open = false;
      if (wasOpen) {
        this.zabSession = null;
        this.queue = [];
        this.revalidations = new Map();
        this.infoSent = false;
        this.handlers.onClosed(target.id);
        return;
      }
      // Not connected yet: the leader may not be listening yet. Try again, with backoff;
      // the core gives up on its own after initLimit ticks.
      this.retryDelayMs = nextReconnectDelayMs(this.retryDelayMs);
      this.retryTimer = setTimeout(() => {
        this.retryTimer = null;
        this.dial();
      }, this.retryDelayMs);
    });
  }

  private onPacket(leaderId: number, packet: QuorumPacket): void {
    if (this.zabSession === null) return;
    if (packet.type === REVALIDATE) {
      this.onRevalidateAnswer(packet);
      return;
    }
    const decoded = decodeQuorumPacket(packet);
    if (decoded.kind !== "message") return;
    const kind = decoded.body.type;
    if (kind === "DIFF" || kind === "TRUNC" || kind === "SNAP") {
      this.logger.log("info", `synchronizing with leader ${leaderId} by ${kind}`, { zxid: `0x${packet.zxid.toString(16)}` });
    }
    this.handlers.onMessage(quorumMessage(decoded.body, leaderId, this.self.id, this.zabSession, this.connectionNumber, this.seqIn++));
  }

  private onRevalidateAnswer(packet: QuorumPacket): void {
    const { sessionId, valid } = decodeRevalidateAnswer(packet.data);
    const waiting = this.revalidations.get(sessionId);
    const answer = waiting?.shift();
    if (waiting?.length === 0) this.revalidations.delete(sessionId);
    answer?.(valid);
  }
}
