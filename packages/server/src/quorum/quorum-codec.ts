import { type Id, JuteError, JuteReader, JuteWriter, LearnerInfo, OpCode, type QuorumPacket } from "@zkts/jute";
import { type QuorumBody, QuorumPacketType } from "@zkts/zab";
import { membershipFromConfigText } from "./membership-text.js";
import { LEARNER_PROTOCOL_VERSION } from "./quorum-wire.js";

// The mapping between @zkts/zab's quorum messages and ZooKeeper's QuorumPacket, as the zab
// README lists it. The per-connection header (session, term, seq) is not on the wire: the
// transport fills it in on receipt.

type QuorumPacketName = keyof typeof QuorumPacketType;
const TYPE_NAMES = new Map<number, QuorumPacketName>(Object.entries(QuorumPacketType).map(([name, type]) => [type, name as QuorumPacketName]));

/** A learner's forwarded client request, as ZooKeeper's Learner.request writes REQUEST data. */
export interface ForwardedRequest {
  sessionId: bigint;
  cxid: number;
  /** The client OpCode. */
  type: number;
  /** The request record, without the client's RequestHeader. */
  payload: Buffer;
  authInfo: Id[];
}

/** The same bytes as a Buffer, not a copy: the packet is encoded from them at once. */
function bufferView(bytes: Uint8Array): Buffer {
  return Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

function epochZxid(epoch: number): bigint {
  return BigInt(epoch) << 32n;
}

function intData(value: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeInt32BE(value);
  return b;
}

function readIntData(data: Buffer | null, what: string): number {
  if (data === null || data.length < 4) throw new JuteError(`${what} without its int`);
  return data.readInt32BE(0);
}

/** ...ANDACTIVATE data: the designated leader's id as a long, then (INFORMANDACTIVATE) the txn. */
function designatedLeaderData(designatedLeader: number, txn?: Uint8Array): Buffer {
  const b = Buffer.alloc(8 + (txn?.length ?? 0));
  b.writeBigInt64BE(BigInt(designatedLeader));
  if (txn !== undefined) b.set(txn, 8);
  return b;
}

function readDesignatedLeader(data: Buffer | null, what: string): number {
  if (data === null || data.length < 8) throw new JuteError(`${what} without its designated leader`);
  return Number(data.readBigInt64BE(0));
}

/** Encodes a zab message sent by `from`. SYNC from a learner becomes a REQUEST of type sync. */
export function encodeQuorumBody(from: number, body: QuorumBody): QuorumPacket {
  const type = QuorumPacketType[body.type];
  switch (body.type) {
    case "FOLLOWERINFO":
    case "OBSERVERINFO": {
      const w = new JuteWriter(32);
      LearnerInfo.write(w, { serverid: BigInt(from), protocolVersion: LEARNER_PROTOCOL_VERSION, configVersion: 0n });
      return { type, zxid: epochZxid(body.acceptedEpoch), data: w.toBuffer(), authinfo: null };
    }
    case "LEADERINFO":
      return { type, zxid: epochZxid(body.epoch), data: intData(LEARNER_PROTOCOL_VERSION), authinfo: null };
    case "ACKEPOCH":
      return { type, zxid: body.lastZxid, data: intData(body.currentEpoch), authinfo: null };
    case "DIFF":
    case "TRUNC":
    case "COMMIT":
    case "ACK":
    case "UPTODATE":
    case "PING":
      return { type, zxid: body.zxid, data: null, authinfo: null };
    case "COMMITANDACTIVATE":
      return { type, zxid: body.zxid, data: designatedLeaderData(body.designatedLeader), authinfo: null };
    case "INFORMANDACTIVATE":
      return { type, zxid: body.zxid, data: designatedLeaderData(body.designatedLeader, body.data), authinfo: null };
    case "NEWLEADER":
      // ZooKeeper sends its configuration text with NEWLEADER.
      return { type, zxid: body.zxid, data: bufferView(body.membership.data), authinfo: null };
    case "PROPOSAL":
    case "INFORM":
      return { type, zxid: body.zxid, data: bufferView(body.data), authinfo: null };
    case "SNAP":
      // The packet as QuorumPacketReader hands it on, the snapshot file's bytes as its data;
      // on the wire the snapshot follows a packet without data (encodeSnapPacket).
      if (body.snapshot === null) throw new Error("SNAP sent without its snapshot");
      return { type, zxid: body.zxid, data: bufferView(body.snapshot), authinfo: null };
    case "SYNC":
      return { type, zxid: 0n, data: null, authinfo: null };
  }
}

/**
 * The record of a learner's SYNC that asks the leader to confirm its leadership with a quorum
 * first (zkts's linearizable reads). A plain sync carries no record.
 */
const CONFIRM_QUORUM_MARK = Buffer.from("zkts:confirm-quorum");

/** A learner's SYNC travels as a REQUEST whose type is OpCode.sync, as in ZooKeeper. */
export function encodeLearnerSync(syncId: number, confirmQuorum = false): QuorumPacket {
  const payload = confirmQuorum ? CONFIRM_QUORUM_MARK : Buffer.alloc(0);
  return encodeForwardedRequest({ sessionId: 0n, cxid: syncId, type: OpCode.sync, payload, authInfo: [] });
}

export function encodeForwardedRequest(r: ForwardedRequest): QuorumPacket {
  const w = new JuteWriter(16 + r.payload.length);
  w.writeLong(r.sessionId);
  w.writeInt(r.cxid);
  w.writeInt(r.type);
  w.writeRaw(r.payload);
  return { type: QuorumPacketType.REQUEST, zxid: -1n, data: w.toBuffer(), authinfo: r.authInfo };
}

export function decodeForwardedRequest(packet: QuorumPacket): ForwardedRequest {
  const data = packet.data;
  if (data === null || data.length < 16) throw new JuteError("REQUEST without sessionId, cxid and type");
  const r = new JuteReader(data);
  const sessionId = r.readLong();
  const cxid = r.readInt();
  const type = r.readInt();
  return { sessionId, cxid, type, payload: data.subarray(16), authInfo: packet.authinfo ?? [] };
}

/**
 * Decodes a packet into a zab body. REQUEST (other than sync) is no zab message: it is a
 * client's request a learner forwarded, which the leader's replica turns into a transaction
 * (the one path learners' writes take), so it is returned as "request".
 */
export function decodeQuorumPacket(packet: QuorumPacket): { kind: "message"; body: QuorumBody } | { kind: "request"; request: ForwardedRequest } {
  const name = TYPE_NAMES.get(packet.type);
  if (name === undefined) throw new JuteError(`unknown quorum packet type ${packet.type}`);
  const zxid = packet.zxid;
  const message = (body: QuorumBody) => ({ kind: "message" as const, body });
  switch (name) {
    case "FOLLOWERINFO":
    case "OBSERVERINFO":
      // lastZxid is informational; the leader decides from ACKEPOCH's.
      return message({ type: name, acceptedEpoch: Number(zxid >> 32n), lastZxid: 0n });
    case "LEADERINFO":
      return message({ type: name, epoch: Number(zxid >> 32n) });
    case "ACKEPOCH":
      return message({ type: name, currentEpoch: readIntData(packet.data, "ACKEPOCH"), lastZxid: zxid });
    case "DIFF":
    case "TRUNC":
    case "COMMIT":
    case "ACK":
    case "UPTODATE":
    case "PING":
      return message({ type: name, zxid });
    case "COMMITANDACTIVATE":
      return message({ type: name, zxid, designatedLeader: readDesignatedLeader(packet.data, name) });
    case "INFORMANDACTIVATE":
      return message({ type: name, zxid, designatedLeader: readDesignatedLeader(packet.data, name), data: packet.data!.subarray(8) });
    case "NEWLEADER":
      return message({ type: name, zxid, membership: membershipFromConfigText(packet.data ?? Buffer.alloc(0)) });
    case "PROPOSAL":
    case "INFORM":
      return message({ type: name, zxid, data: packet.data ?? Buffer.alloc(0) });
    case "SNAP":
      if (packet.data === null) throw new JuteError("SNAP without a snapshot");
      return message({ type: name, zxid, snapshot: packet.data });
    case "SYNC":
      // Answers come back in request order; the core matches them that way.
      return message({ type: name, syncId: -1 });
    case "REQUEST": {
      const request = decodeForwardedRequest(packet);
      if (request.type === OpCode.sync) {
        const confirmQuorum = request.payload.equals(CONFIRM_QUORUM_MARK);
        return message(confirmQuorum ? { type: "SYNC", syncId: request.cxid, confirmQuorum } : { type: "SYNC", syncId: request.cxid });
      }
      return { kind: "request", request };
    }
  }
}

/** The server id a FOLLOWERINFO/OBSERVERINFO names in its LearnerInfo. */
export function learnerIdOf(packet: QuorumPacket): number {
  if (packet.data === null) throw new JuteError("learner info packet without LearnerInfo");
  return Number(LearnerInfo.read(new JuteReader(packet.data)).serverid);
}
