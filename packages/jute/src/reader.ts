import { JuteError } from "./errors.js";
import { JUTE_MAX_BUFFER_DEFAULT } from "./limits.js";

/**
 * Reads jute primitives from a buffer window. Every length read from the wire is checked
 * against the bytes that remain and against `maxBuffer` before anything is allocated.
 */
export class JuteReader {
  offset: number;
  readonly end: number;
  /** `buf` as a DataView, made on the first long: Buffer.readBigInt64BE allocates three bigints a call. */
  private longs: DataView | null = null;

  constructor(
    readonly buf: Buffer,
    offset = 0,
    end = buf.length,
    readonly maxBuffer = JUTE_MAX_BUFFER_DEFAULT,
    /**
     * readBuffer returns views of `buf` instead of copies. Only for a caller that copies what it
     * keeps (the data tree copies values into its arena) and whose `buf` nothing rewrites: a
     * write's value is then copied once, not twice.
     */
    readonly lendsViews = false,
  ) {
    this.offset = offset;
    this.end = end;
  }

  get remaining(): number {
    return this.end - this.offset;
  }

  private need(bytes: number, what: string): void {
    if (this.end - this.offset < bytes) {
      throw new JuteError(`truncated ${what}: need ${bytes} bytes at offset ${this.offset}, ${this.end - this.offset} remain`);
    }
  }

  readInt(): number {
    this.need(4, "int");
    const value = this.buf.readInt32BE(this.offset);
    this.offset += 4;
    return value;
  }

  readLong(): bigint {
    this.need(8, "long");
    this.longs ??= new DataView(this.buf.buffer, this.buf.byteOffset, this.buf.byteLength);
    const value = this.longs.getBigInt64(this.offset);
    this.offset += 8;
    return value;
  }

  readBool(): boolean {
    this.need(1, "boolean");
    return this.buf[this.offset++] !== 0;
  }

  readByte(): number {
    this.need(1, "byte");
    return this.buf[this.offset++]!;
  }

  /**
   * A length-prefixed byte run; −1 is null. The result is a copy, so it outlives the frame,
   * unless this reader lends views.
   */
  readBuffer(): Buffer | null {
    const length = this.readLength("buffer");
    if (length < 0) return null;
    if (this.lendsViews) {
      this.offset += length;
      return this.buf.subarray(this.offset - length, this.offset);
    }
    const out = Buffer.allocUnsafe(length);
    this.buf.copy(out, 0, this.offset, this.offset + length);
    this.offset += length;
    return out;
  }

  readUstring(): string {
    const value = this.readOptUstring();
    if (value === null) throw new JuteError(`null ustring at offset ${this.offset - 4}`);
    return value;
  }

  /**
   * Passes over a ustring with the checks `readUstring` makes, without decoding it: a pass
   * that only checks a structure makes no string.
   */
  skipUstring(): void {
    const length = this.readLength("ustring");
    if (length < 0) throw new JuteError(`null ustring at offset ${this.offset - 4}`);
    this.offset += length;
  }

  /** Passes over a long with the checks `readLong` makes, without making a bigint. */
  skipLong(): void {
    this.need(8, "long");
    this.offset += 8;
  }

  readOptUstring(): string | null {
    const length = this.readLength("ustring");
    if (length < 0) return null;
    const value = this.buf.toString("utf8", this.offset, this.offset + length);
    this.offset += length;
    return value;
  }

  /** Reads a vector count; −1 is a null vector. The count is bounded by the bytes left. */
  readVectorCount(elementSizeMin: number): number {
    const count = this.readInt();
    if (count < -1) throw new JuteError(`negative vector count ${count} at offset ${this.offset - 4}`);
    if (count > 0 && count * elementSizeMin > this.remaining) {
      throw new JuteError(`vector count ${count} exceeds the ${this.remaining} bytes left at offset ${this.offset - 4}`);
    }
    return count;
  }

  private readLength(what: string): number {
    const length = this.readInt();
    if (length === -1) return -1;
    if (length < -1) throw new JuteError(`negative ${what} length ${length} at offset ${this.offset - 4}`);
    if (length > this.maxBuffer) {
      throw new JuteError(`${what} length ${length} exceeds jute.maxbuffer ${this.maxBuffer}`);
    }
    this.need(length, what);
    return length;
  }
}
