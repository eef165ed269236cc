import { JuteReader, JuteWriter, LearnerInfo, OpCode, QuorumPacket } from "@zkts/jute";
import type { QuorumBody } from "@zkts/zab";
import { describe, expect, it } from "vitest";
import { decodeQuorumPacket, encodeForwardedRequest, encodeLearnerSync, encodeQuorumBody, learnerIdOf } from "../src/quorum/quorum-codec.js";
import { membershipFromConfigText } from "../src/quorum/membership-text.js";
import { QuorumPacketReader, encodeQuorumPacket } from "../src/quorum/quorum-wire.js";

/** Through the bytes and back, as a peer on the other end of the socket reads them. */
function overTheWire(packet: QuorumPacket): QuorumPacket {
  const out: QuorumPacket[] = [];
  new QuorumPacketReader(1 << 20).push(encodeQuorumPacket(packet), (p) => out.push(p));
  expect(out.length).toBe(1);
  return out[0]!;
}

describe("zab quorum messages as ZooKeeper QuorumPackets", () => {
  it("puts each field where the zab README says, with ZooKeeper's type numbers", () => {
    // Expected packets are written out by hand, not derived from the encoder.
    const info = encodeQuorumBody(2, { type: "FOLLOWERINFO", acceptedEpoch: 5, lastZxid: 0n });
    expect(info.type).toBe(11);
    expect(info.zxid).toBe(5n << 32n);
    expect(LearnerInfo.read(new JuteReader(info.data!))).toEqual({ serverid: 2n, protocolVersion: 0x10000, configVersion: 0n });
    expect(learnerIdOf(info)).toBe(2);

    const leaderInfo = encodeQuorumBody(1, { type: "LEADERINFO", epoch: 6 });
    expect([leaderInfo.type, leaderInfo.zxid, leaderInfo.data!.readInt32BE(0)]).toEqual([17, 6n << 32n, 0x10000]);

    const ackEpoch = encodeQuorumBody(2, { type: "ACKEPOCH", currentEpoch: 4, lastZxid: 0x400000007n });
    expect([ackEpoch.type, ackEpoch.zxid, ackEpoch.data!.readInt32BE(0)]).toEqual([18, 0x400000007n, 4]);

    const proposal = encodeQuorumBody(1, { type: "PROPOSAL", zxid: 0x600000001n, data: Buffer.from("txn") });
    expect([proposal.type, proposal.zxid, proposal.data!.toString()]).toEqual([2, 0x600000001n, "txn"]);
    // A reconfig's COMMIT names the designated leader as a long (ZooKeeper's Follower reads it
    // unconditionally); INFORMANDACTIVATE puts the transaction after it.
    const activate = encodeQuorumBody(1, { type: "COMMITANDACTIVATE", zxid: 0x600000002n, designatedLeader: 3 });
    expect([activate.type, activate.zxid, activate.data!.length, activate.data!.readBigInt64BE(0)]).toEqual([9, 0x600000002n, 8, 3n]);
    const inform = encodeQuorumBody(1, { type: "INFORMANDACTIVATE", zxid: 0x600000002n, designatedLeader: 2, data: Buffer.from("txn") });
    expect([inform.type, inform.data!.readBigInt64BE(0), inform.data!.subarray(8).toString()]).toEqual([19, 2n, "txn"]);
  });

  it("decodes every message the core sends back into the same body", () => {
    const bodies: QuorumBody[] = [
      { type: "OBSERVERINFO", acceptedEpoch: 3, lastZxid: 0n },
      { type: "LEADERINFO", epoch: 9 },
      { type: "ACKEPOCH", currentEpoch: 8, lastZxid: 0x800000002n },
      { type: "DIFF", zxid: 0x900000000n },
      { type: "TRUNC", zxid: 0x800000001n },
      { type: "SNAP", zxid: 0x800000003n, snapshot: Buffer.from("snapshot bytes") },
      { type: "PROPOSAL", zxid: 0x900000001n, data: Buffer.from([1, 2, 3]) },
      { type: "INFORM", zxid: 0x900000001n, data: Buffer.from([1, 2, 3]) },
      { type: "COMMIT", zxid: 0x900000001n },
      { type: "COMMITANDACTIVATE", zxid: 0x900000001n, designatedLeader: 2 },
      { type: "INFORMANDACTIVATE", zxid: 0x900000001n, data: Buffer.from([4, 5]), designatedLeader: 5 },
      {
        type: "NEWLEADER",
        zxid: 0x900000000n,
        membership: membershipFromConfigText(
          Buffer.from("server.1=127.0.0.1:2888:3888:participant;127.0.0.1:2181\nserver.2=127.0.0.1:2889:3889:participant;127.0.0.1:2182\nversion=100000003"),
        ),
      },
      { type: "ACK", zxid: 0x900000001n },
      { type: "UPTODATE", zxid: 0x900000001n },
      { type: "PING", zxid: 0x900000001n },
      { type: "SYNC", syncId: -1 },
    ];
    for (const body of bodies) {
      const decoded = decodeQuorumPacket(overTheWire(encodeQuorumBody(1, body)));
      expect(decoded).toEqual({ kind: "message", body });
    }
  });

  it("carries a learner's sync as a REQUEST of type sync, and client writes as requests for the leader", () => {
    const sync = overTheWire(encodeLearnerSync(12));
    expect(sync.type).toBe(1);
    expect(decodeQuorumPacket(sync)).toEqual({ kind: "message", body: { type: "SYNC", syncId: 12 } });

    const w = new JuteWriter(64);
    w.writeUstring("/a");
    const payload = w.toBuffer();
    const forwarded = overTheWire(
      encodeForwardedRequest({ sessionId: 0x1234n, cxid: 7, type: OpCode.delete, payload, authInfo: [{ scheme: "digest", id: "u:x" }] }),
    );
    // Learner.request's layout: sessionId, cxid, type, then the request record.
    expect(forwarded.data!.readBigInt64BE(0)).toBe(0x1234n);
    expect(forwarded.data!.readInt32BE(8)).toBe(7);
    expect(forwarded.data!.readInt32BE(12)).toBe(OpCode.delete);
    expect(decodeQuorumPacket(forwarded)).toEqual({
      kind: "request",
      request: { sessionId: 0x1234n, cxid: 7, type: OpCode.delete, payload, authInfo: [{ scheme: "digest", id: "u:x" }] },
    });
  });

  it("reads packets cut anywhere by the network, the REQUEST's authinfo vector included", () => {
    const payload = Buffer.alloc(1024, 0x61);
    const packets = [
      encodeForwardedRequest({ sessionId: 5n, cxid: 1, type: OpCode.setData, payload, authInfo: [{ scheme: "ip", id: "127.0.0.1" }] }),
      encodeQuorumBody(2, { type: "ACK", zxid: 0x100000001n }),
      encodeForwardedRequest({
        sessionId: 6n,
        cxid: 2,
        type: OpCode.setData,
        payload,
        authInfo: [
          { scheme: "ip", id: "127.0.0.1" },
          { scheme: "digest", id: "u:x" },
        ],
      }),
    ];
    const stream = Buffer.concat(packets.map((p) => encodeQuorumPacket(p)));
    for (let cut = 1; cut < stream.length; cut++) {
      const reader = new QuorumPacketReader(1024 * 1024);
      const seen: number[] = [];
      reader.push(stream.subarray(0, cut), (p) => seen.push(p.type));
      reader.push(stream.subarray(cut), (p) => seen.push(p.type));
      expect(seen).toEqual([1, 3, 1]);
    }
  });

  it("hands out data that later reads leave intact (views of each read's own bytes)", () => {
    const datas = [Buffer.alloc(700, 0x31), Buffer.alloc(900, 0x32), Buffer.alloc(500, 0x33)];
    const stream = Buffer.concat(datas.map((data, i) => encodeQuorumPacket({ type: 2, zxid: BigInt(i + 1), data, authinfo: null })));
    for (const cut of [1, 600, 720, 1650, stream.length - 1]) {
      const reader = new QuorumPacketReader(1 << 20);
      const seen: Buffer[] = [];
      // Reads arrive in buffers the socket will not write into again; copy them as the socket would hand them out.
      reader.push(Buffer.from(stream.subarray(0, cut)), (p) => seen.push(p.data!));
      reader.push(Buffer.from(stream.subarray(cut)), (p) => seen.push(p.data!));
      reader.push(encodeQuorumPacket({ type: 5, zxid: 9n, data: null, authinfo: null }), () => undefined);
      expect(seen, `cut at ${cut}`).toEqual(datas);
    }
  });

  it("still refuses a vector no packet could hold", () => {
    const w = new JuteWriter(64);
    w.writeInt(1);
    w.writeLong(0n);
    w.writeBuffer(Buffer.alloc(4));
    w.writeInt(0x7fffffff);
    expect(() => new QuorumPacketReader(1024).push(w.toBuffer(), () => undefined)).toThrow(/vector count/);
  });
});
