import { JuteError, JuteReader, JuteWriter } from "@zkts/jute";

/**
 * The election channel as ZooKeeper's QuorumCnxManager and FastLeaderElection put it on the
 * wire. A connection opens with an initial message (protocol version, sender id, election
 * address); after that every message is an int32 length and a notification.
 */
export const ELECTION_PROTOCOL_V1 = -65536n;
export const ELECTION_PROTOCOL_V2 = -65535n;
/** QuorumCnxManager.PACKETMAXSIZE: larger election messages are refused. */
export const ELECTION_MESSAGE_MAX = 512 * 1024;
/** FastLeaderElection.Notification.CURRENTVERSION. */
export const NOTIFICATION_VERSION = 2;

export interface InitialMessage {
  protocolVersion: bigint;
  sid: bigint;
  /** "host:port", or several joined by "|" in protocol V2. */
  electionAddress: string;
}

export interface WireNotification {
  /** LOOKING 0, FOLLOWING 1, LEADING 2, OBSERVING 3. */
  state: number;
  leader: bigint;
  zxid: bigint;
  electionEpoch: bigint;
  peerEpoch: bigint;
  version: number;
  /** The sender's quorum configuration (server.N lines and version=...), as text. */
  config: string;
}

export function encodeInitialMessage(message: InitialMessage): Buffer {
  const w = new JuteWriter(64);
  w.writeLong(message.protocolVersion);
  w.writeLong(message.sid);
  const address = Buffer.from(message.electionAddress, "utf8");
  w.writeInt(address.length);
  w.writeRaw(address);
  return w.toBuffer();
}

/**
 * Reads an initial message from the start of `buf`; returns null while bytes are missing.
 * A non-negative first long is an old peer's bare server id.
 */
export function decodeInitialMessage(buf: Buffer): { message: InitialMessage; length: number } | null {
  if (buf.length < 8) return null;
  const r = new JuteReader(buf);
  const first = r.readLong();
  if (first >= 0n) return { message: { protocolVersion: 0n, sid: first, electionAddress: "" }, length: 8 };
  if (first !== ELECTION_PROTOCOL_V1 && first !== ELECTION_PROTOCOL_V2) {
    throw new JuteError(`unknown election protocol version ${first}`);
  }
  if (buf.length < 20) return null;
  const sid = r.readLong();
  const size = r.readInt();
  if (size < 0 || size > 4096) throw new JuteError(`election address of ${size} bytes`);
  if (buf.length < 20 + size) return null;
  const electionAddress = buf.toString("utf8", 20, 20 + size);
  return { message: { protocolVersion: first, sid, electionAddress }, length: 20 + size };
}

/** One framed notification (length prefix included), as FastLeaderElection.buildMsg writes it. */
export function encodeNotification(n: WireNotification): Buffer {
  const config = Buffer.from(n.config, "utf8");
  const w = new JuteWriter(64 + config.length);
  w.writeInt(44 + config.length);
  w.writeInt(n.state);
  w.writeLong(n.leader);
  w.writeLong(n.zxid);
  w.writeLong(n.electionEpoch);
  w.writeLong(n.peerEpoch);
  w.writeInt(n.version);
  w.writeInt(config.length);
  w.writeRaw(config);
  return w.toBuffer();
}

/**
 * Decodes a notification payload (without its length prefix), accepting the older 28- and
 * 40-byte forms as FastLeaderElection does.
 */
export function decodeNotification(payload: Buffer): WireNotification {
  if (payload.length < 28) throw new JuteError(`notification of ${payload.length} bytes is too short`);
  const r = new JuteReader(payload);
  const state = r.readInt();
  const leader = r.readLong();
  const zxid = r.readLong();
  const electionEpoch = r.readLong();
  if (payload.length === 28) {
    return { state, leader, zxid, electionEpoch, peerEpoch: zxid >> 32n, version: 0, config: "" };
  }
  const peerEpoch = r.readLong();
  if (payload.length === 36 || payload.length === 40) {
    const version = payload.length === 40 ? r.readInt() : 0;
    return { state, leader, zxid, electionEpoch, peerEpoch, version, config: "" };
  }
  const version = r.readInt();
  let config = "";
  if (version > 1) {
    const size = r.readInt();
    if (size < 0 || size > r.remaining) throw new JuteError(`config of ${size} bytes in a notification of ${payload.length}`);
    config = payload.toString("utf8", r.offset, r.offset + size);
  }
  return { state, leader, zxid, electionEpoch, peerEpoch, version, config };
}
