/**
 * The snapshot as a ZooKeeper leader streams it after SNAP: a file's body without header,
 * seals or digest, whose end a reader finds by walking it however the bytes are cut.
 */
import { ACL } from "@zkts/jute";
import { describe, expect, it } from "vitest";
import { encodeSnapshotBytes, parseSnapshot, SnapshotStreamScanner, snapshotFileOfStream, snapshotStreamOfFile, type SnapshotNode } from "../src/index.js";
import { OPEN_ACL, smallTree } from "./support/fixtures.js";

const DIGEST_ACL: ACL[] = [{ perms: 31, id: { scheme: "digest", id: "alice:7QbNgWTRvLPeXhWcC0GbvMvG7tE=" } }];

async function snapshotFile(nodes: SnapshotNode[]): Promise<Buffer> {
  return await encodeSnapshotBytes({
    sessions: new Map([[0x100000a8da70000n, 10_000]]),
    acls: new Map([
      [-1n, OPEN_ACL],
      [1n, DIGEST_ACL],
    ]),
    nodes,
    digest: { zxid: 0x18n, digestVersion: 2, digest: 47164149917n },
  });
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
});
