import { JuteError, JuteReader, JuteWriter, LearnerInfo, QuorumPacket } from "@zkts/jute";

/**
 * The quorum channel: QuorumPacket records written back to back with no frame length, as
 * ZooKeeper's Learner and LearnerHandler write them through a BinaryOutputArchive.
 */
export function encodeQuorumPacket(packet: QuorumPacket): Buffer {
  const w = new JuteWriter(64 + (packet.data?.length ?? 0));
  QuorumPacket.write(w, packet);
  return w.toBuffer();
}

/** Cuts a byte stream into QuorumPackets; a packet split across chunks waits for the rest. */
export class QuorumPacketReader {
  private pending: Buffer = Buffer.alloc(0);

  constructor(private readonly maxBuffer: number) {}

  push(chunk: Buffer, onPacket: (packet: QuorumPacket) => void): void {
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
