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
        if (err instanceof JuteError && err.message.startsWith("truncated")) return;
        throw err;
      }
      this.pending = this.pending.subarray(reader.offset);
      onPacket(packet);
      if (this.pending.length === 0) return;
    }
  }
}

/** FOLLOWERINFO/OBSERVERINFO carry a LearnerInfo; protocol version 0x10000 since 3.4. */
export const LEARNER_PROTOCOL_VERSION = 0x10000;

export function decodeLearnerInfo(data: Buffer | null): LearnerInfo {
  if (data === null) throw new JuteError("FOLLOWERINFO without a LearnerInfo");
  return LearnerInfo.read(new JuteReader(data));
}
