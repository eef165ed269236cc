import { OpCode, type ACL, type TxnBody, type TxnEntry } from "@zkts/jute";
import type { LoadedSnapshot } from "../../src/index.js";

/**
 * Just enough of a data tree to check recovered files against what a client saw: data,
 * ACL, czxid, mzxid, version and aversion per path. Tests only; the real tree is elsewhere.
 */
export interface ModelNode {
  data: string;
  acl: ACL[];
  czxid: bigint;
  mzxid: bigint;
  version: number;
  aversion: number;
  ephemeralOwner: bigint;
}

export type TreeModel = Map<string, ModelNode>;

export async function modelFromSnapshot(snapshot: LoadedSnapshot): Promise<TreeModel> {
  const tree: TreeModel = new Map();
  for await (const node of snapshot.nodes()) {
    const acl = node.acl === -1n ? [{ perms: 31, id: { scheme: "world", id: "anyone" } }] : snapshot.acls.get(node.acl);
    if (acl === undefined) throw new Error(`node ${node.path} refers to ACL ${node.acl}, absent from the cache`);
    tree.set(node.path === "" ? "/" : node.path, {
      data: Buffer.from(node.data ?? []).toString(),
      acl,
      czxid: node.stat.czxid,
      mzxid: node.stat.mzxid,
      version: node.stat.version,
      aversion: node.stat.aversion,
      ephemeralOwner: node.stat.ephemeralOwner,
    });
  }
  return tree;
}

/** Applies a logged txn. Replaying a txn already in a fuzzy snapshot must be harmless. */
export function applyTxn(tree: TreeModel, entry: TxnEntry): void {
  applyBody(tree, entry.body, entry.header.zxid, entry.header.clientId);
}

function applyBody(tree: TreeModel, body: TxnBody, zxid: bigint, session: bigint): void {
  switch (body.type) {
    case OpCode.create:
    case OpCode.create2:
      tree.set(body.txn.path, {
        data: Buffer.from(body.txn.data ?? []).toString(),
        acl: body.txn.acl,
        czxid: zxid,
        mzxid: zxid,
        version: 0,
        aversion: 0,
        ephemeralOwner: body.txn.ephemeral ? session : 0n,
      });
      return;
    case OpCode.delete:
      tree.delete(body.txn.path);
      return;
    case OpCode.setData: {
      const node = tree.get(body.txn.path)!;
      Object.assign(node, { data: Buffer.from(body.txn.data ?? []).toString(), mzxid: zxid, version: body.txn.version });
      return;
    }
    case OpCode.setACL: {
      const node = tree.get(body.txn.path)!;
      Object.assign(node, { acl: body.txn.acl, aversion: body.txn.version });
      return;
    }
    case OpCode.closeSession:
      for (const path of body.txn?.paths2Delete ?? []) tree.delete(path);
      return;
    case OpCode.multi:
      for (const sub of body.txns) applyBody(tree, sub, zxid, session);
      return;
    default:
      return;
  }
}
