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
  FileHeader.write(stream.writer, { magic: SNAPSHOT_MAGIC, version: FORMAT_VERSION, dbid: SNAPSHOT_DBID });
  const nodes = await encodeBody(source, stream, options);
  await stream.seal();
  const digest = typeof source.digest === "function" ? source.digest() : source.digest;
  if (digest) {
    writeZxidDigest(stream.writer, digest);
    await stream.seal();
  }
  await stream.flush();
  return { bytes: stream.bytes, nodes };
}

/**
 * Encodes `source` as a ZooKeeper leader streams it after a SNAP packet: a snapshot file's body
 * without its header, seals or digest (see snapshot-stream.ts). Each chunk goes to `write` as
 * it fills and stays untouched until `write` calls `release` (a socket, once it has sent it);
 * a released chunk's buffer takes a later chunk, so a long stream reuses a few buffers rather
 * than touching fresh memory for all of it. Encoding yields to the event loop between slices
 * as writeSnapshot's does, which lets the chunks leave meanwhile.
 */
export async function encodeSnapshotStream(
  source: SnapshotSource,
  write: (chunk: Buffer, release: () => void) => void,
  options: Pick<WriteSnapshotOptions, "chunkBytes" | "sliceMs" | "now"> = {},
): Promise<{ bytes: number; nodes: number }> {
  const stream = new HandedOverChunks(write, options.chunkBytes ?? CHUNK_BYTES_DEFAULT);
  const nodes = await encodeBody(source, stream, { dataDir: "", zxid: 0n, ...options });
  stream.flush();
  return { bytes: stream.bytes, nodes };
}

/** Sessions, the ACL cache and the node list up to its "/" end: what the file and the stream share. */
async function encodeBody(source: SnapshotSource, stream: ChunkedOutput, options: WriteSnapshotOptions): Promise<number> {
  const w = stream.writer;
  w.writeInt(source.sessions.size);
  for (const [id, timeout] of source.sessions) {
    w.writeLong(id);
    w.writeInt(timeout);
    if (stream.full) await stream.flush();
  }
  w.writeInt(source.acls.size);
  for (const [ref, acls] of source.acls) {
    w.writeLong(ref);
    w.writeInt(acls.length);
    for (const acl of acls) ACL.write(w, acl);
    if (stream.full) await stream.flush();
  }
  const nodes = await encodeNodes(source.nodes, stream, options);
  w.writeUstring(NODE_LIST_END);
  return nodes;
}

async function encodeNodes(
  nodes: Iterable<SnapshotNode | EncodedSnapshotNode> | AsyncIterable<SnapshotNode | EncodedSnapshotNode>,
  stream: ChunkedOutput,
  options: WriteSnapshotOptions,
): Promise<number> {
  const now = options.now ?? (() => performance.now());
  const sliceMs = options.sliceMs ?? SLICE_MS_DEFAULT;
  let count = 0;
  let sliceStart = now();
  const encode = (node: SnapshotNode | EncodedSnapshotNode): void => {
    encodeNode(stream.writer, node, count);
    count++;
    if (count % NODES_PER_CLOCK_CHECK === 0) options.onProgress?.({ nodes: count, bytes: stream.bytes + stream.writer.offset });
  };
  // Only a full chunk or a spent slice is awaited: a promise per node would cost more than
  // encoding it, so a synchronous source (the live tree) is walked without one.
  const pauseDue = (): boolean => stream.full || (count % NODES_PER_CLOCK_CHECK === 0 && now() - sliceStart >= sliceMs);
  const pause = async (): Promise<void> => {
    if (stream.full) await stream.flush();
    if (now() - sliceStart >= sliceMs) {
      await yieldToEventLoop();
      sliceStart = now();
    }
  };
  if (Symbol.asyncIterator in nodes) {
    for await (const node of nodes) {
      encode(node);
      if (pauseDue()) await pause();
    }
  } else {
    for (const node of nodes) {
      encode(node);
      if (pauseDue()) await pause();
    }
  }
  if (count === 0) throw invalid("a snapshot needs at least the root node");
  return count;
}

/** One node: the root (the first, `index` 0) is written under the path "". */
function encodeNode(w: JuteWriter, node: SnapshotNode | EncodedSnapshotNode, index: number): void {
  const path = index === 0 && node.path === "/" ? "" : node.path;
  if (index === 0 && path !== "") throw invalid(`the first node must be the root, got "${node.path}"`);
  if (index > 0 && (path === "" || path === NODE_LIST_END)) throw invalid(`root path "${node.path}" seen twice`);
  w.writeUstring(path);
  w.writeBuffer(node.data);
  w.writeLong(node.acl);
  if ("statBytes" in node) {
    if (node.statBytes.length !== STAT_PERSISTED_BYTES) throw invalid(`encoded stat of ${node.statBytes.length} bytes at ${node.path}`);
    w.writeRaw(node.statBytes);
  } else {
    StatPersisted.write(w, node.stat);
  }
}

function writeZxidDigest(w: JuteWriter, digest: ZxidDigest): void {
  w.writeLong(digest.zxid);
  w.writeInt(digest.digestVersion);
  w.writeLong(digest.digest);
}

/** Encoded bytes gathered in a writer and handed on a chunk at a time. */
interface ChunkedOutput {
  readonly writer: JuteWriter;
  /** Bytes handed on so far. */
  readonly bytes: number;
  /** A chunk's worth is gathered: time to flush. */
  readonly full: boolean;
  flush(): Promise<void> | void;
}

/** Buffers encoded bytes, writes them in chunks and keeps the running Adler-32 of all of them. */
class SealedStream implements ChunkedOutput {
  readonly writer: JuteWriter;
  private readonly checksum = new Adler32();
  bytes = 0;

  constructor(
    private readonly file: StorageFile,
    private readonly chunkBytes: number,
  ) {
    this.writer = new JuteWriter(chunkBytes + 64 * 1024);
  }

  get full(): boolean {
    return this.writer.offset >= this.chunkBytes;
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

/** Hands each chunk over whole and starts the next in a released buffer, or a new one. */
class HandedOverChunks implements ChunkedOutput {
  readonly writer: JuteWriter;
  bytes = 0;
  private readonly released: Buffer[] = [];

  constructor(
    private readonly write: (chunk: Buffer, release: () => void) => void,
    private readonly chunkBytes: number,
  ) {
    this.writer = new JuteWriter(chunkBytes + 64 * 1024);
  }

  get full(): boolean {
    return this.writer.offset >= this.chunkBytes;
  }

  flush(): void {
    const chunk = this.writer.view();
    if (chunk.length === 0) return;
    const buffer = this.writer.buf;
    this.writer.buf = this.released.pop() ?? Buffer.allocUnsafe(buffer.length);
    this.writer.reset();
    this.bytes += chunk.length;
    let released = false;
    this.write(chunk, () => {
      if (released) return;
      released = true;
      this.released.push(buffer);
    });
  }
}

function invalid(message: string): StorageError {
  return new StorageError(StorageErrorCode.invalidArgument, message);
}
