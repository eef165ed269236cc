import { copyFileSync, cpSync, mkdtempSync, readFileSync, rmSync, truncateSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";
import { readSnapshot, recover, writeSnapshot } from "@zkts/storage";
import type { RunningServer } from "@zkts/testkit";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { versionFiles, writeHistory, zktsServer } from "./inspect/support.js";

/** Offsets of a log's entries, found by walking their length fields from the 16-byte header. */
function entryOffsets(bytes: Buffer): number[] {
  const offsets: number[] = [];
  for (let at = 16; at + 12 <= bytes.length;) {
    const length = bytes.readInt32BE(at + 8);
    if (length === 0) break;
    offsets.push(at);
    at += 12 + length + 1;
  }
  return offsets;
}

/**
 * zkts-server verify on copies of real data directories (ZooKeeper 3.8's and zkts's) with one
 * byte flipped or a file cut short: it must name the damaged file and offset as recovery does,
 * and exit 1; the untouched copy exits 0.
 */
describe.each(["reference", "zkts"] as const)("verify on damaged files written by %s", (kind) => {
  let server: RunningServer;
  let dir: string;
  beforeAll(async () => {
    server = await writeHistory(kind);
  }, 120_000);
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "zkts-verify-"));
    cpSync(server.dataDir, dir, { recursive: true });
    return () => rmSync(dir, { recursive: true, force: true });
  });
  afterAll(async () => {
    await server?.cleanup();
  });

  it("a flipped byte inside a log entry followed by intact entries is named as recovery names it", async () => {
    const log = versionFiles(dir, "log.").find((file) => entryOffsets(readFileSync(file)).length >= 3)!;
    const bytes = readFileSync(log);
    const second = entryOffsets(bytes)[1]!;
    bytes[second + 12 + 20] ^= 0x40; // inside the TxnHeader's time field
    writeFileSync(log, bytes);
    const result = await zktsServer(["verify", dir]);
    expect(result.code).toBe(1);
    const line = result.stdout.split("\n").find((l) => l.startsWith("DAMAGED"))!;
    expect(line).toContain(`${log}: checksum mismatch followed by an intact entry`);
    expect(line).toContain(`at byte offset ${second}`);
    expect(result.stdout).toMatch(/files checked, 1 damaged/);
    // Recovery refuses the same directory with the same words, once it needs that log: only
    // the first snapshot is left, so every log is replayed.
    for (const snapshot of versionFiles(dir, "snapshot.").slice(1)) rmSync(snapshot);
    const refusal = await recover({ dataDir: dir, repair: false }).then(
      async (r) => {
        for await (const _ of r.txns());
        return "recovered";
      },
      (err: Error) => err.message,
    );
    expect(line).toBe(`DAMAGED  ${refusal}`);
    // txnlog prints the entries before the damage and says where it stopped.
    const listing = await zktsServer(["txnlog", log]);
    expect(listing.code).toBe(1);
    expect(listing.stdout).toContain("Damaged entry after 1 txns.");
    expect(listing.stderr).toContain(`${log}: checksum mismatch at byte offset ${second}`);
  });

  it("a log cut inside its last entry is a torn tail, named with the offset recovery would truncate at", async () => {
    const log = versionFiles(dir, "log.").at(-1)!;
    const offsets = entryOffsets(readFileSync(log));
    const last = offsets.at(-1)!;
    truncateSync(log, last + 20);
    const result = await zktsServer(["verify", dir]);
    expect(result.code).toBe(1);
    expect(result.stdout).toContain(`DAMAGED  ${log}: incomplete entry at byte offset ${last} (a torn tail`);
    // The other files are still reported intact.
    expect(result.stdout).toMatch(new RegExp(`ok {7}.*${basename(versionFiles(dir, "log.")[0]!)}`));
  });

  it("a flipped byte in a snapshot breaks its seal at the seal's offset", async () => {
    const snapshot = versionFiles(dir, "snapshot.").at(-1)!;
    const bytes = readFileSync(snapshot);
    // A byte of /a's data ("hello" or its later value): the structure stays readable, only the
    // seal can tell. (The session table may be empty, so a fixed offset could land anywhere.)
    const pathA = bytes.indexOf(Buffer.from([0, 0, 0, 2, 0x2f, 0x61]));
    expect(pathA).toBeGreaterThan(0);
    expect(bytes.readInt32BE(pathA + 6)).toBeGreaterThan(0);
    bytes[pathA + 10] ^= 0x01;
    writeFileSync(snapshot, bytes);
    const result = await zktsServer(["verify", "--json", dir]);
    expect(result.code).toBe(1);
    const verdicts = result.stdout
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l) as { file: string; ok: boolean; damage: string | null });
    const bad = verdicts.filter((v) => !v.ok);
    expect(bad.map((v) => v.file)).toEqual([snapshot]);
    expect(bad[0]!.damage).toMatch(new RegExp(`^${snapshot}: snapshot seal \\d+ does not match the Adler-32 \\d+ of the bytes before it at byte offset \\d+$`));
  });

  it("checks a snapshot's digest against its znodes: ZooKeeper's match, an added znode under a valid seal does not", async () => {
    const intact = await zktsServer(["verify", "--json", dir]);
    const digests = intact.stdout
      .trim()
      .split("\n")
      .map((l) => (JSON.parse(l) as { digest?: string | null }).digest)
      .filter((d) => d !== undefined);
    expect(digests).not.toContain("mismatch");
    if (kind === "reference") expect(digests).toContain("matches");
    // Rewrite a snapshot whose digest matched with one znode more, sealed afresh around the
    // old digest: only the digest can tell.
    const matched = intact.stdout
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l) as { file: string; digest?: string })
      .find((v) => v.digest === "matches");
    if (matched === undefined) {
      // zkts's snapshots may carry no digest; ZooKeeper's always give one to check here.
      expect(kind).toBe("zkts");
      return;
    }
    const file = matched.file;
    const snapshot = await readSnapshot(file);
    // A znode no logged txn can account for (replaying the log after the snapshot, as the check
    // does, would restore a changed znode that a later txn rewrites).
    const a = snapshot.nodes.find((n) => n.path === "/a");
    expect(a).toBeDefined();
    const nodes = [...snapshot.nodes, { ...a!, path: "/tampered", data: Buffer.from("tampered") }];
    await writeSnapshot(
      { sessions: snapshot.sessions, acls: snapshot.acls, nodes, digest: snapshot.digest },
      { dataDir: dir, zxid: snapshot.zxid, fsync: false },
    );
    const result = await zktsServer(["verify", dir]);
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(
      new RegExp(`DAMAGED  ${file}: the znodes' digest.* does not match the digest -?\\d+ stored for zxid 0x${snapshot.digest!.zxid.toString(16)}`),
    );
  });

  it("an intact copy passes, and a snapshot cut short is damage", async () => {
    expect((await zktsServer(["verify", dir])).code).toBe(0);
    const snapshot = versionFiles(dir, "snapshot.").at(-1)!;
    const copy = join(dir, "version-2", "snapshot.ffff");
    copyFileSync(snapshot, copy);
    truncateSync(copy, readFileSync(copy).length - 30);
    const result = await zktsServer(["verify", dir]);
    expect(result.code).toBe(1);
    expect(result.stdout).toContain(`DAMAGED  ${copy}: `);
  });
});
