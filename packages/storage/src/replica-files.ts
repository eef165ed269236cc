import { dirname, join } from "node:path";
import { LOG_PREFIX, SNAPSHOT_PREFIX, fileName, filesOfKind, versionDir } from "./file-names.js";
import { type StorageFs, nodeFs } from "./fs.js";

/**
 * The small files an ensemble member keeps beside its logs and snapshots, and the two disk
 * changes a leader's sync asks of it (a snapshot installed, logs past a point removed), written
 * over the same `StorageFs` seam as the rest of storage so a test can fail them like any other.
 * Each file is replaced whole by a rename, so a crash leaves the old or the new one.
 */

/** ZooKeeper's epoch files (QuorumPeer.ACCEPTED_EPOCH_FILENAME / CURRENT_EPOCH_FILENAME). */
export type EpochFileName = "acceptedEpoch" | "currentEpoch";

/**
 * ZooKeeper keeps its epoch files in the snapshot directory (`dataDir/version-2`); earlier zkts
 * releases kept them in `dataDir` itself. The snapshot directory's file wins, so a data directory
 * moves freely between the two servers, and an older zkts directory still starts.
 */
function epochPaths(dataDir: string, name: EpochFileName): { current: string; legacy: string } {
  return { current: join(versionDir(dataDir), name), legacy: join(dataDir, name) };
}

/** The epoch a file holds (decimal, as ZooKeeper writes it), or null when there is none. */
export async function readEpochFile(dataDir: string, name: EpochFileName, fs: StorageFs = nodeFs): Promise<number | null> {
  const { current, legacy } = epochPaths(dataDir, name);
  return (await readEpochAt(fs, current)) ?? (await readEpochAt(fs, legacy));
}

async function readEpochAt(fs: StorageFs, path: string): Promise<number | null> {
  const bytes = await readIfPresent(fs, path);
  if (bytes === null) return null;
  const text = bytes.toString("utf8");
  if (!/^\s*\d+\s*$/.test(text)) throw new Error(`${path} holds "${text.trim()}", not an epoch`);
  return Number(text.trim());
}

/** Writes an epoch file durably; a file left in the old place goes once the new one is durable. */
export async function writeEpochFile(dataDir: string, name: EpochFileName, epoch: number, fs: StorageFs = nodeFs): Promise<void> {
  const { current, legacy } = epochPaths(dataDir, name);
  await replaceDurably(fs, current, Buffer.from(`${epoch}`, "utf8"));
  await unlinkIfPresent(fs, legacy);
}

/**
 * The configuration last activated, as ZooKeeper's dynamic configuration text, in
 * `dataDir/zoo.cfg.dynamic`: a restart continues with it rather than zoo.cfg's server lines.
 */
const MEMBERSHIP_FILE = "zoo.cfg.dynamic";

/** The recorded configuration text, or null when none was recorded. */
export async function readMembershipFile(dataDir: string, fs: StorageFs = nodeFs): Promise<Buffer | null> {
  return await readIfPresent(fs, join(dataDir, MEMBERSHIP_FILE));
}

export async function writeMembershipFile(dataDir: string, configText: Uint8Array, fs: StorageFs = nodeFs): Promise<void> {
  await replaceDurably(fs, join(dataDir, MEMBERSHIP_FILE), configText);
}

/** Puts a leader's snapshot (a snapshot file's bytes) in place as `snapshot.<zxid>`; returns its path. */
export async function installSnapshotFile(dataDir: string, zxid: bigint, data: Uint8Array, fs: StorageFs = nodeFs): Promise<string> {
  const path = join(versionDir(dataDir), fileName(SNAPSHOT_PREFIX, zxid));
  await replaceDurably(fs, path, data, ".receiving");
  return path;
}

/**
 * Removes every log file that starts after `zxid` (a TRUNC to a point no log holds), durably:
 * a removal a power cut undid would hand the restarted member back the entries the leader
 * told it to drop.
 */
export async function removeLogsAfter(dataLogDir: string, zxid: bigint, fs: StorageFs = nodeFs): Promise<void> {
  const dir = versionDir(dataLogDir);
  let removed = 0;
  for (const log of filesOfKind(await fs.list(dir), LOG_PREFIX)) {
    if (log.zxid > zxid) {
      await fs.unlink(join(dir, log.name));
      removed++;
    }
  }
  if (removed > 0) await fs.syncDir(dir);
}

/** Writes `data` to a temporary file beside `path`, makes it durable, renames it over `path`, and syncs the directory. */
async function replaceDurably(fs: StorageFs, path: string, data: Uint8Array, temporarySuffix = ".tmp"): Promise<void> {
  const dir = dirname(path);
  const temporary = `${path}${temporarySuffix}`;
  await fs.mkdirp(dir);
  // One left by a crash mid-write is stale: start over.
  await unlinkIfPresent(fs, temporary);
  const file = await fs.open(temporary, "createNew");
  try {
    await file.writeAt(data, 0);
    await file.datasync();
  } finally {
    await file.close();
  }
  await fs.rename(temporary, path);
  await fs.syncDir(dir);
}

async function readIfPresent(fs: StorageFs, path: string): Promise<Buffer | null> {
  try {
    return await fs.readFile(path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return null;
    throw err;
  }
}

async function unlinkIfPresent(fs: StorageFs, path: string): Promise<void> {
  try {
    await fs.unlink(path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "ENOENT") throw err;
  }
}
