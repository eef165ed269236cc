import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CreateTxn, OpCode, type StatPersisted } from "@zkts/jute";
import { encodeLogHeader, encodeTxnBytes, frameLogEntry, writeSnapshot, type SnapshotNode } from "@zkts/storage";
import { startZkts } from "@zkts/testkit";
import { afterEach, describe, expect, it } from "vitest";

const SNAPSHOT_NODES = 200_000;
const LOGGED_CREATES = 50_000;
const SNAPSHOT_ZXID = 1n;

function stat(zxid: bigint, children = 0): StatPersisted {
  return { czxid: zxid, mzxid: zxid, ctime: 0n, mtime: 0n, version: 0, cversion: children, aversion: 0, ephemeralOwner: 0n, pzxid: zxid };
}

/** The root, then SNAPSHOT_NODES children of it, each with a little data, in file order. */
function* snapshotNodes(): Generator<SnapshotNode> {
  yield { path: "", data: null, acl: -1n, stat: stat(0n, SNAPSHOT_NODES) };
  const data = Buffer.from("some data of a znode");
  for (let i = 0; i < SNAPSHOT_NODES; i++) yield { path: `/s${i}`, data, acl: -1n, stat: stat(SNAPSHOT_ZXID) };
}

/** A log after the snapshot: LOGGED_CREATES creates, numbered from the snapshot's zxid on. */
function logBytes(): Buffer {
  const entries: Buffer[] = [encodeLogHeader()];
  for (let i = 0; i < LOGGED_CREATES; i++) {
    const zxid = SNAPSHOT_ZXID + 1n + BigInt(i);
    const txn = encodeTxnBytes({
      header: { clientId: 0n, cxid: i, zxid, time: 0n, type: OpCode.create },
      body: {
        type: OpCode.create,
        txn: {
          path: `/l${i}`,
          data: Buffer.from("logged"),
          acl: [{ perms: 31, id: { scheme: "world", id: "anyone" } }],
          ephemeral: false,
          parentCVersion: SNAPSHOT_NODES + i + 1,
        } as CreateTxn,
      },
      digest: null,
    });
    const framed = Buffer.alloc(txn.length + 13);
    frameLogEntry(txn, framed, 0);
    entries.push(framed);
  }
  return Buffer.concat(entries);
}

interface LogLine {
  level: string;
  message: string;
  [field: string]: unknown;
}

/**
 * Recovery of a data directory with 200k znodes in its snapshot and 50k txns in its log, and
 * the snapshot zkts writes after it, each log their progress while they run (at the interval
 * zkts.progressIntervalMs sets) and a closing line with totals and rates.
 */
describe("progress of recovery and snapshot writing", () => {
  let cleanup: (() => Promise<void>) | null = null;
  afterEach(async () => {
    await cleanup?.();
    cleanup = null;
  });

  it("logs nodes, txns and MB/s while loading, replaying and writing", async () => {
    const dataDir = mkdtempSync(join(tmpdir(), "zkts-progress-"));
    const snapshot = await writeSnapshot({ sessions: new Map(), acls: new Map(), nodes: snapshotNodes() }, { dataDir, zxid: SNAPSHOT_ZXID, fsync: false });
    expect(snapshot.nodes).toBe(SNAPSHOT_NODES + 1);
    mkdirSync(join(dataDir, "version-2"), { recursive: true });
    writeFileSync(join(dataDir, "version-2", `log.${(SNAPSHOT_ZXID + 1n).toString(16)}`), logBytes());
    const started = performance.now();
    const server = await startZkts({ dataDir, config: { "zkts.progressIntervalMs": "100", forceSync: "no" } });
    cleanup = async () => {
      await server.cleanup();
      rmSync(dataDir, { recursive: true, force: true });
    };
    // The start-up snapshot is written after the client port opens; wait for its closing line.
    let lines: LogLine[] = [];
    for (let i = 0; i < 200 && !lines.some((l) => l.message === "snapshot written"); i++) {
      await new Promise((r) => setTimeout(r, 100));
      lines = readFileSync(server.logPath, "utf8")
        .split("\n")
        .filter((l) => l.startsWith("{"))
        .map((l) => JSON.parse(l) as LogLine);
    }
    console.log(`recovered and snapshotted in ${Math.round(performance.now() - started)} ms`);
    for (const l of lines.filter((l) => / done$|snapshot written/.test(l.message))) console.log(JSON.stringify(l));
    const loading = lines.filter((l) => l.message.startsWith("loading snapshot"));
    const loadingDone = loading.find((l) => l.message === "loading snapshot: done")!;
    expect(loadingDone).toMatchObject({ znodes: SNAPSHOT_NODES + 1, znodesTotal: SNAPSHOT_NODES + 1, percent: 100 });
    expect(loadingDone.mbPerSec).toBeGreaterThan(0);
    expect(loading.filter((l) => l.message === "loading snapshot: in progress").length).toBeGreaterThan(0);
    const inProgress = loading.find((l) => l.message === "loading snapshot: in progress")!;
    expect(inProgress.znodes as number).toBeLessThan(SNAPSHOT_NODES);
    expect(inProgress).toHaveProperty("mbPerSec");
    const replayDone = lines.find((l) => l.message === "replaying the transaction log: done")!;
    expect(replayDone).toMatchObject({ txns: LOGGED_CREATES, txnsTotal: LOGGED_CREATES });
    expect(replayDone.mb as number).toBeGreaterThan((LOGGED_CREATES * 60) / 1024 / 1024);
    expect(lines.find((l) => l.message === "recovered the data tree")).toMatchObject({ znodes: expect.any(Number), txnsReplayed: LOGGED_CREATES });
    // Progress lines during the snapshot zkts writes at start; its total is the whole tree.
    const writing = lines.filter((l) => l.message === "writing snapshot: in progress");
    expect(writing.length).toBeGreaterThan(0);
    expect(writing[0]!.znodesTotal as number).toBeGreaterThanOrEqual(SNAPSHOT_NODES + LOGGED_CREATES);
  }, 60_000);
});
