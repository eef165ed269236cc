import { readdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { ACL, FileHeader, JuteWriter, StatPersisted } from "@zkts/jute";
import { describe, expect, it } from "vitest";
import { looksSealed, openSnapshot, readSnapshot, versionDir, writeSnapshot, type SnapshotNode, type SnapshotSource } from "../src/index.js";
import { nodeFs } from "../src/fs.js";
import { OPEN_ACL, smallTree, stat, withTempDir } from "./support/fixtures.js";
import { errnoError, FaultyFs } from "./support/faulty-fs.js";

const DIGEST_ACL: ACL[] = [{ perms: 31, id: { scheme: "digest", id: "alice:7QbNgWTRvLPeXhWcC0GbvMvG7tE=" } }];

function source(nodes: SnapshotNode[], digest = true): SnapshotSource {
  return {
    sessions: new Map([
      [0x100000a8da70000n, 10_000],
      [0x100000a8da70001n, 30_000],
    ]),
    acls: new Map([
      [-1n, OPEN_ACL],
      [1n, DIGEST_ACL],
    ]),
    nodes,
    digest: digest ? { zxid: 0x18n, digestVersion: 2, digest: 47164149917n } : null,
  };
}

/** The snapshot layout assembled by hand from the format description, for a 2-node tree. */
function handBuiltSnapshot(): Buffer {
  const w = new JuteWriter();
  FileHeader.write(w, { magic: 0x5a4b534e, version: 2, dbid: -1n });
  w.writeInt(1);
  w.writeLong(7n);
  w.writeInt(4000);
  w.writeInt(1);
  w.writeLong(-1n);
  w.writeInt(1);
  ACL.write(w, OPEN_ACL[0]!);
  for (const [path, data] of [
    ["", null],
    ["/a", Buffer.from("x")],
  ] as const) {
    w.writeUstring(path);
    w.writeBuffer(data);
    w.writeLong(-1n);
    StatPersisted.write(w, stat(1n));
  }
  w.writeUstring("/");
  const sealed = (bytes: Buffer): Buffer => {
    let a = 1;
    let b = 0;
    for (const byte of bytes) {
      a = (a + byte) % 65521;
      b = (b + a) % 65521;
    }
    const seal = Buffer.alloc(13);
    seal.writeBigInt64BE(BigInt(((b << 16) | a) >>> 0));
    seal.writeInt32BE(1, 8);
    seal[12] = 0x2f;
    return Buffer.concat([bytes, seal]);
  };
  return sealed(w.toBuffer());
}

describe("snapshots", () => {
  it("writes the exact bytes of the format (no digest section when none is given)", async () => {
    await withTempDir(async (dir) => {
      const written = await writeSnapshot(
        {
          sessions: new Map([[7n, 4000]]),
          acls: new Map([[-1n, OPEN_ACL]]),
          nodes: [
            { path: "/", data: null, acl: -1n, stat: stat(1n) },
            { path: "/a", data: Buffer.from("x"), acl: -1n, stat: stat(1n) },
          ],
        },
        { dataDir: dir, zxid: 0x1an },
      );
      expect(written.path).toBe(join(versionDir(dir), "snapshot.1a"));
      expect((await readFile(written.path)).equals(handBuiltSnapshot())).toBe(true);
    });
  });

  it("round-trips sessions, ACL cache, nodes and digest; the root is written as the empty path", async () => {
    await withTempDir(async (dir) => {
      const nodes = smallTree(5);
      const written = await writeSnapshot(source(nodes), { dataDir: dir, zxid: 0x100000020n });
      expect(written.nodes).toBe(nodes.length);
      const snap = await readSnapshot(written.path);
      expect(snap.zxid).toBe(0x100000020n);
      expect(snap.dbid).toBe(-1n);
      expect(snap.sessions).toEqual(source([]).sessions);
      expect(snap.acls).toEqual(source([]).acls);
      expect(snap.digest).toEqual({ zxid: 0x18n, digestVersion: 2, digest: 47164149917n });
      expect(snap.lastProcessedZxid).toBeNull();
      expect(snap.nodeCount).toBe(nodes.length);
      expect(snap.nodes).toEqual(nodes.map((n) => ({ ...n, data: n.data === null ? null : Buffer.from(n.data) })));
    });
  });

  it("streams from an async source in small chunks and yields to the event loop while encoding", async () => {
    await withTempDir(async (dir) => {
      async function* many(): AsyncGenerator<SnapshotNode> {
        yield { path: "", data: null, acl: -1n, stat: stat(0n) };
        for (let i = 0; i < 5000; i++) yield { path: `/n${i}`, data: Buffer.from(`v${i}`), acl: -1n, stat: stat(BigInt(i)) };
      }
      let ticks = 0;
      const ticker = setInterval(() => ticks++, 0);
      // A clock that moves 1 ms per call forces a yield at every check.
      let t = 0;
      const written = await writeSnapshot({ ...source([]), nodes: many() }, { dataDir: dir, zxid: 5n, chunkBytes: 4096, sliceMs: 1, now: () => t++ });
      clearInterval(ticker);
      expect(ticks).toBeGreaterThan(0);
      const snap = await openSnapshot(written.path);
      expect(snap.nodeCount).toBe(5001);
      let i = -1;
      for await (const node of snap.nodes()) {
        expect(node.path).toBe(i < 0 ? "" : `/n${i}`);
        i++;
      }
      expect(i).toBe(5000);
      expect(await readdir(versionDir(dir))).toEqual(["snapshot.5"]);
    });
  });

  it("refuses a source whose first node is not the root and leaves no file behind", async () => {
    await withTempDir(async (dir) => {
      const nodes = smallTree(1).slice(1);
      await expect(writeSnapshot(source(nodes), { dataDir: dir, zxid: 1n })).rejects.toThrow(/first node must be the root/);
      expect(await readdir(versionDir(dir))).toEqual([]);
    });
  });

  it("rejects a flipped byte anywhere before the seals with an error naming the file", async () => {
    await withTempDir(async (dir) => {
      const written = await writeSnapshot(source(smallTree(3)), { dataDir: dir, zxid: 9n });
      const good = await readFile(written.path);
      const corrupt = join(versionDir(dir), "snapshot.a");
      // Data bytes inside a node (structure intact, only the seal can tell) and the digest.
      for (const at of [good.indexOf("child 1") + 2, good.length - 20]) {
        const bytes = Buffer.from(good);
        bytes[at] = bytes[at]! ^ 0x01;
        await writeFile(corrupt, bytes);
        await expect(openSnapshot(corrupt)).rejects.toThrow(/snapshot\.a: snapshot seal .* does not match/);
      }
    });
  });

  it("a snapshot cut short fails the cheap seal check and fails to open", async () => {
    await withTempDir(async (dir) => {
      const written = await writeSnapshot(source(smallTree(3)), { dataDir: dir, zxid: 9n });
      const good = await readFile(written.path);
      expect(await looksSealed(nodeFs, written.path)).toBe(true);
      const cut = join(versionDir(dir), "snapshot.b");
      for (const size of [0, 9, 40, good.length - 40, good.length - 1]) {
        await writeFile(cut, good.subarray(0, size));
        expect(await looksSealed(nodeFs, cut)).toBe(false);
        await expect(openSnapshot(cut)).rejects.toThrow(/snapshot\.b/);
      }
    });
  });

  it("a full disk while snapshotting rejects and leaves neither a temporary nor a final file", async () => {
    await withTempDir(async (dir) => {
      const fs = new FaultyFs();
      let writes = 0;
      fs.beforeWrite = () => {
        if (++writes === 3) throw errnoError("ENOSPC", "no space left on device");
      };
      const many = Array.from({ length: 2000 }, (_, i) => ({ path: i === 0 ? "" : `/n${i}`, data: Buffer.alloc(100), acl: -1n, stat: stat(1n) }));
      await expect(writeSnapshot(source(many), { dataDir: dir, zxid: 7n, fs, chunkBytes: 4096 })).rejects.toThrow(/ENOSPC/);
      expect(await readdir(versionDir(dir))).toEqual([]);
    });
  });

  it("reads a gzip-compressed snapshot (snapshot.<zxid>.gz), as ZooKeeper may be configured to write", async () => {
    await withTempDir(async (dir) => {
      const written = await writeSnapshot(source(smallTree(2)), { dataDir: dir, zxid: 0x2bn });
      const gz = join(versionDir(dir), "snapshot.2c.gz");
      await writeFile(gz, gzipSync(await readFile(written.path)));
      const snap = await readSnapshot(gz);
      expect(snap.zxid).toBe(0x2cn);
      expect(snap.nodes.map((n) => n.path)).toEqual(smallTree(2).map((n) => n.path));
    });
  });

  it("asks a digest given as a function only after the last node is written (a fuzzy snapshot's digest)", async () => {
    await withTempDir(async (dir) => {
      const nodes = smallTree(5);
      let nodesRead = 0;
      let readWhenAsked = -1;
      async function* counted(): AsyncGenerator<SnapshotNode> {
        for (const node of nodes) {
          nodesRead++;
          yield node;
        }
      }
      const written = await writeSnapshot(
        {
          ...source([]),
          nodes: counted(),
          digest: () => {
            readWhenAsked = nodesRead;
            return { zxid: 0x100000021n, digestVersion: 2, digest: -5n };
          },
        },
        { dataDir: dir, zxid: 0x100000020n },
      );
      expect(readWhenAsked).toBe(nodes.length);
      expect((await readSnapshot(written.path)).digest).toEqual({ zxid: 0x100000021n, digestVersion: 2, digest: -5n });
    });
  });

  it("reads a snapshot without the digest section (digests disabled)", async () => {
    await withTempDir(async (dir) => {
      const written = await writeSnapshot(source(smallTree(2), false), { dataDir: dir, zxid: 3n });
      const snap = await readSnapshot(written.path);
      expect(snap.digest).toBeNull();
      expect(snap.nodes.map((n) => n.path)).toEqual(["", "/zookeeper", "/zookeeper/quota", "/app", "/app/c0", "/app/c1"]);
    });
  });
});
