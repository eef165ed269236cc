import { cp, mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { OpCode, readTxnEntry, type ACL, type TxnEntry } from "@zkts/jute";
import { runKazoo, startReferenceZooKeeper, type RunningServer } from "@zkts/testkit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { filesOfKind, readSnapshot, recover, scanLogFile, TxnLogAppender, versionDir, writeSnapshot, type SnapshotNode } from "../src/index.js";
import { nodeFs } from "../src/fs.js";
import { firstNonZero } from "../src/log-reader.js";
import { stat } from "./support/fixtures.js";
import { runZooKeeperTool } from "./support/java-tools.js";
import { applyTxn, modelFromSnapshot, type TreeModel } from "./support/tree-model.js";
import { lastJsonLine, readBackWorkload, referenceWorkload, type ClientNode } from "./support/workloads.js";

/**
 * The formats proven against Apache ZooKeeper 3.8 itself: its files read by this package,
 * and this package's files read by its tools and by its server.
 */

const ALICE: ACL = { perms: 31, id: { scheme: "digest", id: "alice:aYXlLOpEooaV1cRAvUL1fp9Qt7E=" } };
const WORLD_ALL: ACL = { perms: 31, id: { scheme: "world", id: "anyone" } };
const WORLD_READ: ACL = { perms: 1, id: { scheme: "world", id: "anyone" } };

function toClientView(node: TreeModel extends Map<string, infer N> ? N : never): ClientNode {
  return {
    data: node.data,
    acl: node.acl.map((a) => ({ perms: a.perms, scheme: a.id.scheme ?? "", id: a.id.id ?? "" })),
    czxid: Number(node.czxid),
    mzxid: Number(node.mzxid),
    version: node.version,
    aversion: node.aversion,
    ephemeralOwner: Number(node.ephemeralOwner),
  };
}

async function replayed(dataDir: string): Promise<{ tree: TreeModel; snapshotZxid: bigint; logFiles: number }> {
  const r = await recover({ dataDir, repair: false });
  if (r.snapshot === null) throw new Error("no snapshot recovered");
  expect(r.gaps).toEqual([]);
  expect(r.repairs).toEqual([]);
  const tree = await modelFromSnapshot(r.snapshot);
  for await (const txn of r.txns()) applyTxn(tree, txn.entry);
  return { tree, snapshotZxid: r.snapshot.zxid, logFiles: r.logFiles.length };
}

describe("files written by the reference ZooKeeper 3.8", () => {
  let server: RunningServer;
  let client: { seqs: string[]; tree: Record<string, ClientNode> };

  beforeAll(async () => {
    server = await startReferenceZooKeeper({ config: { snapCount: "10" } });
    try {
      const run = await runKazoo(referenceWorkload(server.connectString), { timeoutMs: 60_000 });
      if (run.code !== 0) throw new Error(`kazoo workload failed: ${run.stderr}`);
      client = lastJsonLine(run.stdout);
    } finally {
      await server.stop();
    }
  });

  afterAll(async () => {
    await server?.cleanup();
  });

  it("recover yields the tree the client saw: newest snapshot plus later logged txns", async () => {
    const names = await readdir(versionDir(server.dataDir));
    const snapshots = filesOfKind(names, "snapshot", true);
    expect(snapshots.length).toBeGreaterThanOrEqual(3);
    expect(filesOfKind(names, "log").length).toBeGreaterThanOrEqual(3);

    const { tree, snapshotZxid } = await replayed(server.dataDir);
    expect(snapshotZxid).toBe(snapshots[0]!.zxid);
    const recovered: Record<string, ClientNode> = {};
    for (const [path, node] of tree) if (path === "/app" || path.startsWith("/app/")) recovered[path] = toClientView(node);
    expect(recovered).toEqual(client.tree);
    expect(Object.keys(recovered)).not.toContain("/app/eph");
    expect(Object.keys(recovered)).not.toContain("/app/eph2");
    expect(recovered["/app/secure"]!.acl).toEqual([
      { perms: 31, scheme: "digest", id: ALICE.id.id },
      { perms: 31, scheme: "world", id: "anyone" },
    ]);
  });

  it("every log entry from zxid 1 reads back with the txn types and paths the workload made", async () => {
    const logDir = versionDir(server.dataDir);
    const entries: TxnEntry[] = [];
    for (const log of filesOfKind(await readdir(logDir), "log")) {
      const path = join(logDir, log.name);
      const scan = scanLogFile(path, await readFile(path));
      expect(scan.tail).toEqual({ kind: "clean" });
      entries.push(...scan.entries.map((e) => readTxnEntry(e.txnBytes)));
    }
    const zxids = entries.map((e) => e.header.zxid);
    expect(zxids).toEqual(zxids.map((_, i) => BigInt(i + 1)));
    const types = new Set(entries.map((e) => e.header.type));
    for (const type of [OpCode.createSession, OpCode.create, OpCode.setData, OpCode.setACL, OpCode.multi, OpCode.delete, OpCode.closeSession]) {
      expect(types).toContain(type);
    }
    const created = entries.flatMap((e) => (e.body.type === OpCode.create ? [e.body.txn.path] : []));
    for (const seq of client.seqs) expect(created).toContain(seq);
    const multi = entries.find((e) => e.body.type === OpCode.multi)!.body as { txns: { type: number }[] };
    expect(multi.txns.map((t) => t.type)).toEqual([OpCode.create, OpCode.create, OpCode.setData]);
    const ephemeral = entries.find((e) => e.body.type === OpCode.create && e.body.txn.path === "/app/eph2")!;
    expect((ephemeral.body as { txn: { ephemeral: boolean } }).txn.ephemeral).toBe(true);
    // 3.8 writes a digest after every txn by default.
    expect(entries.every((e) => e.digest !== null && e.digest.version === 2)).toBe(true);
  });

  it("every snapshot, read and written again, is byte-identical", async () => {
    const dir = versionDir(server.dataDir);
    const out = await mkdtemp(join(tmpdir(), "zkts-storage-rewrite-"));
    try {
      for (const snap of filesOfKind(await readdir(dir), "snapshot")) {
        const original = await readFile(join(dir, snap.name));
        const read = await readSnapshot(join(dir, snap.name));
        const written = await writeSnapshot(read, { dataDir: out, zxid: snap.zxid });
        expect((await readFile(written.path)).equals(original)).toBe(true);
      }
    } finally {
      await rm(out, { recursive: true, force: true });
    }
  });

  it("every log, re-appended entry by entry, is byte-identical up to the padding", async () => {
    const dir = versionDir(server.dataDir);
    const out = await mkdtemp(join(tmpdir(), "zkts-storage-rewrite-"));
    try {
      for (const log of filesOfKind(await readdir(dir), "log")) {
        const original = await readFile(join(dir, log.name));
        const scan = scanLogFile(log.name, original);
        const appender = await TxnLogAppender.open({ dataLogDir: out });
        for (const entry of scan.entries) await appender.append(entry.txnBytes);
        await appender.close();
        const copy = await readFile(join(versionDir(out), log.name));
        expect(copy.subarray(0, scan.validEnd).equals(original.subarray(0, scan.validEnd))).toBe(true);
        expect(firstNonZero(copy, scan.validEnd)).toBe(-1);
      }
    } finally {
      await rm(out, { recursive: true, force: true });
    }
  });
});

describe("files written by this package, read by ZooKeeper 3.8", () => {
  const SESSION = 0x2000000001n;
  const SNAP_ZXID = 0x100000005n;
  let dataDir: string;

  function tx(zxid: bigint, body: TxnEntry["body"]): TxnEntry {
    return { header: { clientId: SESSION, cxid: Number(zxid & 0xffn), zxid, time: 1_764_000_000_000n, type: body.type }, body, digest: null };
  }

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), "zkts-storage-interchange-"));
    const nodes: SnapshotNode[] = [
      { path: "", data: Buffer.alloc(0), acl: -1n, stat: { ...stat(0n), cversion: 2, pzxid: 0x100000004n } },
      { path: "/zookeeper", data: Buffer.alloc(0), acl: -1n, stat: stat(0n) },
      { path: "/zookeeper/config", data: Buffer.alloc(0), acl: 1n, stat: stat(0n) },
      { path: "/zookeeper/quota", data: Buffer.alloc(0), acl: -1n, stat: stat(0n) },
      { path: "/from-snapshot", data: Buffer.from("snap-data"), acl: 2n, stat: { ...stat(0x100000001n), cversion: 1, pzxid: 0x100000002n } },
      { path: "/from-snapshot/secure", data: Buffer.from("secret"), acl: 3n, stat: stat(0x100000002n) },
    ];
    await writeSnapshot(
      {
        sessions: new Map(),
        acls: new Map([
          [1n, [WORLD_READ]],
          [2n, [WORLD_ALL]],
          [3n, [ALICE]],
        ]),
        nodes,
        // "No digest known", as ZooKeeper writes in its first snapshot; it still gets a second seal.
        digest: { zxid: 0n, digestVersion: 2, digest: 0n },
      },
      { dataDir, zxid: SNAP_ZXID },
    );
    const appender = await TxnLogAppender.open({ dataLogDir: dataDir });
    const txns: TxnEntry[] = [
      tx(0x100000006n, { type: OpCode.createSession, txn: { timeOut: 30_000 } }),
      tx(0x100000007n, { type: OpCode.create, txn: { path: "/from-log", data: Buffer.from("v0"), acl: [WORLD_ALL], ephemeral: false, parentCVersion: 3 } }),
      tx(0x100000008n, {
        type: OpCode.create,
        txn: { path: "/from-log/child", data: Buffer.from("hidden"), acl: [ALICE], ephemeral: false, parentCVersion: 1 },
      }),
      tx(0x100000009n, { type: OpCode.setData, txn: { path: "/from-snapshot", data: Buffer.from("snap-data-v2"), version: 1 } }),
      tx(0x10000000an, {
        type: OpCode.multi,
        txns: [
          { type: OpCode.create, txn: { path: "/from-log/m1", data: Buffer.from("m1"), acl: [WORLD_ALL], ephemeral: false, parentCVersion: 2 } },
          { type: OpCode.setData, txn: { path: "/from-log", data: Buffer.from("v1"), version: 1 } },
        ],
      }),
      tx(0x10000000bn, { type: OpCode.closeSession, txn: { paths2Delete: [] } }),
    ];
    // Two log files, so the reference server also replays across a roll.
    await Promise.all(txns.slice(0, 3).map((t) => appender.append(t)));
    await appender.roll();
    await Promise.all(txns.slice(3).map((t) => appender.append(t)));
    await appender.close();
  });

  afterAll(async () => {
    if (dataDir !== undefined) await rm(dataDir, { recursive: true, force: true });
  });

  it("TxnLogToolkit reads both logs with every checksum intact", async () => {
    expect(await nodeFs.list(versionDir(dataDir))).toEqual(expect.arrayContaining(["log.100000006", "log.100000009"]));
    let output = "";
    for (const name of ["log.100000006", "log.100000009"]) {
      const result = await runZooKeeperTool("org.apache.zookeeper.server.persistence.TxnLogToolkit", [join(versionDir(dataDir), name)]);
      expect(result.code).toBe(0);
      expect(result.output).toContain("ZooKeeper Transactional Log File with dbid 0 txnlog format version 2");
      output += result.output;
    }
    for (const text of ["createSession 30000", "/from-log/child", "/from-log/m1", "closeSession", "zxid 0x100000006", "zxid 0x10000000b"]) {
      expect(output).toContain(text);
    }
    expect(output).not.toMatch(/CRC/i);
  });

  it("TxnLogToolkit notices a flipped byte (the check above can fail)", async () => {
    const log = join(versionDir(dataDir), "log.100000006");
    const copy = join(dataDir, "log.100000006");
    const bytes = await readFile(log);
    bytes[16 + 12 + 40] ^= 0x01;
    await writeFile(copy, bytes);
    const result = await runZooKeeperTool("org.apache.zookeeper.server.persistence.TxnLogToolkit", [copy]);
    await rm(copy);
    expect(result.output).toMatch(/CRC/i);
  });

  it("SnapshotFormatter prints every node of the snapshot", async () => {
    const snap = join(versionDir(dataDir), "snapshot.100000005");
    const result = await runZooKeeperTool("org.apache.zookeeper.server.SnapshotFormatter", ["-d", snap]);
    expect(result.code).toBe(0);
    // DataTree keeps the root under both "" and "/", so it counts our 6 nodes as 7.
    expect(result.output).toContain("ZNode Details (count=7)");
    for (const path of ["/zookeeper/quota", "/from-snapshot", "/from-snapshot/secure"]) expect(result.output).toMatch(new RegExp(`^${path}$`, "m"));
    expect(result.output).toContain(`data = ${Buffer.from("secret").toString("base64")}`);
  });

  it("the reference server starts on the directory, serves the snapshot and the log, and its files read back", async () => {
    const served = join(dataDir, "served");
    await cp(versionDir(dataDir), versionDir(served), { recursive: true });
    const server = await startReferenceZooKeeper({ dataDir: served });
    let result: { tree: Record<string, ClientNode>; quota: boolean };
    try {
      const run = await runKazoo(readBackWorkload(server.connectString), { timeoutMs: 60_000 });
      if (run.code !== 0) throw new Error(`kazoo read-back failed: ${run.stderr}`);
      result = lastJsonLine(run.stdout);
    } finally {
      await server.stop();
    }
    const log = await readFile(server.logPath, "utf8");
    expect(log).not.toMatch(/problem reading snap file|CRC corruption|Not able to find valid snapshots/);
    // It replayed our log on top of our snapshot, with no error and no digest complaint.
    expect(log).toContain("highest zxid is 0x10000000b");
    // The start-up probe's four-letter-word socket can log "Error closing a command socket";
    // that is about the probe, not the data, so those lines are left out.
    const dataLog = log
      .split("\n")
      .filter((line) => !line.includes("command socket"))
      .join("\n");
    expect(dataLog).not.toMatch(/\bERROR\b|[Dd]igest mismatch|Digests are not matching/);
    expect(result.quota).toBe(true);
    expect(Object.keys(result.tree).sort()).toEqual(["/from-log", "/from-log/child", "/from-log/m1", "/from-snapshot", "/from-snapshot/secure"]);
    expect(result.tree["/from-snapshot"]).toMatchObject({ data: "snap-data-v2", version: 1, czxid: 0x100000001, mzxid: 0x100000009 });
    expect(result.tree["/from-snapshot/secure"]).toMatchObject({ data: "secret", acl: [{ perms: 31, scheme: "digest", id: ALICE.id.id }] });
    expect(result.tree["/from-log"]).toMatchObject({ data: "v1", version: 1, czxid: 0x100000007, mzxid: 0x10000000a });
    expect(result.tree["/from-log/child"]).toMatchObject({ data: "hidden", acl: [{ perms: 31, scheme: "digest", id: ALICE.id.id }] });

    // And back: what the reference server wrote on top of our files recovers here.
    const { tree } = await replayed(served);
    for (const [path, node] of Object.entries(result.tree)) expect(toClientView(tree.get(path)!)).toEqual(node);
    expect(await nodeFs.list(versionDir(served))).toContain("snapshot.100000005");
  });
});
