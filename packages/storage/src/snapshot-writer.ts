import { join } from "node:path";
import { setImmediate as yieldToEventLoop } from "node:timers/promises";
import { ACL, FileHeader, JuteWriter, StatPersisted } from "@zkts/jute";
import { Adler32 } from "./adler32.js";
import { StorageError, StorageErrorCode } from "./errors.js";
import { fileName, SNAPSHOT_PREFIX, SNAPSHOT_TEMP_PREFIX, versionDir, zxidHex } from "./file-names.js";
import { nodeFs, type StorageFile, type StorageFs } from "./fs.js";
import { FORMAT_VERSION, SNAPSHOT_DBID, SNAPSHOT_MAGIC } from "./log-format.js";
import { type EncodedSnapshotNode, NODE_LIST_END, STAT_PERSISTED_BYTES, type SnapshotNode, type SnapshotSource, type ZxidDigest } from "./snapshot-types.js";

export interface WriteSnapshotOptions {
  dataDir: string;
  /** The last zxid applied when the snapshot started; it names the file. */
  zxid: bigint;
  fs?: StorageFs;
  /** fsync the file and its directory before returning (default true). */
  fsync?: boolean;
  /** Encoded bytes gathered before each file write. */
  chunkBytes?: number;
  /** The longest run of synchronous encoding before yielding to the event loop, in ms. */
  sliceMs?: number;
  now?: () => number;
  /** Called as nodes are encoded (every few hundred) with the totals so far, to report progress. */
  onProgress?: (progress: { nodes: number; bytes: number }) => void;
}

export interface WrittenSnapshot {
  path: string;
  bytes: number;
  nodes: number;
}

const CHUNK_BYTES_DEFAULT = 1024 * 1024;
const SLICE_MS_DEFAULT = 4;
/** How many nodes are encoded between looks at the clock. */
const NODES_PER_CLOCK_CHECK = 256;

/**
 * Streams a snapshot to `version-2/tmp-snapshot.<zxid>` and renames it to
 * `snapshot.<zxid>` once complete and fsynced, so a crash never leaves a half-written file
 * under a name recovery would consider. Encoding runs in slices of at most `sliceMs` with a
 * yield to the event loop between them, so request processing continues meanwhile.
 */
export async function writeSnapshot(source: SnapshotSource, options: WriteSnapshotOptions): Promise<WrittenSnapshot> {
  const fs = options.fs ?? nodeFs;
  const dir = versionDir(options.dataDir);
  await fs.mkdirp(dir);
  const tempPath = join(dir, `${SNAPSHOT_TEMP_PREFIX}.${zxidHex(options.zxid)}`);
  const finalPath = join(dir, fileName(SNAPSHOT_PREFIX, options.zxid));
  await fs.unlink(tempPath).catch(() => undefined);
  const file = await fs.open(tempPath, "createNew");
  let written: { bytes: number; nodes: number };
  try {
    const stream = new SealedStream(file, options.chunkBytes ?? CHUNK_BYTES_DEFAULT);
    written = await encodeSnapshot(source, stream, options);
    if (options.fsync ?? true) await file.datasync();
  } catch (err) {
    await file.close().catch(() => undefined);
    await fs.unlink(tempPath).catch(() => undefined);
    throw err;
  }
  await file.close();
  await fs.rename(tempPath, finalPath);
  if (options.fsync ?? true) await fs.syncDir(dir);
  return { path: finalPath, ...written };
}

/**
 * The bytes of a snapshot file holding `source`, built in memory: what a leader sends a
 * learner in a SNAP, and what a simulated disk keeps. Same format as writeSnapshot's files.
 */
export async function encodeSnapshotBytes(source: SnapshotSource, options: Pick<WriteSnapshotOptions, "sliceMs" | "now"> = {}): Promise<Buffer> {
  const file = new CollectingFile();
  const stream = new SealedStream(file, CHUNK_BYTES_DEFAULT);
  await encodeSnapshot(source, stream, { dataDir: "", zxid: 0n, ...options });
  return Buffer.concat(file.chunks);
}

/** A write-only StorageFile that keeps what was written, in order. */
class CollectingFile implements StorageFile {
  readonly chunks: Buffer[] = [];
  private length = 0;

  async writeAt(bytes: Uint8Array, position: number): Promise<void> {
    if (position !== this.length) throw new StorageError(StorageErrorCode.invalidArgument, "snapshot bytes are written in order");
    this.chunks.push(Buffer.from(bytes));
    this.length += bytes.length;
  }

  async readAt(): Promise<number> {
    return 0;
  }

  async datasync(): Promise<void> {}

  async truncate(): Promise<void> {
    throw new StorageError(StorageErrorCode.invalidArgument, "an in-memory snapshot is never truncated");
  }

  async size(): Promise<number> {
    return this.length;
  }

  async close(): Promise<void> {}
}

async function encodeSnapshot(source: SnapshotSource, stream: SealedStream, options: WriteSnapshotOptions): Promise<{ bytes: number; nodes: number }> {
  const w = stream.writer;
  FileHeader.write(w, { magic: SNAPSHOT_MAGIC, version: FORMAT_VERSION, dbid: SNAPSHOT_DBID });
  w.writeInt(source.sessions.size);
  for (const [id, timeout] of source.sessions) {
    w.writeLong(id);
    w.writeInt(timeout);
    await stream.maybeFlush();
  }
  w.writeInt(source.acls.size);
  for (const [ref, acls] of source.acls) {
    w.writeLong(ref);
    w.writeInt(acls.length);
    for (const acl of acls) ACL.write(w, acl);
    await stream.maybeFlush();
  }
  const nodes = await encodeNodes(source.nodes, stream, options);
  w.writeUstring(NODE_LIST_END);
  await stream.seal();
  const digest = typeof source.digest === "function" ? source.digest() : source.digest;
  if (digest) {
    writeZxidDigest(w, digest);
    await stream.seal();
  }
  await stream.flush();
  return { bytes: stream.bytes, nodes };
}

async function encodeNodes(
  nodes: Iterable<SnapshotNode | EncodedSnapshotNode> | AsyncIterable<SnapshotNode | EncodedSnapshotNode>,
  stream: SealedStream,
  options: WriteSnapshotOptions,
): Promise<number> {
  const now = options.now ?? (() => performance.now());
  const sliceMs = options.sliceMs ?? SLICE_MS_DEFAULT;
  const w = stream.writer;
  let count = 0;
  let sliceStart = now();
  for await (const node of nodes) {
    const path = count === 0 && node.path === "/" ? "" : node.path;
    if (count === 0 && path !== "") throw invalid(`the first node must be the root, got "${node.path}"`);
    if (count > 0 && (path === "" || path === NODE_LIST_END)) throw invalid(`root path "${node.path}" seen twice`);
    w.writeUstring(path);
    w.writeBuffer(node.data);
    w.writeLong(node.acl);
    if ("statBytes" in node) {
      if (node.statBytes.length !== STAT_PERSISTED_BYTES) throw invalid(`encoded stat of ${node.statBytes.length} bytes at ${node.path}`);
      w.writeRaw(node.statBytes);
    } else {
      StatPersisted.write(w, node.stat);
    }
    count++;
    await stream.maybeFlush();
    if (count % NODES_PER_CLOCK_CHECK === 0) options.onProgress?.({ nodes: count, bytes: stream.bytes + w.offset });
    if (count % NODES_PER_CLOCK_CHECK === 0 && now() - sliceStart >= sliceMs) {
      await yieldToEventLoop();
      sliceStart = now();
    }
  }
  if (count === 0) throw invalid("a snapshot needs at least the root node");
  return count;
}

function writeZxidDigest(w: JuteWriter, digest: ZxidDigest): void {
  w.writeLong(digest.zxid);
  w.writeInt(digest.digestVersion);
  w.writeLong(digest.digest);
}

/** Buffers encoded bytes, writes them in chunks and keeps the running Adler-32 of all of them. */
class SealedStream {
  readonly writer: JuteWriter;
  private readonly checksum = new Adler32();
  bytes = 0;

  constructor(
    private readonly file: StorageFile,
    private readonly chunkBytes: number,
  ) {
    this.writer = new JuteWriter(chunkBytes + 64 * 1024);
  }

  async maybeFlush(): Promise<void> {
    if (this.writer.offset >= this.chunkBytes) await this.flush();
  }

  async flush(): Promise<void> {
    const chunk = this.writer.view();
    if (chunk.length === 0) return;
    this.checksum.update(chunk);
    // The writer's buffer is reused only after this write completes.
    await this.file.writeAt(chunk, this.bytes);
    this.bytes += chunk.length;
    this.writer.reset();
  }

  /** Writes the checksum of everything so far, then "/", as SnapStream.sealStream does. */
  async seal(): Promise<void> {
    await this.flush();
    this.writer.writeLong(this.checksum.digest());
    this.writer.writeUstring(NODE_LIST_END);
  }
}

function invalid(message: string): StorageError {
  return new StorageError(StorageErrorCode.invalidArgument, message);
}
