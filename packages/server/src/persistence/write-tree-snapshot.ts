import type { DataTree } from "@zkts/datatree";
import { writeSnapshot } from "@zkts/storage";
import type { ServerConfig } from "../config.js";
import { type Logger, hex } from "../logger.js";
import type { SummaryFigure } from "../metrics/summary-figure.js";
import { fromTotals, ProgressLog } from "./progress-log.js";
import { snapshotSource } from "./tree-snapshot.js";

/**
 * Writes a fuzzy snapshot of `tree` as of its last applied zxid (later txns may be applied
 * while it is written; recovery replays the log after its zxid), logging its progress and the
 * result, and timing it into `snapshotTime`. A failure is logged, not thrown: the log still
 * holds every txn. Resolves to the snapshot's zxid, or null when it failed.
 */
export async function writeTreeSnapshot(
  tree: DataTree,
  sessions: ReadonlyMap<bigint, number>,
  config: Pick<ServerConfig, "dataDir" | "forceSync" | "progressIntervalMs">,
  logger: Logger,
  snapshotTime: SummaryFigure | null,
): Promise<bigint | null> {
  const zxid = tree.lastProcessedZxid;
  const started = Date.now();
  const progress = new ProgressLog({
    logger,
    task: "writing snapshot",
    unit: "znodes",
    total: tree.nodeCount,
    fields: { zxid: hex(zxid) },
    intervalMs: config.progressIntervalMs,
  });
  try {
    const written = await writeSnapshot(snapshotSource(tree, sessions), {
      dataDir: config.dataDir,
      zxid,
      fsync: config.forceSync,
      onProgress: fromTotals(progress),
    });
    const ms = Date.now() - started;
    snapshotTime?.observe(ms);
    logger.log("info", "snapshot written", {
      path: written.path,
      zxid: hex(zxid),
      nodes: written.nodes,
      bytes: written.bytes,
      ms,
      mbPerSec: Math.round((written.bytes / (1024 * 1024) / Math.max(ms, 1)) * 100_000) / 100,
    });
    return zxid;
  } catch (err) {
    logger.log("error", "snapshot failed; the log still holds every txn", { err });
    return null;
  }
}
