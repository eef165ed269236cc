import { randomBytes } from "node:crypto";
import type { Socket } from "node:net";
import { JuteReader, QuorumAuthPacket } from "@zkts/jute";
import { DigestMd5Client, DigestMd5Server, SaslError, ZOOKEEPER_QUORUM_DIGEST } from "@zkts/sasl";
import type { Logger } from "../logger.js";
import type { QuorumSaslConfig } from "../sasl/sasl-settings.js";

/**
 * SASL DIGEST-MD5 between members, as ZooKeeper's SaslQuorumAuthLearner and
 * SaslQuorumAuthServer run it: on the election port right after the connecting member's
 * initial message, and on the quorum port before the learner's first packet. Each side sends
 * QuorumAuthPacket records (a magic long, a status int, a token buffer): the learner opens
 * with an empty token, the server challenges (IN_PROGRESS), the learner responds, and the
 * server ends with SUCCESS and its rspauth, or ERROR.
 *
 * A server with quorum.auth.serverRequireSasl refuses a member that does not authenticate or
 * fails; without it, the connection is let through either way (the rolling-upgrade mode). A
 * learner authenticates only with quorum.auth.learnerRequireSasl.
 */

/**
 * QuorumAuth.QUORUM_AUTH_MAGIC_NUMBER, Java's `-0xa0dbcafecafe1234L`: the hex literal is already
 * a negative long, so the negation is positive (6855662812065295820), whatever its comment says.
 */
const QUORUM_AUTH_MAGIC = BigInt.asIntN(64, -0xa0dbcafecafe1234n);
const STATUS_IN_PROGRESS = 0;
const STATUS_SUCCESS = 1;
const STATUS_ERROR = -1;
/** SaslQuorumAuthServer's bound on the rounds of one exchange. */
const ROUNDS_MAX = 5;
/** A member that stalls the exchange is dropped after this long. */
const EXCHANGE_TIMEOUT_MS = 10_000;
/** Tokens of DIGEST-MD5 are a few hundred bytes; anything far larger is not one. */
const TOKEN_BYTES_MAX = 64 * 1024;

function encodePacket(status: number, token: Buffer | null): Buffer {
  return QuorumAuthPacket.encode({ magic: QUORUM_AUTH_MAGIC, status, token });
}

/**
 * Pulls bytes off a socket for the length of the exchange; what arrived beyond it is handed
 * back to the caller, who reads the rest of the stream.
 */
class ExchangeReader {
  private buffered: Buffer;
  private wake: (() => void) | null = null;
  private ended = false;
  private readonly onData = (chunk: Buffer) => {
    this.buffered = this.buffered.length === 0 ? chunk : Buffer.concat([this.buffered, chunk]);
    this.wake?.();
  };
  private readonly onEnd = () => {
    this.ended = true;
    this.wake?.();
  };

  constructor(
    private readonly socket: Socket,
    initial: Buffer,
  ) {
    this.buffered = initial;
    socket.on("data", this.onData);
    socket.once("close", this.onEnd);
    socket.once("end", this.onEnd);
  }

  /** Resolves once `n` bytes are buffered; rejects if the connection ends first. */
  async need(n: number): Promise<void> {
    while (this.buffered.length < n) {
      if (this.ended) throw new SaslError("the connection closed during quorum authentication");
      await new Promise<void>((resolve) => (this.wake = resolve));
      this.wake = null;
    }
  }

  peekLong(): bigint {
    return this.buffered.readBigInt64BE(0);
  }

  /** One QuorumAuthPacket (magic long, status int, token buffer: 16 bytes and the token). */
  async readPacket(): Promise<QuorumAuthPacket> {
    await this.need(16);
    const length = this.buffered.readInt32BE(12);
    if (length > TOKEN_BYTES_MAX) throw new SaslError(`a quorum auth token of ${length} bytes`);
    await this.need(16 + Math.max(0, length));
    const reader = new JuteReader(this.buffered, 0, 16 + Math.max(0, length), TOKEN_BYTES_MAX);
    const packet = QuorumAuthPacket.read(reader);
    if (packet.magic !== QUORUM_AUTH_MAGIC) throw new SaslError("not a quorum auth packet");
    this.buffered = this.buffered.subarray(reader.offset);
    return packet;
  }

  /** Stops reading and returns the bytes that follow the exchange. */
  detach(): Buffer {
    this.socket.off("data", this.onData);
    this.socket.off("close", this.onEnd);
    this.socket.off("end", this.onEnd);
    return this.buffered;
  }
}

function withDeadline<T>(work: Promise<T>, socket: Socket): Promise<T> {
  const timer = setTimeout(() => socket.destroy(), EXCHANGE_TIMEOUT_MS);
  return work.finally(() => clearTimeout(timer));
}

export class QuorumSasl {
  constructor(
    private readonly config: QuorumSaslConfig | null,
    private readonly logger: Logger,
  ) {}

  /**
   * The connecting member's side: authenticates (with learnerRequireSasl) and resolves with
   * the bytes already received after the exchange; rejects when the other member refuses.
   */
  async asLearner(socket: Socket, peer: string): Promise<Buffer> {
    if (this.config === null || !this.config.learnerRequireSasl) return Buffer.alloc(0);
    const { username, password } = this.config.learner;
    const client = new DigestMd5Client({ ...ZOOKEEPER_QUORUM_DIGEST, username, password, cnonce: () => randomBytes(24).toString("base64") });
    const reader = new ExchangeReader(socket, Buffer.alloc(0));
    const exchange = async () => {
      socket.write(encodePacket(STATUS_IN_PROGRESS, client.start()));
      for (;;) {
        const packet = await reader.readPacket();
        if (packet.status === STATUS_ERROR) throw new SaslError(`member ${peer} refused this member's quorum authentication`);
        const answer = client.evaluate(packet.token ?? Buffer.alloc(0));
        if (packet.status === STATUS_SUCCESS) {
          if (answer !== null || !client.complete) throw new SaslError(`member ${peer} ended the exchange before it completed`);
          return;
        }
        if (packet.status !== STATUS_IN_PROGRESS) throw new SaslError(`member ${peer} sent quorum auth status ${packet.status}`);
        socket.write(encodePacket(STATUS_IN_PROGRESS, answer));
      }
    };
    try {
      await withDeadline(exchange(), socket);
    } catch (err) {
      reader.detach();
      this.logger.log("error", "quorum SASL authentication failed", { peer, reason: (err as Error).message });
      throw err;
    }
    this.logger.log("debug", "authenticated to a member with SASL", { peer });
    return reader.detach();
  }

  /**
   * The accepting member's side: `initial` holds bytes already read after the initial message.
   * Resolves with the bytes that follow the exchange (all of them when the member did not try
   * to authenticate); rejects when serverRequireSasl refuses the member.
   */
  async asServer(socket: Socket, initial: Buffer, peer: string): Promise<Buffer> {
    const config = this.config;
    if (config === null) return initial;
    const reader = new ExchangeReader(socket, initial);
    let sentError = false;
    const exchange = async () => {
      await reader.need(8);
      if (reader.peekLong() !== QUORUM_AUTH_MAGIC) {
        if (config.serverRequireSasl) throw new SaslError("the member did not try to authenticate and quorum.auth.serverRequireSasl is set");
        return;
      }
      const server = new DigestMd5Server({
        ...ZOOKEEPER_QUORUM_DIGEST,
        passwordOf: (user) => config.serverUsers.get(user) ?? null,
        // SaslQuorumServerCallbackHandler: the authorization id must be the authenticated user.
        // (Its host check applies to Kerberos names of three parts only, never to DIGEST users.)
        authorize: (authenticationId, authorizationId) => (authenticationId === authorizationId ? authorizationId : null),
        nonce: () => randomBytes(30).toString("base64"),
      });
      let token = (await reader.readPacket()).token ?? Buffer.alloc(0);
      for (let round = 1; ; round++) {
        const challenge = server.evaluate(token);
        if (server.complete) {
          socket.write(encodePacket(STATUS_SUCCESS, challenge));
          return;
        }
        if (round > ROUNDS_MAX) {
          sentError = true;
          socket.write(encodePacket(STATUS_ERROR, challenge));
          throw new SaslError(`no agreement after ${ROUNDS_MAX} rounds`);
        }
        socket.write(encodePacket(STATUS_IN_PROGRESS, challenge));
        token = (await reader.readPacket()).token ?? Buffer.alloc(0);
      }
    };
    try {
      await withDeadline(exchange(), socket);
    } catch (err) {
      if (!sentError && !socket.destroyed) socket.write(encodePacket(STATUS_ERROR, Buffer.alloc(0)));
      const reason = (err as Error).message;
      if (config.serverRequireSasl) {
        reader.detach();
        this.logger.log("error", "refusing a member: quorum SASL authentication failed", { peer, reason });
        throw err;
      }
      this.logger.log("warn", "quorum SASL authentication failed; keeping the connection (quorum.auth.serverRequireSasl is off)", { peer, reason });
    }
    return reader.detach();
  }
}
