import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { packageVersion, parseOrExit, type CommandSpec } from "@zkts/cli-args";
import { readTxnEntry } from "@zkts/jute";
import { filesOfKind, LOG_PREFIX, openSnapshot, scanLogFile, SNAPSHOT_PREFIX, StorageError, versionDir, zxidFromName } from "@zkts/storage";
import { toJson } from "./output.js";
import { DIGEST_VERSION, TreeDigest } from "./tree-digest.js";

const VERIFY_SPEC = {
  name: "zkts-server verify",
  version: packageVersion(import.meta.url),
  synopsis: ["zkts-server verify [--json] <dataDir> [<dataLogDir>]"],
  summary:
    "Checks every file of a data directory (version-2/, zkts's or ZooKeeper's) without changing\n" +
    "anything: each transaction log entry's checksum, end marker and txn decoding, and that a log's\n" +
    "name matches its first zxid; each snapshot's structure and seals, and its digest (ZooKeeper\n" +
    "3.8 writes one) against its znodes when no txn was applied while it was written. Damage is\n" +
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
  const verdicts: FileVerdict[] = [];
  for (const dir of dirs) {
    const names = await readdir(dir);
    for (const snap of filesOfKind(names, SNAPSHOT_PREFIX)) verdicts.push(await verifySnapshot(join(dir, snap.name)));
    for (const log of filesOfKind(names, LOG_PREFIX)) verdicts.push(await verifyLog(join(dir, log.name)));
  }
  for (const v of verdicts) {
    if (values.json === true) process.stdout.write(`${toJson(v)}\n`);
    else process.stdout.write(v.ok ? `ok       ${v.file} (${v.count} ${v.kind === "log" ? "txns" : "znodes"}${digestText(v)})\n` : `DAMAGED  ${v.damage}\n`);
  }
  const bad = verdicts.filter((v) => !v.ok).length;
  if (values.json !== true) process.stdout.write(`${verdicts.length} files checked, ${bad} damaged\n`);
  return bad === 0 ? 0 : 1;
}

async function verifySnapshot(file: string): Promise<FileVerdict> {
  try {
    const snapshot = await openSnapshot(file);
    let count = 0;
    const digest = new TreeDigest();
    for await (const node of snapshot.nodes()) {
      count++;
      digest.add(node);
    }
    const verdict: FileVerdict = { file, kind: "snapshot", ok: true, count, damage: null, digest: null };
    const stored = snapshot.digest;
    // A digest at zxid 0 is ZooKeeper's "none known" (its first snapshot, of the empty tree).
    if (stored === null || stored.zxid === 0n) return verdict;
    // The digest is taken when the node walk ends, at the zxid applied by then; the nodes show
    // the tree at that zxid only if nothing was applied during the walk (the name's zxid is the
    // one applied when it began). Otherwise recovery checks it after replaying the log.
    if (stored.zxid !== snapshot.zxid || stored.digestVersion !== DIGEST_VERSION) {
      const why = stored.digestVersion !== DIGEST_VERSION ? `digest version ${stored.digestVersion}` : `the digest is at zxid 0x${stored.zxid.toString(16)}, after txns applied while the snapshot was written`;
      return { ...verdict, digest: "not checked", digestNote: why };
    }
    if (digest.value === stored.digest) return { ...verdict, digest: "matches" };
    return {
      ...verdict,
      ok: false,
      digest: "mismatch",
      damage: `${file}: the znodes' digest ${digest.value} does not match the digest ${stored.digest} stored for zxid 0x${stored.zxid.toString(16)}`,
    };
  } catch (err) {
    return { file, kind: "snapshot", ok: false, count: 0, damage: describe(err, file) };
  }
}

async function verifyLog(file: string): Promise<FileVerdict> {
  const verdict = (count: number, damage: string | null): FileVerdict => ({ file, kind: "log", ok: damage === null, count, damage });
  try {
    const scan = scanLogFile(file, await readFile(file));
    if (scan.tail.kind === "tornHeader") return verdict(0, `${file}: ${scan.tail.reason} at byte offset 0 (recovery would remove the file)`);
    const expected = zxidFromName(file.substring(file.lastIndexOf("/") + 1), LOG_PREFIX);
    const first = scan.entries[0];
    if (first !== undefined && first.zxid !== expected) {
      return verdict(0, `${file}: first entry has zxid 0x${first.zxid.toString(16)} but the file is named for 0x${expected?.toString(16)} at byte offset ${first.offset}`);
    }
    for (const entry of scan.entries) {
      try {
        readTxnEntry(entry.txnBytes);
      } catch (err) {
        return verdict(0, `${file}: undecodable txn (${(err as Error).message}) at byte offset ${entry.offset}`);
      }
    }
    if (scan.tail.kind === "torn") {
      return verdict(scan.entries.length, `${file}: ${scan.tail.reason} at byte offset ${scan.tail.offset} (a torn tail: recovery would truncate the file there)`);
    }
    return verdict(scan.entries.length, null);
  } catch (err) {
    return verdict(0, describe(err, file));
  }
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
