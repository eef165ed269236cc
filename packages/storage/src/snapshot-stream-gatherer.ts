import { FileHeader, JuteWriter } from "@zkts/jute";
import { adler32Update } from "./adler32.js";
import { FILE_HEADER_BYTES, FORMAT_VERSION, SNAPSHOT_DBID, SNAPSHOT_MAGIC } from "./log-format.js";
import { SnapshotStreamScanner } from "./snapshot-stream.js";
import { NODE_LIST_END } from "./snapshot-types.js";

/** The seal after the stream: the Adler-32 as a long, then the ustring "/". */
const SEAL_BYTES = 8 + 4 + NODE_LIST_END.length;
const NOTHING = Buffer.alloc(0);

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
    // Only an element cut by the end of the last chunk is joined to this one.
    const bytes = this.pending.length === 0 ? chunk : Buffer.concat([this.pending, chunk]);
    const streamLength = this.scanner.scan(bytes);
    const whole = streamLength ?? this.scanner.walked;
    if (whole > 0) {
      const part = bytes.subarray(0, whole);
      this.checksum = adler32Update(this.checksum, part);
      this.parts.push(part);
      this.partsLength += whole;
      this.scanner.rebase(whole);
    }
    if (streamLength === null) {
      this.pending = bytes.subarray(whole);
      return null;
    }
    this.ended = true;
    this.pending = NOTHING;
    return bytes.subarray(streamLength);
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
