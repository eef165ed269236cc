import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { packageVersion, parseOrExit, type CommandSpec } from "@zkts/cli-args";
import { DataTree, DIGEST_VERSION } from "@zkts/datatree";
import { readTxnEntry, type TxnEntry } from "@zkts/jute";
import { loadSnapshot, restoreSnapshotDigest } from "@zkts/server";
import {
  filesOfKind,
  type LoadedSnapshot,
  LOG_PREFIX,
  openSnapshot,
  scanLogFile,
  SNAPSHOT_PREFIX,
  StorageError,
  versionDir,
  zxidFromName,
} from "@zkts/storage";
import { toJson } from "./output.js";

const VERIFY_SPEC = {
  name: "zkts-server verify",
  version: packageVersion(import.meta.url),
  synopsis: ["zkts-server verify [--json] <dataDir> [<dataLogDir>]"],
  summary:
    "Checks every file of a data directory (version-2/, zkts's or ZooKeeper's) without changing\n" +
    "anything: each transaction log entry's checksum, end marker and txn decoding, and that a log's\n" +
    "name matches its first zxid; each snapshot's structure and seals, and its digest (ZooKeeper\n" +
    "3.8 writes one) against its znodes with the log after it replayed, as recovery does. Damage is\n" +
    "named by file and byte offset as recovery reports it. A torn log tail, which recovery would\n" +
    "truncate, counts as damage here.",
  options: {
    json: { type: "boolean", description: "print one JSON object per file instead of text" },
  },
  positionals: { min: 1, max: 2 },
  epilogue: "Exit status: 0 every file is intact, 1 damage was found (or a directory cannot be read), 2 usage error.",
} as const satisfies CommandSpec;

interface FileVerdict {
  file: string;
  kind: "log" | "snapshot";
  ok: boolean;
  /** Txns in a log, znodes in a snapshot. */
  count: number;
  damage: string | null;
  /** Snapshots only: what became of the digest the file carries (null when it has none). */
  digest?: "matches" | "mismatch" | "not checked" | null;
  /** Why the digest was not checked. */
  digestNote?: string;
}

export async function runVerifyCommand(args: string[]): Promise<number> {
  const { values, positionals } = parseOrExit(VERIFY_SPEC, args);
  const [dataDir, dataLogDir = dataDir] = positionals as [string, string?];
  const dirs = [...new Set([versionDir(dataDir), versionDir(dataLogDir!)])];
  const snapshotVerdicts: FileVerdict[] = [];
  const logVerdicts: FileVerdict[] = [];
  const logged: TxnEntry[] = [];
  const snapshots: string[] = [];
  for (const dir of dirs) {
    const names = await readdir(dir);
    for (const snap of filesOfKind(names, SNAPSHOT_PREFIX)) snapshots.push(join(dir, snap.name));
    for (const log of filesOfKind(names, LOG_PREFIX)) logVerdicts.push(await verifyLog(join(dir, log.name), logged));
  }
  logged.sort((a, b) => (a.header.zxid < b.header.zxid ? -1 : a.header.zxid > b.header.zxid ? 1 : 0));
  for (const snapshot of snapshots) snapshotVerdicts.push(await verifySnapshot(snapshot, logged));
  const verdicts = [...snapshotVerdicts, ...logVerdicts];
  for (const v of verdicts) {
    if (values.json === true) process.stdout.write(`${toJson(v)}\n`);
    else process.stdout.write(v.ok ? `ok       ${v.file} (${v.count} ${v.kind === "log" ? "txns" : "znodes"}${digestText(v)})\n` : `DAMAGED  ${v.damage}\n`);
  }
  const bad = verdicts.filter((v) => !v.ok).length;
  if (values.json !== true) process.stdout.write(`${verdicts.length} files checked, ${bad} damaged\n`);
  return bad === 0 ? 0 : 1;
}

async function verifySnapshot(file: string, logged: readonly TxnEntry[]): Promise<FileVerdict> {
  try {
    const snapshot = await openSnapshot(file);
    const tree = new DataTree();
    await loadSnapshot(tree, snapshot);
    const verdict: FileVerdict = { file, kind: "snapshot", ok: true, count: snapshot.nodeCount, damage: null, digest: null };
    const digest = checkDigest(file, snapshot, tree, logged);
    if (digest === null) return verdict;
    if (digest.damage !== undefined) return { ...verdict, ok: false, digest: "mismatch", damage: digest.damage };
    if (digest.note !== undefined) return { ...verdict, digest: "not checked", digestNote: digest.note };
    return { ...verdict, digest: "matches" };
  } catch (err) {
    return { file, kind: "snapshot", ok: false, count: 0, damage: describe(err, file) };
  }
}

/**
 * Checks a snapshot's digest as recovery does (null when it carries none). A snapshot is fuzzy:
 * its digest is the tree's when the node walk ended, so the log after the snapshot's zxid is
 * replayed up to the digest's zxid before comparing. A digest for the snapshot's own zxid that
 * the nodes do not give may still be sound (ZooKeeper's writer can catch the next txn half
 * applied): that txn, replayed, must then give the digest logged with it.
 */
function checkDigest(file: string, snapshot: LoadedSnapshot, tree: DataTree, logged: readonly TxnEntry[]): { damage?: string; note?: string } | null {
  const stored = snapshot.digest;
  // A digest at zxid 0 is ZooKeeper's "none known" (its first snapshot, of the empty tree).
  if (stored === null || stored.zxid === 0n) return null;
  if (stored.digestVersion !== DIGEST_VERSION) return { note: `digest version ${stored.digestVersion}` };
  if (stored.zxid < snapshot.zxid) return { note: `the digest is at zxid 0x${hex(stored.zxid)}, before the snapshot's own` };
  const atLoad = tree.treeDigest;
  restoreSnapshotDigest(tree, snapshot);
  const storedText = `the digest ${BigInt.asIntN(64, stored.digest)} stored for zxid 0x${hex(stored.zxid)}`;
  let replayed = 0;
  for (const entry of logged) {
    if (!tree.snapshotDigestPending) break;
    if (entry.header.zxid <= snapshot.zxid) continue;
    tree.applyTxn(entry.header, entry.body);
    replayed++;
    const mismatch = tree.checkAppliedDigest(entry.header.zxid, entry.digest);
    if (mismatch === null) {
      if (!tree.snapshotDigestPending && entry.header.zxid > stored.zxid && entry.digest === null) {
        return { note: `txn 0x${hex(entry.header.zxid)}, replayed to settle the digest, was logged without one` };
      }
      continue;
    }
    if (mismatch.source === "snapshot") {
      return { damage: `${file}: the znodes' digest, after replaying ${replayed} logged txns, is ${mismatch.actual}, which does not match ${storedText}` };
    }
    return {
      damage: `${file}: the znodes' digest ${atLoad} does not match ${storedText}, nor, after replaying txn 0x${hex(mismatch.zxid)}, the digest ${mismatch.recorded} logged with it`,
    };
  }
  if (!tree.snapshotDigestPending) return {};
  if (stored.zxid === snapshot.zxid) {
    return { damage: `${file}: the znodes' digest ${atLoad} does not match ${storedText}, and no logged txn follows to account for the difference` };
  }
  return { note: `the digest is at zxid 0x${hex(stored.zxid)}, and the log after the snapshot ends before it` };
}

async function verifyLog(file: string, logged: TxnEntry[]): Promise<FileVerdict> {
  const verdict = (count: number, damage: string | null): FileVerdict => ({ file, kind: "log", ok: damage === null, count, damage });
  try {
    const scan = scanLogFile(file, await readFile(file));
    if (scan.tail.kind === "tornHeader") return verdict(0, `${file}: ${scan.tail.reason} at byte offset 0 (recovery would remove the file)`);
    const expected = zxidFromName(file.substring(file.lastIndexOf("/") + 1), LOG_PREFIX);
    const first = scan.entries[0];
    if (first !== undefined && first.zxid !== expected) {
      return verdict(
        0,
        `${file}: first entry has zxid 0x${first.zxid.toString(16)} but the file is named for 0x${expected?.toString(16)} at byte offset ${first.offset}`,
      );
    }
    for (const entry of scan.entries) {
      try {
        logged.push(readTxnEntry(entry.txnBytes));
      } catch (err) {
        return verdict(0, `${file}: undecodable txn (${(err as Error).message}) at byte offset ${entry.offset}`);
      }
    }
    if (scan.tail.kind === "torn") {
      return verdict(
        scan.entries.length,
        `${file}: ${scan.tail.reason} at byte offset ${scan.tail.offset} (a torn tail: recovery would truncate the file there)`,
      );
    }
    return verdict(scan.entries.length, null);
  } catch (err) {
    return verdict(0, describe(err, file));
  }
}

function hex(zxid: bigint): string {
  return zxid.toString(16);
}

function digestText(v: FileVerdict): string {
  if (v.digest === "matches") return ", digest matches";
  if (v.digest === "not checked") return `, digest not checked: ${v.digestNote}`;
  return "";
}

/** Storage errors already name the file and offset; anything else is prefixed with the file. */
function describe(err: unknown, file: string): string {
  if (err instanceof StorageError) return err.message;
  return `${file}: ${(err as Error).message}`;
}
