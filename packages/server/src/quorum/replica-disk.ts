import {
  type EpochFileName,
  type LoadedSnapshot,
  type LogRepair,
  type StorageFs,
  StorageError,
  type TruncateLogResult,
  installSnapshotFile,
  nodeFs,
  parseSnapshot,
  readEpochFile,
  readMembershipFile,
  recover,
  removeLogsAfter,
  truncateLog,
  writeEpochFile,
  writeMembershipFile,
} from "@zkts/storage";
import type { Entry, PersistedState, Ready } from "@zkts/zab";
import { membershipFromConfigText } from "./membership-text.js";

/**
 * A replica's disk as zab sees it, written and read in one place for the server's ensemble
 * store and the lab's simulated member: recovery into zab's `PersistedState`, and one Ready
 * persisted in the order the core requires (snapshot, truncation, entries, epochs,
 * configuration). What appends the entries and when snapshots are taken of the member's own
 * state stays with the caller.
 */

/** Where a member's files are. */
export interface ReplicaDiskPlace {
  readonly dataDir: string;
  readonly dataLogDir: string;
  readonly fs?: StorageFs;
  /** jute.maxbuffer: the largest record a log or snapshot may hold. */
  readonly maxBuffer: number;
}

/** Where a Ready's entries are appended, and how the log is cut for a TRUNC. */
export interface ReplicaLog {
  /** Resolves once the entries are durable (or, where writes are held, once they are handed over). */
  append(entries: readonly Uint8Array[]): Promise<void>;
  /** Closes the log, lets `rewrite` change its files, and opens it again. */
  rewriteLog(rewrite: () => Promise<void>): Promise<void>;
  /** Resolves once every append handed over so far is on disk: before a snapshot or a TRUNC replaces or cuts the log. */
  settled(): Promise<void>;
}

/** What persisting a Ready did, step by step: for logs and for the simulation's durability checks. */
export interface ReplicaDiskEvents {
  snapshotInstalled?(zxid: bigint, bytes: number): void;
  /** From here until `truncated`, a crash may or may not find the entries past `zxid`. */
  truncating?(zxid: bigint): void;
  /** `result` is null when no log held `zxid` and the log files after it were removed. */
  truncated?(zxid: bigint, result: TruncateLogResult | null): void;
  appending?(entries: readonly Entry[]): void;
  appended?(entries: readonly Entry[]): void;
  epochWritten?(name: EpochFileName, epoch: number): void;
}

/** What a member starts from: zab's view of its disk and the snapshot its tree loads from. */
export interface RecoveredReplica {
  readonly persisted: PersistedState;
  readonly snapshot: LoadedSnapshot | null;
  /** Torn log tails cut off and empty log files removed on the way. */
  readonly repairs: readonly LogRepair[];
}

/**
 * Reads the newest snapshot and the log entries after it (the core hands them back as
 * committed once its leader says so), the epoch files and the recorded configuration.
 * A directory without a snapshot is trusted as empty, as ZooKeeper's members do.
 */
export async function recoverReplica(place: ReplicaDiskPlace): Promise<RecoveredReplica> {
  const fs = place.fs ?? nodeFs;
  const recovered = await recover({ dataDir: place.dataDir, dataLogDir: place.dataLogDir, fs, maxBuffer: place.maxBuffer, trustEmptySnapshot: true });
  const snapshotZxid = recovered.snapshot?.zxid ?? 0n;
  const entries: Entry[] = [];
  for await (const txn of recovered.txns()) {
    if (txn.entry.header.zxid > snapshotZxid) entries.push({ zxid: txn.entry.header.zxid, data: txn.txnBytes });
  }
  // Without the files (a fresh directory, or one from a standalone server) ZooKeeper takes
  // the epoch of the last zxid for both.
  const lastEpoch = Number((entries.at(-1)?.zxid ?? snapshotZxid) >> 32n);
  const acceptedEpoch = (await readEpochFile(place.dataDir, "acceptedEpoch", fs)) ?? lastEpoch;
  const currentEpoch = (await readEpochFile(place.dataDir, "currentEpoch", fs)) ?? lastEpoch;
  const membershipText = await readMembershipFile(place.dataDir, fs);
  const membership = membershipText === null ? null : membershipFromConfigText(membershipText);
  return {
    persisted: { acceptedEpoch, currentEpoch, snapshotZxid, entries, membership },
    snapshot: recovered.snapshot,
    repairs: recovered.repairs,
  };
}

/**
 * Persists one Ready in the order the core requires: snapshot, truncation, entries, epochs,
 * configuration. Returns the installed snapshot, which the caller loads into a fresh tree.
 */
export async function persistReady(r: Ready, place: ReplicaDiskPlace, log: ReplicaLog, events: ReplicaDiskEvents = {}): Promise<LoadedSnapshot | null> {
  const fs = place.fs ?? nodeFs;
  let installed: LoadedSnapshot | null = null;
  if (r.snapshot !== null || r.truncateTo !== null) await log.settled();
  if (r.snapshot !== null) {
    const { zxid, data } = r.snapshot;
    const path = await installSnapshotFile(place.dataDir, zxid, data, fs);
    events.snapshotInstalled?.(zxid, data.length);
    // The bytes just made durable are those in hand: they are checked as the file would be, not read back.
    installed = await parseSnapshot(path, zxid, Buffer.from(data.buffer, data.byteOffset, data.byteLength), place.maxBuffer);
  }
  if (r.truncateTo !== null) await truncate(r.truncateTo, place, fs, log, events);
  if (r.entries.length > 0) {
    const entries = r.entries;
    events.appending?.(entries);
    await log.append(entries.map((e) => e.data));
    events.appended?.(entries);
  }
  if (r.hardState !== null) {
    await writeEpochFile(place.dataDir, "acceptedEpoch", r.hardState.acceptedEpoch, fs);
    events.epochWritten?.("acceptedEpoch", r.hardState.acceptedEpoch);
    await writeEpochFile(place.dataDir, "currentEpoch", r.hardState.currentEpoch, fs);
    events.epochWritten?.("currentEpoch", r.hardState.currentEpoch);
  }
  if (r.membership !== null) await writeMembershipFile(place.dataDir, r.membership.data, fs);
  return installed;
}

async function truncate(zxid: bigint, place: ReplicaDiskPlace, fs: StorageFs, log: ReplicaLog, events: ReplicaDiskEvents): Promise<void> {
  await log.rewriteLog(async () => {
    events.truncating?.(zxid);
    let result: TruncateLogResult | null = null;
    try {
      result = await truncateLog({ dataLogDir: place.dataLogDir, zxid, fs, maxBuffer: place.maxBuffer });
    } catch (err) {
      if (!(err instanceof StorageError)) throw err;
      // No log holds `zxid` (it is the snapshot's, or 0): every log file starts after it.
      await removeLogsAfter(place.dataLogDir, zxid, fs);
    }
    events.truncated?.(zxid, result);
  });
}
