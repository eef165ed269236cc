import type { DigestMismatch } from "@zkts/datatree";
import type { Logger } from "./logger.js";

/**
 * A tree digest that differs from the one recorded (log entry, proposal, snapshot): logged here
 * and counted by the tree (mntr zk_digest_mismatches_count), never fatal, as in ZooKeeper 3.8,
 * since the divergence is reported for an operator to act on rather than repaired.
 */
export function reportDigestMismatch(logger: Logger, where: string, mismatch: DigestMismatch | null): void {
  if (mismatch === null) return;
  logger.log("warn", "digests are not matching", {
    where,
    from: mismatch.source,
    zxid: `0x${mismatch.zxid.toString(16)}`,
    recordedDigest: mismatch.recorded.toString(),
    treeDigest: mismatch.actual.toString(),
  });
}
