import type { Replica } from "@zkts/server";

/**
 * Everything a member's replicated state holds, one line per znode (path, data, ACL id, every
 * persisted Stat field) and one per session, in a fixed order: two members agree exactly
 * when their fingerprints are equal.
 */
export function treeFingerprint(replica: Replica): string {
  const lines: string[] = [];
  for (const node of replica.tree.snapshotNodes()) {
    const data = node.data === null ? "null" : Buffer.from(node.data).toString("base64");
    const stat = Object.entries(node.stat)
      .map(([k, v]) => `${k}=${String(v)}`)
      .join(",");
    lines.push(`${node.path} ${data} acl=${String(node.aclId)} ${stat}`);
  }
  const sessions = [...replica.sessionTable()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  for (const [id, timeout] of sessions) lines.push(`session ${id} ${timeout}`);
  return lines.join("\n");
}
