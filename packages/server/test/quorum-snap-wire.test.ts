/**
 * The quorum wire as ZooKeeper writes it around a snapshot and sessions: a SNAP packet without
 * data, the snapshot streamed after it and the "BenWasHere" signature; a learner's PING
 * carrying {sessionId, timeout} pairs; REVALIDATE's question and answer.
 */
import { JuteReader, type QuorumPacket } from "@zkts/jute";
import { type SnapshotSource, encodeSnapshotBytes, parseSnapshot } from "@zkts/storage";
import { describe, expect, it } from "vitest";
import { readSessionReport, writeSessionReport } from "../src/quorum/session-report.js";
import {
  QuorumPacketReader,
  REVALIDATE,
  decodeRevalidate,
  encodeQuorumPacket,
  encodeRevalidate,
  encodeRevalidateAnswer,
  encodeSnapPacket,
  writeSnapPacket,
} from "../src/quorum/quorum-wire.js";

function snapshotSource(): SnapshotSource {
  const stat = { czxid: 1n, mzxid: 1n, ctime: 5n, mtime: 5n, version: 0, cversion: 0, aversion: 0, ephemeralOwner: 0n, pzxid: 1n };
  return {
    sessions: new Map([[0x1234n, 4000]]),
    acls: new Map([[-1n, [{ perms: 31, id: { scheme: "world", id: "anyone" } }]]]),
    nodes: [
      { path: "", data: null, acl: -1n, stat },
      { path: "/a", data: Buffer.from("x"), acl: -1n, stat },
    ],
    digest: { zxid: 5n, digestVersion: 2, digest: 1234n },
  };
}

async function snapshotFile(): Promise<Buffer> {
  return await encodeSnapshotBytes(snapshotSource());
}

describe("the quorum wire around snapshots and sessions", () => {
  it("reads a streamed SNAP and the packets after it, however the bytes are cut", async () => {
    const file = await snapshotFile();
    const after: QuorumPacket = { type: 10, zxid: 0x200000000n, data: Buffer.from("version=0"), authinfo: null };
    const wire = Buffer.concat([encodeSnapPacket(0x100000005n, file), encodeQuorumPacket(after)]);
    // The packet itself has no data: the snapshot follows it, then the signature.
    expect(wire.readInt32BE(12)).toBe(-1);
    expect(wire.includes(Buffer.from("BenWasHere"))).toBe(true);
    for (const size of [1, 5, 33, wire.length]) {
      const reader = new QuorumPacketReader(1 << 20);
      const packets: QuorumPacket[] = [];
      for (let at = 0; at < wire.length; at += size) reader.push(wire.subarray(at, at + size), (p) => packets.push(p));
      expect(packets.map((p) => [p.type, p.zxid])).toEqual([
        [15, 0x100000005n],
        [10, 0x200000000n],
      ]);
      const snapshot = await parseSnapshot("snapshot.100000005", 0x100000005n, packets[0]!.data!, 1 << 20);
      expect(snapshot.sessions).toEqual(new Map([[0x1234n, 4000]]));
      expect(snapshot.nodeCount).toBe(2);
    }
  });

  it("streams a SNAP from the state itself as the same bytes as from its snapshot file", async () => {
    const chunks: Buffer[] = [];
    await writeSnapPacket(0x100000005n, snapshotSource(), (bytes) => chunks.push(bytes));
    expect(Buffer.concat(chunks).equals(encodeSnapPacket(0x100000005n, await snapshotFile()))).toBe(true);
  });

  it("refuses a streamed snapshot without its signature", async () => {
    const wire = encodeSnapPacket(5n, await snapshotFile());
    const forged = Buffer.from(wire);
    forged.write("BenWasGone", wire.length - 10);
    expect(() => new QuorumPacketReader(1 << 20).push(forged, () => undefined)).toThrow(/signed "BenWasGone"/);
  });

  it("carries session reports as ZooKeeper's PING data and REVALIDATE as ZooKeeper's learners ask it", () => {
    const report = writeSessionReport([
      [0x100n, 4000],
      [0x200n, 30000],
    ]);
    expect(report.length).toBe(24);
    expect(readSessionReport(report)).toEqual([0x100n, 0x200n]);
    expect(() => readSessionReport(Buffer.alloc(5))).toThrow(/not a list/);
    const question = encodeRevalidate(0x100n, 4000);
    expect(question.type).toBe(REVALIDATE);
    expect(decodeRevalidate(question.data)).toEqual({ sessionId: 0x100n, timeoutMs: 4000 });
    const answer = new JuteReader(encodeRevalidateAnswer(0x100n, true).data!);
    expect([answer.readLong(), answer.readBool()]).toEqual([0x100n, true]);
  });
});
