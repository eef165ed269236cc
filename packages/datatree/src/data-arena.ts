import { copyBytes } from "./copy-bytes.js";
/**
 * Znode data packed into large shared chunks instead of one Buffer per znode: a Buffer object
 * costs about 100 bytes of heap on top of its bytes, as much as the 100-byte values it would
 * hold. Data is appended and never overwritten, so a view handed out by `view()` keeps showing
 * the bytes it was made for even after the znode changes; freed bytes are only counted, and
 * `needsCompaction()` tells the owner when copying the live data into fresh chunks pays.
 *
 * A position is `chunkIndex * 2^32 + offset`, exact in a double.
 */
const CHUNK_BYTES = 4 * 1024 * 1024;
/** Values at least this long get a chunk of their own, dropped as soon as the value is freed. */
const OWN_CHUNK_BYTES = 256 * 1024;
const CHUNK_STRIDE = 2 ** 32;
/** Compaction waits until this many bytes are dead, and until more are dead than alive. */
const COMPACT_DEAD_BYTES_MIN = 32 * 1024 * 1024;

export interface DataArenaOptions {
  /** Size of the shared chunks (tests make it small to cross chunk boundaries). */
  chunkBytes?: number;
  /** Dead bytes needed before compaction is worth it. */
  compactDeadBytesMin?: number;
}

export class DataArena {
  private readonly chunkBytes: number;
  private readonly ownChunkBytes: number;
  private readonly compactDeadBytesMin: number;
  private chunks: (Buffer | undefined)[] = [];
  /** Chunks holding one value each; freeing it drops the chunk. */
  private readonly ownChunks = new Set<number>();
  private current = -1;
  private used: number;
  private liveBytes = 0;
  private deadBytes = 0;

  constructor(readonly options: DataArenaOptions = {}) {
    this.chunkBytes = options.chunkBytes ?? CHUNK_BYTES;
    this.ownChunkBytes = Math.min(OWN_CHUNK_BYTES, this.chunkBytes);
    this.compactDeadBytesMin = options.compactDeadBytesMin ?? COMPACT_DEAD_BYTES_MIN;
    this.used = this.chunkBytes;
  }

  /**
   * Copies `length` bytes of `source` from `start` into the arena and returns their position.
   * No view of the source is made, so a snapshot load leaves no garbage behind per znode.
   */
  store(source: Buffer, start: number, length: number): number {
    const position = this.allocate(length);
    const chunk = this.chunks[Math.floor(position / CHUNK_STRIDE)]!;
    copyBytes(source, start, chunk, position % CHUNK_STRIDE, length);
    return position;
  }

  /** A view of stored bytes; it stays valid for as long as it is held. */
  view(position: number, length: number): Buffer {
    const chunk = this.chunks[Math.floor(position / CHUNK_STRIDE)]!;
    const offset = position % CHUNK_STRIDE;
    return chunk.subarray(offset, offset + length);
  }

  /** The chunk holding a position, for reading stored bytes without a view (see `offsetOf`). */
  chunkAt(position: number): Buffer {
    return this.chunks[Math.floor(position / CHUNK_STRIDE)]!;
  }

  offsetOf(position: number): number {
    return position % CHUNK_STRIDE;
  }

  free(position: number, length: number): void {
    this.liveBytes -= length;
    const index = Math.floor(position / CHUNK_STRIDE);
    if (this.ownChunks.delete(index)) {
      this.chunks[index] = undefined;
      return;
    }
    this.deadBytes += length;
  }

  needsCompaction(): boolean {
    return this.deadBytes >= this.compactDeadBytesMin && this.deadBytes > this.liveBytes;
  }

  /** Bytes held by chunks, live or dead (what the arena costs). */
  get reservedBytes(): number {
    let total = 0;
    for (const chunk of this.chunks) total += chunk?.length ?? 0;
    return total;
  }

  get storedBytes(): number {
    return this.liveBytes;
  }

  private allocate(length: number): number {
    this.liveBytes += length;
    if (length >= this.ownChunkBytes) {
      const index = this.chunks.length;
      this.chunks.push(Buffer.allocUnsafeSlow(length));
      this.ownChunks.add(index);
      return index * CHUNK_STRIDE;
    }
    if (this.used + length > this.chunkBytes) {
      this.current = this.chunks.length;
      this.chunks.push(Buffer.allocUnsafeSlow(this.chunkBytes));
      this.used = 0;
    }
    const position = this.current * CHUNK_STRIDE + this.used;
    this.used += length;
    return position;
  }
}
