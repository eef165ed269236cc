import { join } from "node:path";

/**
 * ZooKeeper's data directory layout (persistence/Util.java): files live in `version-2/` under
 * dataDir (snapshots) and dataLogDir (logs), named `<prefix>.<zxid in lower-case hex>`, where
 * a log is named after the first zxid it holds and a snapshot after the last zxid applied
 * when it was started. A name parses only when the part after the first dot is hex, which is
 * how ZooKeeper's own parser decides (it also accepts `snapshot.<hex>.gz` and `.snappy`).
 */
export const VERSION_DIR = "version-2";
export const LOG_PREFIX = "log";
export const SNAPSHOT_PREFIX = "snapshot";
/** Snapshots are written under this prefix and renamed when complete; ZooKeeper ignores it. */
export const SNAPSHOT_TEMP_PREFIX = "tmp-snapshot";

export type FilePrefix = typeof LOG_PREFIX | typeof SNAPSHOT_PREFIX;

export function versionDir(dir: string): string {
  return join(dir, VERSION_DIR);
}

export function zxidHex(zxid: bigint): string {
  return BigInt.asUintN(64, zxid).toString(16);
}

export function fileName(prefix: FilePrefix, zxid: bigint): string {
  return `${prefix}.${zxidHex(zxid)}`;
}

/** The zxid in a file name of the given prefix, or null when the name is not one of them. */
export function zxidFromName(name: string, prefix: FilePrefix): bigint | null {
  const parts = name.split(".");
  if (parts.length < 2 || parts[0] !== prefix) return null;
  const hex = parts[1]!;
  if (!/^[0-9a-fA-F]{1,16}$/.test(hex)) return null;
  return BigInt.asIntN(64, BigInt(`0x${hex}`));
}

export interface NamedFile {
  name: string;
  zxid: bigint;
}

/** The files of one kind among `names`, ordered by zxid (ascending unless told otherwise). */
export function filesOfKind(names: readonly string[], prefix: FilePrefix, descending = false): NamedFile[] {
  const out: NamedFile[] = [];
  for (const name of names) {
    const zxid = zxidFromName(name, prefix);
    if (zxid !== null) out.push({ name, zxid });
  }
  out.sort((x, y) => (x.zxid < y.zxid ? -1 : x.zxid > y.zxid ? 1 : 0));
  if (descending) out.reverse();
  return out;
}

/**
 * The log files recovery from a snapshot at `snapshotZxid` needs: the one that starts at or
 * before it (it may hold the txns right after the snapshot) and every later one
 * (FileTxnLog.getLogFiles).
 */
export function logsFrom(logs: readonly NamedFile[], snapshotZxid: bigint): NamedFile[] {
  let startZxid = 0n;
  for (const log of logs) {
    if (log.zxid > snapshotZxid) break;
    if (log.zxid > startZxid) startZxid = log.zxid;
  }
  return logs.filter((log) => log.zxid >= startZxid);
}
