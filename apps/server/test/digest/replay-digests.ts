import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { readTxnEntry } from "@zkts/jute";
import { treeFromSnapshotBytes } from "@zkts/server";
import { parseSnapshot, scanLogFile } from "@zkts/storage";

export interface ReplayFigures {
  /** Log entries that carried a TxnDigest. */
  withDigest: number;
  /** Of those, the entries whose TxnDigest equals the digest zkts's tree has after applying them. */
  matching: number;
  /** Snapshots after the first whose digest the replay reached and compared. */
  snapshotDigests: number;
  snapshotMismatches: number;
}

function hexSuffix(name: string, prefix: string): bigint {
  return BigInt(`0x${name.substring(prefix.length)}`);
}

/**
 * Replays a data directory in this process, independently of the server's recovery: the oldest
 * snapshot into a zkts tree, then every log entry after it in zxid order, comparing each entry's
 * TxnDigest with the digest the tree computes itself, and each later snapshot's digest when
 * the replay reaches the zxid it was recorded at.
 */
export async function replayDigests(dataDir: string): Promise<ReplayFigures> {
  const dir = join(dataDir, "version-2");
  const files = readdirSync(dir);
  const snapshots = files
    .filter((f) => /^snapshot\.[0-9a-f]+$/.test(f))
    .map((f) => hexSuffix(f, "snapshot."))
    .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const first = snapshots[0]!;
  const { tree } = await treeFromSnapshotBytes(readFileSync(join(dir, `snapshot.${first.toString(16)}`)), first, {}, 1 << 24);
  const snapshotDigestAt = new Map<bigint, bigint>();
  for (const zxid of snapshots.slice(1)) {
    const name = `snapshot.${zxid.toString(16)}`;
    const parsed = await parseSnapshot(name, zxid, readFileSync(join(dir, name)), 1 << 24);
    // The digest is the tree's at its own zxid (the snapshot's, or a later one when txns were
    // applied while it was written), whatever the nodes caught half applied.
    if (parsed.digest !== null && parsed.digest.zxid >= zxid) snapshotDigestAt.set(parsed.digest.zxid, parsed.digest.digest);
  }
  const figures: ReplayFigures = { withDigest: 0, matching: 0, snapshotDigests: 0, snapshotMismatches: 0 };
  const logs = files.filter((f) => /^log\.[0-9a-f]+$/.test(f)).sort((a, b) => (hexSuffix(a, "log.") < hexSuffix(b, "log.") ? -1 : 1));
  for (const log of logs) {
    for (const ref of scanLogFile(log, readFileSync(join(dir, log))).entries) {
      if (ref.zxid <= first) continue;
      const entry = readTxnEntry(ref.txnBytes);
      tree.applyTxn(entry.header, entry.body);
      if (entry.digest !== null) {
        figures.withDigest++;
        if (entry.digest.treeDigest === tree.treeDigest) figures.matching++;
      }
      const recorded = snapshotDigestAt.get(ref.zxid);
      if (recorded !== undefined) {
        figures.snapshotDigests++;
        if (recorded !== tree.treeDigest) figures.snapshotMismatches++;
      }
    }
  }
  return figures;
}
