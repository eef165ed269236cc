/**
 * The snapshot as a ZooKeeper leader streams it after SNAP: a file's body without header,
 * seals or digest, whose end a reader finds by walking it however the bytes are cut.
 */
import { ACL } from "@zkts/jute";
import { describe, expect, it } from "vitest";
import {
  encodeSnapshotBytes,
  encodeSnapshotStream,
  parseSnapshot,
  SnapshotStreamGatherer,
  SnapshotStreamScanner,
  snapshotFileOfStream,
  snapshotStreamOfFile,
  type SnapshotNode,
  type SnapshotSource,
} from "../src/index.js";
import { OPEN_ACL, smallTree } from "./support/fixtures.js";

const DIGEST_ACL: ACL[] = [{ perms: 31, id: { scheme: "digest", id: "alice:7QbNgWTRvLPeXhWcC0GbvMvG7tE=" } }];

function source(nodes: SnapshotNode[]): SnapshotSource {
  return {
    sessions: new Map([[0x100000a8da70000n, 10_000]]),
    acls: new Map([
      [-1n, OPEN_ACL],
      [1n, DIGEST_ACL],
    ]),
    nodes,
    digest: { zxid: 0x18n, digestVersion: 2, digest: 47164149917n },
  };
}

async function snapshotFile(nodes: SnapshotNode[]): Promise<Buffer> {
  return await encodeSnapshotBytes(source(nodes));
}

/** Many nodes, so the stream spans several chunks. */
function wideTree(count: number): SnapshotNode[] {
  const root = smallTree()[0]!;
  return [root, ...Array.from({ length: count }, (_, i) => ({ ...root, path: `/n${i}`, data: Buffer.alloc(i % 300, i) }))];
}

describe("streamed snapshots", () => {
  it("a file's stream is its body up to the node list's end, and becomes a file that parses the same", async () => {
    const file = await snapshotFile(smallTree());
    const stream = snapshotStreamOfFile(file);
    // Header (16 bytes) off the front; seal, digest and its seal (13 + 20 + 13) off the back.
    expect(stream.equals(file.subarray(16, file.length - 46))).toBe(true);
    const rebuilt = await parseSnapshot("snapshot.18", 0x18n, snapshotFileOfStream(stream), 1 << 20);
    const original = await parseSnapshot("snapshot.18", 0x18n, file, 1 << 20);
    const nodesOf = async (s: typeof original) => {
      const out: SnapshotNode[] = [];
      for await (const n of s.nodes()) out.push(n);
      return out;
    };
    expect(await nodesOf(rebuilt)).toEqual(await nodesOf(original));
    expect(rebuilt.sessions).toEqual(original.sessions);
    expect(rebuilt.acls).toEqual(original.acls);
  });

  it("finds the end whatever the bytes arrive cut into, and not before", async () => {
    const stream = snapshotStreamOfFile(await snapshotFile(smallTree()));
    for (const size of [1, 3, 7, 64]) {
      const scanner = new SnapshotStreamScanner();
      let end: number | null = null;
      for (let got = size; end === null; got += size) {
        end = scanner.scan(stream.subarray(0, Math.min(got, stream.length)));
        if (end === null) expect(got).toBeLessThan(stream.length);
      }
      expect(end).toBe(stream.length);
    }
    // Bytes after the end (the signature) are not taken.
    expect(new SnapshotStreamScanner().scan(Buffer.concat([stream, Buffer.from([0, 0, 0, 10])]))).toBe(stream.length);
  });

  it("refuses bytes that cannot be a snapshot", () => {
    expect(() => new SnapshotStreamScanner().scan(Buffer.from([0xff, 0xff, 0xff, 0xf0]))).toThrow(/session count -16 at byte offset 0/);
  });

  it("is encoded straight from the source, chunk by chunk, as the stream of the file", async () => {
    const nodes = wideTree(2000);
    const chunks: Buffer[] = [];
    const written = await encodeSnapshotStream(source(nodes), (chunk) => chunks.push(chunk), { chunkBytes: 4096 });
    expect(chunks.length).toBeGreaterThan(10);
    const stream = Buffer.concat(chunks);
    expect(stream.equals(snapshotStreamOfFile(await snapshotFile(nodes)))).toBe(true);
    expect(written).toEqual({ bytes: stream.length, nodes: nodes.length });
    // A chunk released at once lends its buffer to the next: what was sent stays the same.
    const sent: Buffer[] = [];
    await encodeSnapshotStream(
      source(nodes),
      (chunk, release) => {
        sent.push(Buffer.from(chunk));
        release();
      },
      { chunkBytes: 4096 },
    );
    expect(Buffer.concat(sent).equals(stream)).toBe(true);
  });

  it("is gathered, however cut, into the file snapshotFileOfStream makes, handing back what follows it", async () => {
    const stream = snapshotStreamOfFile(await snapshotFile(wideTree(1000)));
    const trailer = Buffer.from([0, 0, 0, 10, 1, 2, 3]);
    const wire = Buffer.concat([stream, trailer]);
    for (const size of [1, 13, 4096, wire.length]) {
      const gatherer = new SnapshotStreamGatherer();
      let after: Buffer | null = null;
      for (let at = 0; after === null; at += size) after = gatherer.push(wire.subarray(at, at + size));
      expect(after.equals(trailer.subarray(0, after.length))).toBe(true);
      expect(gatherer.nodes).toBe(1001);
      expect(gatherer.file().equals(snapshotFileOfStream(stream))).toBe(true);
    }
  });

  it("gathers nodes longer than the chunks they arrive in", async () => {
    const nodes = wideTree(50);
    nodes.splice(20, 0, { ...nodes[0]!, path: "/big", data: Buffer.alloc(40_000, 9) });
    const stream = snapshotStreamOfFile(await snapshotFile(nodes));
    for (const size of [100, 4096, 6000]) {
      const gatherer = new SnapshotStreamGatherer();
      let after: Buffer | null = null;
      for (let at = 0; after === null; at += size) after = gatherer.push(stream.subarray(at, at + size));
      expect(after.length).toBe(0);
      expect(gatherer.file().equals(snapshotFileOfStream(stream))).toBe(true);
    }
  });
});
