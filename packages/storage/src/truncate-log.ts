import { join } from "node:path";
import { JUTE_MAX_BUFFER_DEFAULT } from "@zkts/jute";
import { StorageError, StorageErrorCode } from "./errors.js";
import { filesOfKind, LOG_PREFIX, logsFrom, versionDir } from "./file-names.js";
import { nodeFs, type StorageFs } from "./fs.js";
import { scanLogFile } from "./log-reader.js";

export interface TruncateLogOptions {
  dataLogDir: string;
  /** The last zxid to keep. */
  zxid: bigint;
  fs?: StorageFs;
  maxBuffer?: number;
}

export interface TruncateLogResult {
  /** The file cut after `zxid`, with its new size, or null when no file needed cutting. */
  truncated: { path: string; size: number } | null;
  /** Later log files removed whole. */
  removed: string[];
}

/**
 * Drops every logged txn after `zxid`, as a follower does on the leader's TRUNC
 * (FileTxnLog.truncate): the log holding `zxid` is cut right after it and later logs are
 * removed. Snapshots are left alone, as ZooKeeper leaves them; a caller must not keep a
 * snapshot newer than `zxid`. Open appenders on the directory must be closed first.
 */
export async function truncateLog(options: TruncateLogOptions): Promise<TruncateLogResult> {
  const fs = options.fs ?? nodeFs;
  const dir = versionDir(options.dataLogDir);
  const logs = filesOfKind(await fs.list(dir), LOG_PREFIX);
  const affected = logsFrom(logs, options.zxid);
  if (affected.length === 0 || affected[0]!.zxid > options.zxid) {
    throw new StorageError(StorageErrorCode.invalidArgument, `no log in ${dir} holds zxid 0x${options.zxid.toString(16)}; nothing to truncate to`);
  }
  const [holder, ...later] = affected;
  const holderPath = join(dir, holder!.name);
  const scan = scanLogFile(holderPath, await fs.readFile(holderPath), { maxBuffer: options.maxBuffer ?? JUTE_MAX_BUFFER_DEFAULT });
  const firstDropped = scan.entries.find((e) => e.zxid > options.zxid);
  let truncated: TruncateLogResult["truncated"] = null;
  if (firstDropped !== undefined) {
    const file = await fs.open(holderPath, "readWrite");
    try {
      await file.truncate(firstDropped.offset);
      await file.datasync();
    } finally {
      await file.close();
    }
    truncated = { path: holderPath, size: firstDropped.offset };
  }
  const removed: string[] = [];
  for (const log of later) {
    const path = join(dir, log.name);
    await fs.unlink(path);
    removed.push(path);
  }
  if (removed.length > 0) await fs.syncDir(dir);
  return { truncated, removed };
}
