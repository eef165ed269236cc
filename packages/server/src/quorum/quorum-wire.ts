import { JuteError, JuteReader, JuteWriter, LearnerInfo, QuorumPacket } from "@zkts/jute";
import { SnapshotStreamScanner, snapshotFileOfStream, snapshotStreamOfFile } from "@zkts/storage";

/**
 * The quorum channel: QuorumPacket records written back to back with no frame length, as
 * ZooKeeper's Learner and LearnerHandler write them through a BinaryOutputArchive.
 */
export function encodeQuorumPacket(packet: QuorumPacket): Buffer {
  const w = new JuteWriter(64 + (packet.data?.length ?? 0));
  QuorumPacket.write(w, packet);
  return w.toBuffer();
}

const SNAP = 15;
/** What a leader writes after the snapshot it streams, as ZooKeeper's LearnerHandler does. */
const SNAPSHOT_SIGNATURE = "BenWasHere";

/**
 * A SNAP as it goes on the wire: the packet (no data), the snapshot streamed after it, and
 * the signature. `snapshot` is a snapshot file's bytes.
 */
export function encodeSnapPacket(zxid: bigint, snapshot: Uint8Array): Buffer {
  const stream = snapshotStreamOfFile(Buffer.from(snapshot.buffer, snapshot.byteOffset, snapshot.byteLength));
  const signature = new JuteWriter(16);
  signature.writeUstring(SNAPSHOT_SIGNATURE);
  return Buffer.concat([encodeQuorumPacket({ type: SNAP, zxid, data: null, authinfo: null }), stream, signature.toBuffer()]);
}

/** A snapshot streamed after a SNAP packet, gathered until its end and signature arrive. */
class StreamedSnapshot {
  private bytes = Buffer.alloc(64 * 1024);
  private length = 0;
  private readonly scanner = new SnapshotStreamScanner();

  constructor(readonly packet: QuorumPacket) {}

  /** Takes bytes; returns the snapshot file and the bytes after the signature once complete. */
  push(chunk: Buffer): { file: Buffer; rest: Buffer } | null {
    if (this.length + chunk.length > this.bytes.length) {
      const grown = Buffer.alloc(Math.max(this.bytes.length * 2, this.length + chunk.length));
      this.bytes.copy(grown, 0, 0, this.length);
      this.bytes = grown;
    }
    chunk.copy(this.bytes, this.length);
    this.length += chunk.length;
    const received = this.bytes.subarray(0, this.length);
    const end = this.scanner.scan(received);
    if (end === null || received.length < end + 4) return null;
    const signatureLength = received.readInt32BE(end);
    if (signatureLength !== SNAPSHOT_SIGNATURE.length) throw new JuteError(`streamed snapshot not followed by its signature (length ${signatureLength})`);
    if (received.length < end + 4 + signatureLength) return null;
    const signature = received.toString("utf8", end + 4, end + 4 + signatureLength);
    if (signature !== SNAPSHOT_SIGNATURE) throw new JuteError(`streamed snapshot signed "${signature}"`);
    return { file: snapshotFileOfStream(received.subarray(0, end)), rest: Buffer.from(received.subarray(end + 4 + signatureLength)) };
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
      const reader = new JuteReader(this.pending, 0, this.pending.length, this.maxBuffer);
      let packet: QuorumPacket;
      try {
        packet = QuorumPacket.read(reader);
      } catch (err) {
        if (err instanceof JuteError && isIncomplete(err, this.maxBuffer)) return;
        throw err;
      }
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
 * Quorum packets carry no length prefix (as in ZooKeeper), so a packet cut by the end of what
 * has arrived so far reads as truncated, or, when the cut falls inside a vector (REQUEST's
 * authinfo), as a vector longer than the bytes left. Both wait for more bytes, unless the
 * vector could not fit in any packet this reader accepts.
 */
function isIncomplete(err: JuteError, maxBuffer: number): boolean {
  if (err.message.startsWith("truncated")) return true;
  const vector = /^vector count (\d+) exceeds the \d+ bytes left/.exec(err.message);
  return vector !== null && Number(vector[1]) <= maxBuffer;
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
