/**
 * Writes jute primitives into one growable buffer that is reused across records, so encoding
 * allocates only when the buffer has to grow. Frames are written in place: `beginFrame`
 * reserves the int32 length and `endFrame` fills it in.
 */
export class JuteWriter {
  offset = 0;
  private frameStart = -1;
  private buffer: Buffer;
  /**
   * `buf` as a DataView, made on the first long: Buffer.writeBigInt64BE splits the value into
   * two halves with bigint arithmetic, which allocates on every call; DataView's writer does not.
   */
  private longs: DataView | null = null;

  constructor(initialSize = 4096) {
    this.buffer = Buffer.allocUnsafe(initialSize);
  }

  /** The buffer written into; a caller may hand the writer another one (the snapshot writer recycles them). */
  get buf(): Buffer {
    return this.buffer;
  }

  set buf(buffer: Buffer) {
    this.buffer = buffer;
    this.longs = null;
  }

  reset(): void {
    this.offset = 0;
    this.frameStart = -1;
  }

  /** A copy of what was written, safe to keep after the writer is reused. */
  toBuffer(): Buffer {
    return Buffer.from(this.buf.subarray(0, this.offset));
  }

  /** A view of what was written; valid only until the writer is written to again. */
  view(): Buffer {
    return this.buf.subarray(0, this.offset);
  }

  ensure(bytes: number): void {
    const needed = this.offset + bytes;
    if (needed <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < needed) size *= 2;
    const grown = Buffer.allocUnsafe(size);
    this.buf.copy(grown, 0, 0, this.offset);
    this.buf = grown;
  }

  beginFrame(): void {
    this.ensure(4);
    this.frameStart = this.offset;
    this.offset += 4;
  }

  /** Fills in the length of the frame begun last and returns its payload length. */
  endFrame(): number {
    const length = this.offset - this.frameStart - 4;
    this.buf.writeInt32BE(length, this.frameStart);
    this.frameStart = -1;
    return length;
  }

  writeInt(value: number): void {
    this.ensure(4);
    this.buf.writeInt32BE(value, this.offset);
    this.offset += 4;
  }

  writeLong(value: bigint): void {
    this.ensure(8);
    this.longs ??= new DataView(this.buffer.buffer, this.buffer.byteOffset, this.buffer.byteLength);
    this.longs.setBigInt64(this.offset, value);
    this.offset += 8;
  }

  writeBool(value: boolean): void {
    this.ensure(1);
    this.buf[this.offset++] = value ? 1 : 0;
  }

  writeByte(value: number): void {
    this.ensure(1);
    this.buf[this.offset++] = value;
  }

  writeBuffer(value: Uint8Array | null): void {
    if (value === null) {
      this.writeInt(-1);
      return;
    }
    this.ensure(4 + value.length);
    this.buf.writeInt32BE(value.length, this.offset);
    this.buf.set(value, this.offset + 4);
    this.offset += 4 + value.length;
  }

  writeUstring(value: string | null): void {
    if (value === null) {
      this.writeInt(-1);
      return;
    }
    // Strings are nearly always ASCII paths; reserve the worst case and write once.
    this.ensure(4 + value.length * 3);
    const written = this.buf.write(value, this.offset + 4, "utf8");
    this.buf.writeInt32BE(written, this.offset);
    this.offset += 4 + written;
  }

  /** Raw bytes with no length prefix (already-encoded records, for example). */
  writeRaw(value: Uint8Array): void {
    this.ensure(value.length);
    this.buf.set(value, this.offset);
    this.offset += value.length;
  }
}
