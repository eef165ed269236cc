import { DIGEST_VERSION, DataTree, type DataTreeOptions, type DigestMismatch } from "@zkts/datatree";
import { reportDigestMismatch } from "../digest-report.js";
import type { Logger } from "../logger.js";
import { ProgressLog } from "./progress-log.js";
import { type EncodedSnapshotNode, type LoadedSnapshot, type SnapshotSource, STAT_PERSISTED_BYTES, encodeSnapshotBytes, parseSnapshot } from "@zkts/storage";

/** What a snapshot holds, taken from the live tree and session table. */
export function snapshotSource(tree: DataTree, sessions: ReadonlyMap<bigint, number>): SnapshotSource {
  return {
    sessions: new Map(sessions),
    acls: new Map(tree.acls.entries()),
    nodes: nodesOf(tree),
    digest: tree.digestEnabled ? () => ({ zxid: tree.lastProcessedZxid, digestVersion: DIGEST_VERSION, digest: tree.treeDigest }) : null,
  };
}

/** The tree's nodes for the writer, each stat copied as bytes into one reused buffer. */
function* nodesOf(tree: DataTree): Generator<EncodedSnapshotNode> {
  const statBytes = Buffer.alloc(STAT_PERSISTED_BYTES);
  for (const node of tree.snapshotNodeBytes(statBytes)) {
    yield { path: node.path, data: node.data, acl: node.aclId, statBytes };
  }
}

/** A node's size in the snapshot file: path and data with their lengths, ACL reference, stat. */
const NODE_FIXED_BYTES = 4 + 4 + 8 + 68;
/** Nodes counted into the progress log at a time, so its clock is not read per node. */
const PROGRESS_BATCH = 1024;

/**
 * Loads a snapshot into an empty tree and returns its sessions; `progress` counts the nodes.
 * Each node's data and stat bytes go from the file's buffer straight into the tree's packed
 * store: the load makes one string per node (its path) and nothing else. `txnsToReplay`, the
 * logged txns about to be applied on top, sizes the store for the znodes they may create, so
 * the replay does not double every column of a full store to add a few.
 */
export async function loadSnapshot(tree: DataTree, snapshot: LoadedSnapshot, progress?: ProgressLog, txnsToReplay = 0): Promise<Map<bigint, number>> {
  tree.beginRestore(snapshot.nodeCount + Math.min(txnsToReplay, snapshot.nodeCount));
  for (const [id, acl] of snapshot.acls) tree.restoreAcl(id, acl);
  let nodes = 0;
  let bytes = 0;
  await snapshot.visitNodes((node) => {
    tree.restoreNodeBytes(node.path, node.bytes, node.dataAt, node.dataLength, node.aclAt, node.statAt);
    nodes++;
    bytes += NODE_FIXED_BYTES + node.path.length + Math.max(node.dataLength, 0);
    if (nodes === PROGRESS_BATCH) {
      progress?.add(nodes, bytes);
      nodes = 0;
      bytes = 0;
    }
  });
  progress?.add(nodes, bytes);
  tree.finishRestore(snapshot.zxid);
  return new Map(snapshot.sessions);
}

/**
 * A recovered snapshot into `tree` as a server starts, standalone or ensemble member: with
 * progress lines every `progressIntervalMs`, and its digest checked (a mismatch logged).
 */
export async function restoreSnapshot(
  tree: DataTree,
  snapshot: LoadedSnapshot,
  logger: Logger,
  progressIntervalMs: number,
  txnsToReplay = 0,
): Promise<Map<bigint, number>> {
  const loading = new ProgressLog({
    logger,
    task: "loading snapshot",
    unit: "znodes",
    total: snapshot.nodeCount,
    fields: { snapshot: snapshot.path },
    intervalMs: progressIntervalMs,
  });
  const sessions = await loadSnapshot(tree, snapshot, loading, txnsToReplay);
  loading.finish();
  reportDigestMismatch(logger, "loading a snapshot", restoreSnapshotDigest(tree, snapshot));
  return sessions;
}

/** Hands the tree the digest a loaded snapshot carries; a mismatch when it can be compared at once. */
export function restoreSnapshotDigest(tree: DataTree, snapshot: LoadedSnapshot): DigestMismatch | null {
  const d = snapshot.digest;
  return tree.restoredDigest(d === null ? null : { zxid: d.zxid, version: d.digestVersion, digest: d.digest }, snapshot.zxid);
}

/** A snapshot file's bytes for `tree` and `sessions`, built in memory (a SNAP to a learner). */
export async function serializeTree(tree: DataTree, sessions: ReadonlyMap<bigint, number>): Promise<Buffer> {
  return await encodeSnapshotBytes(snapshotSource(tree, sessions));
}

/** Parses a snapshot's bytes (as serializeTree makes them) into a new tree and its sessions. */
export async function treeFromSnapshotBytes(
  bytes: Uint8Array,
  zxid: bigint,
  options: DataTreeOptions,
  maxBuffer: number,
): Promise<{ tree: DataTree; sessions: Map<bigint, number> }> {
  const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const snapshot = await parseSnapshot(`snapshot.${zxid.toString(16)}`, zxid, buffer, maxBuffer);
  const tree = new DataTree(options);
  const sessions = await loadSnapshot(tree, snapshot);
  // A mismatch here is counted by the tree (mntr) and, the snapshot being fuzzy, may only show later.
  restoreSnapshotDigest(tree, snapshot);
  return { tree, sessions };
}
