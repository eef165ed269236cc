import { packageVersion, parseOrExit, type CommandSpec } from "@zkts/cli-args";
import { type ACL, Ids, type StatPersisted } from "@zkts/jute";
import { openSnapshot, type LoadedSnapshot, type SnapshotNode } from "@zkts/storage";
import { aclRecordString, hexLong, hexPadded, javaDateString } from "./java-text.js";
import { dataJson, Output, toJson } from "./output.js";
import { aclJson } from "./txn-text.js";

const SNAPSHOT_SPEC = {
  name: "zkts-server snapshot",
  version: packageVersion(import.meta.url),
  synopsis: ["zkts-server snapshot [--json] [--data] [--acl] <snapshot file>"],
  summary:
    "Prints a snapshot file (version-2/snapshot.<zxid>, written by zkts or ZooKeeper) after checking\n" +
    "its seals: every znode with its stat, the session table and the last zxid, in the text form of\n" +
    "ZooKeeper's SnapshotFormatter; or, with --json, one JSON document with every field, the data\n" +
    "(as text when it is printable UTF-8, base64 otherwise), the ACLs and the digest.",
  options: {
    json: { type: "boolean", description: "print JSON instead of SnapshotFormatter's text" },
    data: { type: "boolean", short: "d", description: "text form: print each znode's data in base64 (SnapshotFormatter -d)" },
    acl: { type: "boolean", description: "text form: print each znode's ACL after its stat" },
  },
  positionals: { min: 1, max: 1 },
  epilogue: "Exit status: 0 printed, 1 the file is unreadable or damaged (the message names the offset), 2 usage error.",
} as const satisfies CommandSpec;

export async function runSnapshotCommand(args: string[]): Promise<number> {
  const { values, positionals } = parseOrExit(SNAPSHOT_SPEC, args);
  const snapshot = await openSnapshot(positionals[0]!);
  const out = new Output();
  if (values.json === true) await printJson(snapshot, out);
  else await printText(snapshot, out, { data: values.data === true, acl: values.acl === true });
  return 0;
}

/** The ephemeral znodes each session owns, counted while the nodes stream past. */
function countEphemeral(counts: Map<bigint, number>, node: SnapshotNode): void {
  const owner = node.stat.ephemeralOwner;
  if (owner !== 0n) counts.set(owner, (counts.get(owner) ?? 0) + 1);
}

async function printText(snapshot: LoadedSnapshot, out: Output, show: { data: boolean; acl: boolean }): Promise<void> {
  // SnapshotFormatter counts the entries of DataTree's path map, where the root sits under both
  // "" and "/": one more than the znodes listed.
  await out.write(`ZNode Details (count=${snapshot.nodeCount + 1}):\n`);
  const ephemerals = new Map<bigint, number>();
  // A snapshot is fuzzy: nodes may carry zxids past the one in its name. SnapshotFormatter's
  // "Last zxid" is the highest of the name's, every mzxid and every pzxid.
  let lastZxid = snapshot.zxid;
  for await (const node of snapshot.nodes()) {
    if (out.isClosed) return;
    countEphemeral(ephemerals, node);
    for (const zxid of [node.stat.mzxid, node.stat.pzxid]) if (zxid > lastZxid) lastZxid = zxid;
    await out.write(nodeText(node, snapshot.acls, show));
  }
  await out.write("----\nSession Details (sid, timeout, ephemeralCount):\n");
  for (const [id, timeout] of snapshot.sessions) await out.write(`${hexPadded(id)}, ${timeout}, ${ephemerals.get(id) ?? 0}\n`);
  // SnapshotFormatter prints no digest for a snapshot file (ZooKeeper checks a digest at the
  // snapshot's zxid as it loads it and keeps none as a target), so the digest is in --json only.
  await out.write(`----\nLast zxid: ${hexLong(lastZxid)}\n`);
}

function nodeText(node: SnapshotNode, acls: Map<bigint, ACL[]>, show: { data: boolean; acl: boolean }): string {
  const s = node.stat;
  const lines = [
    "----",
    node.path === "" ? "/" : node.path,
    `  cZxid = ${hexPadded(s.czxid)}`,
    `  ctime = ${javaDateString(Number(s.ctime))}`,
    `  mZxid = ${hexPadded(s.mzxid)}`,
    `  mtime = ${javaDateString(Number(s.mtime))}`,
    `  pZxid = ${hexPadded(s.pzxid)}`,
    `  cversion = ${s.cversion}`,
    `  dataVersion = ${s.version}`,
    `  aclVersion = ${s.aversion}`,
    `  ephemeralOwner = ${hexPadded(s.ephemeralOwner)}`,
    show.data ? `  data = ${node.data === null ? "" : Buffer.from(node.data).toString("base64")}` : `  dataLength = ${node.data?.length ?? 0}`,
  ];
  if (show.acl) {
    for (const acl of aclsOf(node, acls)) lines.push(`  acl = ${aclRecordString(acl).trimEnd()}`);
  }
  return `${lines.join("\n")}\n`;
}

/** The ACL cache's entry for the node; -1 is the open ACL, which ZooKeeper never stores in the cache. */
function aclsOf(node: SnapshotNode, acls: Map<bigint, ACL[]>): ACL[] {
  if (node.acl === -1n) return [...Ids.OPEN_ACL_UNSAFE];
  return acls.get(node.acl) ?? [];
}

export function statJsonOf(s: StatPersisted): Record<string, unknown> {
  return {
    czxid: hexLong(s.czxid),
    mzxid: hexLong(s.mzxid),
    pzxid: hexLong(s.pzxid),
    ctime: Number(s.ctime),
    mtime: Number(s.mtime),
    version: s.version,
    cversion: s.cversion,
    aversion: s.aversion,
    ephemeralOwner: hexLong(s.ephemeralOwner),
  };
}

async function printJson(snapshot: LoadedSnapshot, out: Output): Promise<void> {
  const head = {
    file: snapshot.path,
    zxid: hexLong(snapshot.zxid),
    dbid: snapshot.dbid,
    nodeCount: snapshot.nodeCount,
    digest: snapshot.digest === null ? null : { zxid: hexLong(snapshot.digest.zxid), version: snapshot.digest.digestVersion, digest: snapshot.digest.digest },
    lastProcessedZxid: snapshot.lastProcessedZxid === null ? null : hexLong(snapshot.lastProcessedZxid),
  };
  // Nodes are written one per line as they are decoded, so a large tree is never held as text.
  await out.write(`${toJson(head).slice(0, -1)},"nodes":[\n`);
  const ephemerals = new Map<bigint, number>();
  let first = true;
  for await (const node of snapshot.nodes()) {
    if (out.isClosed) return;
    countEphemeral(ephemerals, node);
    const entry = {
      path: node.path === "" ? "/" : node.path,
      stat: statJsonOf(node.stat),
      dataLength: node.data?.length ?? 0,
      data: dataJson(node.data),
      aclRef: node.acl,
      acl: aclJson(aclsOf(node, snapshot.acls)),
    };
    await out.write(`${first ? "" : ",\n"}${toJson(entry)}`);
    first = false;
  }
  const sessions = [...snapshot.sessions].map(([id, timeoutMs]) => ({ id: hexLong(id), timeoutMs, ephemeralCount: ephemerals.get(id) ?? 0 }));
  await out.write(`\n],"sessions":${toJson(sessions)}}\n`);
}
