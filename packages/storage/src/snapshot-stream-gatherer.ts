import { FileHeader, JuteWriter } from "@zkts/jute";
import { adler32Update } from "./adler32.js";
import { FILE_HEADER_BYTES, FORMAT_VERSION, SNAPSHOT_DBID, SNAPSHOT_MAGIC } from "./log-format.js";
import { SnapshotStreamScanner } from "./snapshot-stream.js";
import { NODE_LIST_END } from "./snapshot-types.js";

/** The seal after the stream: the Adler-32 as a long, then the ustring "/". */
const SEAL_BYTES = 8 + 4 + NODE_LIST_END.length;
const NOTHING = Buffer.alloc(0);
/** Bytes of a chunk joined to an element the last one cut: more than most nodes take. */
const JOIN_BYTES = 4096;

/**
 * Gathers a streamed snapshot (see snapshot-stream.ts) as its bytes arrive and makes it a
 * snapshot file once it ends. The bytes stay in the pieces they arrived in until then, and the
 * seal's checksum is summed as they come, while the sender is still encoding the rest: the
 * file is the only copy of the tree made, written once at its final size (a buffer grown as
 * bytes arrive would copy and touch fresh memory several times over).
 */
export class SnapshotStreamGatherer {
  private readonly header: Buffer;
  /** The stream so far, cut where elements (sessions, ACL lists, nodes) end. */
  private readonly parts: Buffer[] = [];
  private partsLength = 0;
  /** Bytes of an element that has not all arrived yet. */
  private pending: Buffer = NOTHING;
  private readonly scanner = new SnapshotStreamScanner();
  /** The Adler-32 of the header and the parts. */
  private checksum: number;
  private ended = false;

  constructor() {
    const header = new JuteWriter(FILE_HEADER_BYTES);
    FileHeader.write(header, { magic: SNAPSHOT_MAGIC, version: FORMAT_VERSION, dbid: SNAPSHOT_DBID });
    this.header = header.toBuffer();
    this.checksum = adler32Update(1, this.header);
  }

  /** Nodes walked so far. */
  get nodes(): number {
    return this.scanner.nodes;
  }

  /**
   * Takes the next bytes, which are kept as they are (not copied) until the file is made.
   * Returns null while the stream goes on; once it has ended, the bytes that arrived after it.
   * Throws when the bytes cannot be a snapshot.
   */
  push(chunk: Buffer): Buffer | null {
    if (this.ended) throw new Error("the streamed snapshot has already ended");
    let input = chunk;
    for (;;) {
      if (this.pending.length === 0) {
        const { whole, end } = this.take(input);
        if (end !== null) return this.finish(input.subarray(end));
        this.pending = input.subarray(whole);
        return null;
      }
      // An element was cut by the end of the last chunk: it is completed from the head of this
      // one, the only bytes copied; the rest of the chunk is walked where it lies.
      const headLength = Math.min(input.length, Math.max(JOIN_BYTES, this.pending.length));
      const joined = Buffer.concat([this.pending, input.subarray(0, headLength)]);
      const { whole, end } = this.take(joined);
      if (end !== null) return this.finish(Buffer.concat([joined.subarray(end), input.subarray(headLength)]));
      if (whole === 0) {
        // Longer than the head: the next head is at least as long as what is gathered, so a
        // large element is copied a bounded number of times over.
        this.pending = joined;
        input = input.subarray(headLength);
        if (input.length === 0) return null;
        continue;
      }
      // The cut element and maybe a few after it are whole; the walk goes on in the chunk.
      input = input.subarray(whole - this.pending.length);
      this.pending = NOTHING;
      if (input.length === 0) return null;
    }
  }

  /** Walks `bytes`, which start where the last whole element ended, and keeps the whole elements in them. */
  private take(bytes: Buffer): { whole: number; end: number | null } {
    const end = this.scanner.scan(bytes);
    const whole = end ?? this.scanner.walked;
    if (whole > 0) {
      const part = bytes.subarray(0, whole);
      this.checksum = adler32Update(this.checksum, part);
      this.parts.push(part);
      this.partsLength += whole;
      this.scanner.rebase(whole);
    }
    return { whole, end };
  }

  private finish(after: Buffer): Buffer {
    this.ended = true;
    this.pending = NOTHING;
    return after;
  }

  /** The snapshot file the stream makes: the header, the stream, and its seal. Once push() returned. */
  file(): Buffer {
    if (!this.ended) throw new Error("the streamed snapshot has not ended");
    const seal = new JuteWriter(SEAL_BYTES);
    seal.writeLong(BigInt(this.checksum));
    seal.writeUstring(NODE_LIST_END);
    return Buffer.concat([this.header, ...this.parts, seal.view()], FILE_HEADER_BYTES + this.partsLength + SEAL_BYTES);
  }
}
