import { JuteError, JuteReader, JuteWriter, LearnerInfo, QuorumPacket } from "@zkts/jute";
import { type SnapshotSource, SnapshotStreamGatherer, encodeSnapshotStream, snapshotStreamOfFile } from "@zkts/storage";

/**
 * The quorum channel: QuorumPacket records written back to back with no frame length, as
 * ZooKeeper's Learner and LearnerHandler write them through a BinaryOutputArchive.
 */
export function encodeQuorumPacket(packet: QuorumPacket): Buffer {
  const w = new JuteWriter(64 + (packet.data?.length ?? 0));
  QuorumPacket.write(w, packet);
  // The writer is not used again, so its bytes need no copy.
  return w.view();
}

const SNAP = 15;
/** What a leader writes after the snapshot it streams, as ZooKeeper's LearnerHandler does. */
const SNAPSHOT_SIGNATURE = "BenWasHere";

const SNAP_PACKET: Omit<QuorumPacket, "zxid"> = { type: SNAP, data: null, authinfo: null };

function snapshotSignature(): Buffer {
  const signature = new JuteWriter(16);
  signature.writeUstring(SNAPSHOT_SIGNATURE);
  return signature.toBuffer();
}

/**
 * A SNAP as it goes on the wire: the packet (no data), the snapshot streamed after it, and
 * the signature. `snapshot` is a snapshot file's bytes.
 */
export function encodeSnapPacket(zxid: bigint, snapshot: Uint8Array): Buffer {
  const stream = snapshotStreamOfFile(Buffer.from(snapshot.buffer, snapshot.byteOffset, snapshot.byteLength));
  return Buffer.concat([encodeQuorumPacket({ ...SNAP_PACKET, zxid }), stream, snapshotSignature()]);
}

/** Chunks of a SNAP's snapshot: small enough to be sent while the next is encoded. */
const SNAP_CHUNK_BYTES = 256 * 1024;

/**
 * The same bytes as encodeSnapPacket, encoded from the state itself and handed to `write` a
 * chunk at a time as they are made, with no snapshot file built in memory first: a leader's
 * SNAP. `write` calls `release` once done with a chunk (see encodeSnapshotStream). Resolves
 * once the snapshot's last node is encoded.
 */
export async function writeSnapPacket(zxid: bigint, source: SnapshotSource, write: (bytes: Buffer, release: () => void) => void): Promise<void> {
  const keep = (): void => undefined;
  write(encodeQuorumPacket({ ...SNAP_PACKET, zxid }), keep);
  await encodeSnapshotStream(source, write, { chunkBytes: SNAP_CHUNK_BYTES });
  write(snapshotSignature(), keep);
}

/** A snapshot streamed after a SNAP packet, gathered until its end and signature arrive. */
class StreamedSnapshot {
  private readonly gatherer = new SnapshotStreamGatherer();
  /** What arrived after the stream's end: the signature, and whatever follows it. */
  private after: Buffer | null = null;

  constructor(readonly packet: QuorumPacket) {}

  /** Takes bytes; returns the snapshot file and the bytes after the signature once complete. */
  push(chunk: Buffer): { file: Buffer; rest: Buffer } | null {
    if (this.after === null) {
      this.after = this.gatherer.push(chunk);
      if (this.after === null) return null;
    } else {
      this.after = Buffer.concat([this.after, chunk]);
    }
    const after = this.after;
    if (after.length < 4) return null;
    const signatureLength = after.readInt32BE(0);
    if (signatureLength !== SNAPSHOT_SIGNATURE.length) throw new JuteError(`streamed snapshot not followed by its signature (length ${signatureLength})`);
    if (after.length < 4 + signatureLength) return null;
    const signature = after.toString("utf8", 4, 4 + signatureLength);
    if (signature !== SNAPSHOT_SIGNATURE) throw new JuteError(`streamed snapshot signed "${signature}"`);
    return { file: this.gatherer.file(), rest: after.subarray(4 + signatureLength) };
  }
}

/**
 * Cuts a byte stream into QuorumPackets; a packet split across chunks waits for the rest. A
 * SNAP without data is followed by the streamed snapshot, handed on as the packet's data in
 * the snapshot file format.
 */
export class QuorumPacketReader {
  private pending: Buffer = Buffer.alloc(0);
  private snapshot: StreamedSnapshot | null = null;

  constructor(private readonly maxBuffer: number) {}

  push(chunk: Buffer, onPacket: (packet: QuorumPacket) => void): void {
    if (this.snapshot !== null) {
      const done = this.snapshot.push(chunk);
      if (done === null) return;
      const packet = { ...this.snapshot.packet, data: done.file };
      this.snapshot = null;
      onPacket(packet);
      if (done.rest.length === 0) return;
      chunk = done.rest;
    }
    this.pending = this.pending.length === 0 ? chunk : Buffer.concat([this.pending, chunk]);
    for (;;) {
      // Most reads end inside a packet: that is seen from its lengths, before decoding it.
      if (!holdsWholePacket(this.pending, this.maxBuffer)) return;
      // A packet's data is a view of the bytes read, not a copy. Each read is a buffer of its
      // own (sized to what was read), so a proposal kept in the log holds at most its read's
      // bytes, which are mostly proposals too.
      const reader = new JuteReader(this.pending, 0, this.pending.length, this.maxBuffer, true);
      const packet = QuorumPacket.read(reader);
      this.pending = this.pending.subarray(reader.offset);
      if (packet.type === SNAP && packet.data === null) {
        this.snapshot = new StreamedSnapshot(packet);
        const rest = this.pending;
        this.pending = Buffer.alloc(0);
        this.push(rest, onPacket);
        return;
      }
      onPacket(packet);
      if (this.pending.length === 0) return;
    }
  }
}

/**
 * Quorum packets carry no length prefix (as in ZooKeeper), so whether `bytes` starts with a
 * whole one is read off its own lengths: int type, long zxid, the data's length and bytes, then
 * the authinfo vector (a count, and two length-prefixed strings an Id). A length no packet could
 * have (negative, or past maxBuffer) counts as whole: decoding it then says what is wrong.
 */
function holdsWholePacket(bytes: Buffer, maxBuffer: number): boolean {
  let at = 12;
  if (bytes.length < at + 4) return false;
  const dataLength = bytes.readInt32BE(at);
  if (dataLength < -1 || dataLength > maxBuffer) return true;
  at += 4 + Math.max(dataLength, 0);
  if (bytes.length < at + 4) return false;
  const ids = bytes.readInt32BE(at);
  if (ids < -1 || ids > maxBuffer) return true;
  at += 4;
  for (let i = 0; i < ids * 2; i++) {
    if (bytes.length < at + 4) return false;
    const length = bytes.readInt32BE(at);
    if (length < -1 || length > maxBuffer) return true;
    at += 4 + Math.max(length, 0);
  }
  return bytes.length >= at;
}

/** FOLLOWERINFO/OBSERVERINFO carry a LearnerInfo; protocol version 0x10000 since 3.4. */
export const LEARNER_PROTOCOL_VERSION = 0x10000;

export function decodeLearnerInfo(data: Buffer | null): LearnerInfo {
  if (data === null) throw new JuteError("FOLLOWERINFO without a LearnerInfo");
  return LearnerInfo.read(new JuteReader(data));
}

/**
 * REVALIDATE: a learner whose client reconnected with an existing session asks the leader
 * whether it is still valid, and a ZooKeeper leader then takes the learner for the session's
 * owner (a write forwarded by another learner is refused with SESSIONMOVED). The question is
 * {long sessionId, int timeout}, the answer {long sessionId, boolean valid}.
 */
export const REVALIDATE = 6;

export function encodeRevalidate(sessionId: bigint, timeoutMs: number): QuorumPacket {
  const w = new JuteWriter(12);
  w.writeLong(sessionId);
  w.writeInt(timeoutMs);
  return { type: REVALIDATE, zxid: -1n, data: w.toBuffer(), authinfo: null };
}

export function decodeRevalidate(data: Buffer | null): { sessionId: bigint; timeoutMs: number } {
  if (data === null || data.length < 12) throw new JuteError("REVALIDATE without sessionId and timeout");
  const r = new JuteReader(data);
  return { sessionId: r.readLong(), timeoutMs: r.readInt() };
}

export function encodeRevalidateAnswer(sessionId: bigint, valid: boolean): QuorumPacket {
  const w = new JuteWriter(9);
  w.writeLong(sessionId);
  w.writeBool(valid);
  return { type: REVALIDATE, zxid: -1n, data: w.toBuffer(), authinfo: null };
}

export function decodeRevalidateAnswer(data: Buffer | null): { sessionId: bigint; valid: boolean } {
  if (data === null || data.length < 9) throw new JuteError("REVALIDATE answer without sessionId and validity");
  const r = new JuteReader(data);
  return { sessionId: r.readLong(), valid: r.readBool() };
}
