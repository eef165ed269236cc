import { JuteError } from "./errors.js";
import { JUTE_MAX_BUFFER_DEFAULT } from "./limits.js";

/**
 * Cuts a byte stream into int32-length-prefixed frames. Chunks may be of any size and may end
 * anywhere, including inside a length prefix. A frame that lies whole inside one chunk is
 * handed out as a view without copying; only frames that straddle chunks are assembled.
 */
export class Framer {
  private pending: Buffer[] = [];
  private pendingBytes = 0;

  constructor(readonly frameLengthMax = JUTE_MAX_BUFFER_DEFAULT) {}

  /** Bytes received but not yet part of a whole frame. */
  get buffered(): number {
    return this.pendingBytes;
  }

  /**
   * Feeds one chunk and calls `onFrame` with each whole frame's payload. Throws JuteError on a
   * negative or oversized length; the stream cannot be resynchronised after that.
   */
  push(chunk: Buffer, onFrame: (payload: Buffer) => void): void {
    let buf = chunk;
    if (this.pendingBytes > 0) {
      this.pending.push(chunk);
      this.pendingBytes += chunk.length;
      if (this.pendingBytes < 4) return;
      const length = this.peekLength();
      if (this.pendingBytes < 4 + length) return;
      buf = Buffer.concat(this.pending, this.pendingBytes);
      this.pending = [];
      this.pendingBytes = 0;
    }
    let offset = 0;
    while (buf.length - offset >= 4) {
      const length = this.checkLength(buf.readInt32BE(offset));
      if (buf.length - offset - 4 < length) break;
      onFrame(buf.subarray(offset + 4, offset + 4 + length));
      offset += 4 + length;
    }
    if (offset < buf.length) {
      const rest = buf.subarray(offset);
      this.pending.push(rest);
      this.pendingBytes = rest.length;
      if (rest.length >= 4) this.checkLength(rest.readInt32BE(0));
    }
  }

  private peekLength(): number {
    const first = this.pending[0]!;
    const head = first.length >= 4 ? first : Buffer.concat(this.pending, this.pendingBytes);
    return this.checkLength(head.readInt32BE(0));
  }

  private checkLength(length: number): number {
    if (length < 0 || length > this.frameLengthMax) {
      throw new JuteError(`frame length ${length} out of range 0..${this.frameLengthMax} (jute.maxbuffer)`);
    }
    return length;
  }
}
