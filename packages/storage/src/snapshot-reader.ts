import { basename } from "node:path";
import { promisify } from "node:util";
import { setImmediate as yieldToEventLoop } from "node:timers/promises";
import { gunzip } from "node:zlib";
import { ACL, FileHeader, JUTE_MAX_BUFFER_DEFAULT, JuteError, JuteReader, StatPersisted, t } from "@zkts/jute";
import { adler32Update } from "./adler32.js";
import { corruptAt, StorageError, StorageErrorCode } from "./errors.js";
import { SNAPSHOT_PREFIX, zxidFromName } from "./file-names.js";
import { nodeFs, type StorageFs } from "./fs.js";
import { FORMAT_VERSION, SNAPSHOT_MAGIC } from "./log-format.js";
import { NODE_LIST_END, STAT_PERSISTED_BYTES, type SnapshotNode, type ZxidDigest } from "./snapshot-types.js";

const aclList = t.vector(ACL);
const gunzipAsync = promisify(gunzip);
/** Nodes decoded between looks at the clock while streaming them out. */
const NODES_PER_CLOCK_CHECK = 256;
const SLICE_MS = 4;

export interface OpenSnapshotOptions {
  fs?: StorageFs;
  /** Largest length accepted for a node's data or path (jute.maxbuffer). */
  maxBuffer?: number;
}

/**
 * A snapshot whose structure and seals were checked when it was opened; the nodes are decoded
 * only as `nodes()` is iterated, so a large tree is never held twice in memory.
 */
export interface LoadedSnapshot {
  path: string;
  /** From the file name: the last zxid applied when the snapshot began (it is fuzzy). */
  zxid: bigint;
  dbid: bigint;
  sessions: Map<bigint, number>;
  acls: Map<bigint, ACL[]>;
  nodeCount: number;
  /** Present when the writer had digests enabled. */
  digest: ZxidDigest | null;
  /** Written only by ZooKeeper 3.9. */
  lastProcessedZxid: bigint | null;
  /** The nodes in file order (preorder, root "" first), yielding to the event loop as it goes. */
  nodes(): AsyncGenerator<SnapshotNode>;
  /**
   * The nodes in file order without decoding their data and stat: `visit` gets one cursor,
   * rewritten for each node, that says where its fields are in the file's bytes. A loader that
   * copies those bytes builds its tree without making an object per node.
   */
  visitNodes(visit: (node: SnapshotNodeBytes) => void): Promise<void>;
}

/** Where one node's fields are in a snapshot's bytes; valid only during the visit call. */
export interface SnapshotNodeBytes {
  bytes: Buffer;
  /** "" for the root, otherwise the absolute path. */
  path: string;
  /** Offset of the data, and its length: -1 for null data. */
  dataAt: number;
  dataLength: number;
  /** Offset of the 8-byte ACL reference (big-endian long). */
  aclAt: number;
  /** Offset of the StatPersisted fields (STAT_PERSISTED_BYTES, big-endian, in file order). */
  statAt: number;
}

export async function openSnapshot(path: string, options: OpenSnapshotOptions = {}): Promise<LoadedSnapshot> {
  const fs = options.fs ?? nodeFs;
  const name = basename(path);
  const zxid = zxidFromName(name, SNAPSHOT_PREFIX);
  if (zxid === null) throw new StorageError(StorageErrorCode.invalidArgument, `${path} is not named snapshot.<hex zxid>`);
  let bytes = await fs.readFile(path);
  if (name.endsWith(".gz")) bytes = await gunzipAsync(bytes);
  else if (name.endsWith(".snappy")) throw corruptAt(path, 0, "snappy-compressed snapshots are not supported");
  return await parseSnapshot(path, zxid, bytes, options.maxBuffer ?? JUTE_MAX_BUFFER_DEFAULT);
}

/** Reads a snapshot whole: its sessions, ACLs, digest and every node in an array. */
export async function readSnapshot(path: string, options: OpenSnapshotOptions = {}): Promise<Omit<LoadedSnapshot, "nodes"> & { nodes: SnapshotNode[] }> {
  const snapshot = await openSnapshot(path, options);
  const nodes: SnapshotNode[] = [];
  for await (const node of snapshot.nodes()) nodes.push(node);
  return { ...snapshot, nodes };
}

/**
 * Checks the structure in one pass that skips over node bodies, verifies each seal against
 * the Adler-32 of every byte before it, and keeps the offsets needed to decode nodes later.
 * The pass over the nodes runs in slices, summing the bytes it passed, with a yield to the
 * event loop between slices.
 */
export async function parseSnapshot(path: string, zxid: bigint, bytes: Buffer, maxBuffer: number): Promise<LoadedSnapshot> {
  const r = new JuteReader(bytes, 0, bytes.length, maxBuffer);
  const at = (what: string, fn: () => void): void => {
    const offset = r.offset;
    try {
      fn();
    } catch (err) {
      if (err instanceof JuteError) throw corruptAt(path, offset, `${what}: ${err.message}`);
      throw err;
    }
  };
  let dbid = 0n;
  at("file header", () => {
    const header = FileHeader.read(r);
    if (header.magic !== SNAPSHOT_MAGIC) throw new JuteError(`invalid snapshot magic 0x${(header.magic >>> 0).toString(16)}`);
    if (header.version !== FORMAT_VERSION) throw new JuteError(`unsupported snapshot version ${header.version}`);
    dbid = header.dbid;
  });
  const sessions = new Map<bigint, number>();
  at("sessions", () => {
    const count = r.readVectorCount(12);
    for (let i = 0; i < count; i++) sessions.set(r.readLong(), r.readInt());
  });
  const acls = new Map<bigint, ACL[]>();
  at("ACL cache", () => {
    const count = r.readVectorCount(12);
    for (let i = 0; i < count; i++) acls.set(r.readLong(), aclList.read(r));
  });
  const nodesStart = r.offset;
  const prefix = new PrefixChecksum(bytes);
  let nodeCount = 0;
  let listEnded = false;
  while (!listEnded) {
    const sliceStart = performance.now();
    at("node list", () => {
      for (;;) {
        if (atListEnd(r)) {
          listEnded = true;
          return;
        }
        skipNode(r);
        if (++nodeCount % NODES_PER_CLOCK_CHECK === 0 && performance.now() - sliceStart >= SLICE_MS) return;
      }
    });
    if (!listEnded) {
      prefix.through(r.offset);
      await yieldToEventLoop();
    }
  }
  at("seal", () => checkSeal(path, r, prefix));
  let digest: ZxidDigest | null = null;
  let lastProcessedZxid: bigint | null = null;
  // What follows the first seal is optional: 3.8 adds the digest, 3.9 the last processed zxid.
  if (r.remaining > 0) {
    at("digest", () => {
      digest = { zxid: r.readLong(), digestVersion: r.readInt(), digest: r.readLong() };
      checkSeal(path, r, prefix);
    });
  }
  if (r.remaining > 0) {
    at("last processed zxid", () => {
      lastProcessedZxid = r.readLong();
      checkSeal(path, r, prefix);
    });
  }
  if (r.remaining > 0) throw corruptAt(path, r.offset, `${r.remaining} unexpected bytes after the last seal`);
  return {
    path,
    zxid,
    dbid,
    sessions,
    acls,
    nodeCount,
    digest,
    lastProcessedZxid,
    nodes: () => decodeNodes(bytes, nodesStart, nodeCount, maxBuffer),
    visitNodes: (visit) => visitNodeBytes(bytes, nodesStart, nodeCount, maxBuffer, visit),
  };
}

function atListEnd(r: JuteReader): boolean {
  if (r.remaining < 5) return false;
  const length = r.buf.readInt32BE(r.offset);
  if (length !== 1 || r.buf[r.offset + 4] !== NODE_LIST_END.charCodeAt(0)) return false;
  r.offset += 5;
  return true;
}

function skipNode(r: JuteReader): void {
  r.skipUstring();
  skipBuffer(r);
  r.skipLong();
  if (r.remaining < STAT_PERSISTED_BYTES) throw new JuteError(`truncated StatPersisted at offset ${r.offset}`);
  r.offset += STAT_PERSISTED_BYTES;
}

function skipBuffer(r: JuteReader): void {
  const length = r.readInt();
  if (length === -1) return;
  if (length < -1 || length > r.maxBuffer || length > r.remaining) {
    throw new JuteError(`bad node data length ${length} at offset ${r.offset - 4}`);
  }
  r.offset += length;
}

/** The Adler-32 of a growing prefix of the file, so each seal only sums the new bytes. */
class PrefixChecksum {
  private value = 1;
  private upTo = 0;
  constructor(private readonly bytes: Buffer) {}
  through(end: number): bigint {
    this.value = adler32Update(this.value, this.bytes, this.upTo, end);
    this.upTo = end;
    return BigInt(this.value);
  }
}

function checkSeal(path: string, r: JuteReader, prefix: PrefixChecksum): void {
  const expected = prefix.through(r.offset);
  const sealOffset = r.offset;
  const stored = r.readLong();
  r.readUstring();
  if (stored !== expected) {
    throw corruptAt(path, sealOffset, `snapshot seal ${stored} does not match the Adler-32 ${expected} of the bytes before it`);
  }
}

async function* decodeNodes(bytes: Buffer, start: number, count: number, maxBuffer: number): AsyncGenerator<SnapshotNode> {
  const r = new JuteReader(bytes, start, bytes.length, maxBuffer);
  let sliceStart = performance.now();
  for (let i = 0; i < count; i++) {
    const path = r.readUstring();
    const data = r.readBuffer();
    const acl = r.readLong();
    const stat = StatPersisted.read(r);
    yield { path, data, acl, stat };
    if (i % NODES_PER_CLOCK_CHECK === 0 && performance.now() - sliceStart >= SLICE_MS) {
      await yieldToEventLoop();
      sliceStart = performance.now();
    }
  }
}

/**
 * Walks the node list the structure pass already checked: only the path is decoded, the rest
 * is offsets into `bytes`. Yields to the event loop between slices, as decodeNodes does.
 */
async function visitNodeBytes(bytes: Buffer, start: number, count: number, maxBuffer: number, visit: (node: SnapshotNodeBytes) => void): Promise<void> {
  const r = new JuteReader(bytes, start, bytes.length, maxBuffer);
  const cursor: SnapshotNodeBytes = { bytes, path: "", dataAt: 0, dataLength: -1, aclAt: 0, statAt: 0 };
  let sliceStart = performance.now();
  for (let i = 0; i < count; i++) {
    cursor.path = r.readUstring();
    const dataLength = r.readInt();
    cursor.dataAt = r.offset;
    cursor.dataLength = dataLength;
    if (dataLength > 0) r.offset += dataLength;
    cursor.aclAt = r.offset;
    cursor.statAt = r.offset + 8;
    r.offset += 8 + STAT_PERSISTED_BYTES;
    visit(cursor);
    if (i % NODES_PER_CLOCK_CHECK === 0 && performance.now() - sliceStart >= SLICE_MS) {
      await yieldToEventLoop();
      sliceStart = performance.now();
    }
  }
}
