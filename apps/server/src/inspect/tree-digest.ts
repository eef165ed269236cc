import { combineDigest, DIGEST_VERSION, nodeDigest } from "@zkts/datatree";
import type { SnapshotNode } from "@zkts/storage";

export { DIGEST_VERSION };

const NO_CHILDREN: Set<string> = new Set();

/**
 * A snapshot's tree digest recomputed from its nodes as they stream past, with the data tree's
 * own digest rules (ZooKeeper's DigestCalculator, version 2).
 */
export class TreeDigest {
  private sum = 0n;

  add(node: SnapshotNode): void {
    const data = node.data === null ? null : Buffer.from(node.data.buffer, node.data.byteOffset, node.data.byteLength);
    const znode = { ...node.stat, data, aclId: node.acl, children: NO_CHILDREN };
    this.sum = combineDigest(this.sum, nodeDigest(node.path, znode), 1);
  }

  get value(): bigint {
    return this.sum;
  }
}
