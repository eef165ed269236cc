import { FileHeader, JuteWriter } from "@zkts/jute";
import { adler32Update } from "./adler32.js";
import { StorageError, StorageErrorCode } from "./errors.js";
import { FORMAT_VERSION, SNAPSHOT_DBID, SNAPSHOT_MAGIC } from "./log-format.js";
import { NODE_LIST_END, STAT_PERSISTED_BYTES } from "./snapshot-types.js";

/**
 * The snapshot a ZooKeeper leader streams to a learner after a SNAP packet
 * (ZKDatabase.serializeSnapshot): a snapshot file's body without its header, seals or digest:
 * the sessions, the ACL cache, and the nodes up to the "/" path. Nothing gives its length, so
 * a reader finds its end by walking it.
 */

const FILE_HEADER_BYTES = 16;
const SESSION_BYTES = 12;
/** Read as a long: the "/" path that ends the node list, as its length and byte. */
const END_PATH = [0, 0, 0, 1, NODE_LIST_END.charCodeAt(0)];

type Phase = "sessionCount" | "sessions" | "aclCount" | "acls" | "nodes" | "done";

/**
 * Walks a serialized snapshot as its bytes arrive, one whole element (session, ACL list, node)
 * at a time, so every byte is looked at once however the stream is cut.
 */
export class SnapshotStreamScanner {
  private phase: Phase = "sessionCount";
  private remaining = 0;
  /** Bytes of the stream walked so far: the elements before are complete. */
  private at = 0;
  nodes = 0;

  /**
   * `bytes` is the stream so far, from its first byte (or from the point of the last
   * `rebase`). Returns the stream's length once its end has arrived, else null. Throws when
   * the bytes cannot be a snapshot.
   */
  scan(bytes: Buffer): number | null {
    for (;;) {
      switch (this.phase) {
        case "done":
          return this.at;
        case "sessionCount":
        case "aclCount": {
          const count = this.int(bytes, this.at);
          if (count === null) return null;
          if (count < 0) throw corrupt(this.at, `${this.phase === "sessionCount" ? "session" : "ACL list"} count ${count}`);
          this.at += 4;
          this.remaining = count;
          this.phase = this.phase === "sessionCount" ? "sessions" : "acls";
          break;
        }
        case "sessions":
          if (this.remaining === 0) {
            this.phase = "aclCount";
            break;
          }
          if (bytes.length < this.at + SESSION_BYTES) return null;
          this.at += SESSION_BYTES;
          this.remaining--;
          break;
        case "acls": {
          if (this.remaining === 0) {
            this.phase = "nodes";
            break;
          }
          const length = this.aclEntryLength(bytes, this.at);
          if (length === null) return null;
          this.at += length;
          this.remaining--;
          break;
        }
        case "nodes": {
          if (isListEnd(bytes, this.at)) {
            this.at += END_PATH.length;
            this.phase = "done";
            break;
          }
          const length = this.nodeLength(bytes, this.at);
          if (length === null) return null;
          this.at += length;
          this.nodes++;
          break;
        }
      }
    }
  }

  /** Bytes walked so far: the elements in them are complete, the next one has not all arrived. */
  get walked(): number {
    return this.at;
  }

  /** The caller dropped the first `bytes` bytes it had passed to scan(); later offsets count from there. */
  rebase(bytes: number): void {
    this.at -= bytes;
  }

  private int(bytes: Buffer, at: number): number | null {
    return bytes.length < at + 4 ? null : bytes.readInt32BE(at);
  }

  /**
   * The end of a jute string or buffer that starts at `at` (its length field, -1 for null, and
   * its bytes); null while incomplete. Called per node, so it allocates nothing.
   */
  private fieldEnd(bytes: Buffer, at: number, what: string): number | null {
    if (bytes.length < at + 4) return null;
    const length = bytes.readInt32BE(at);
    if (length < -1) throw corrupt(at, `${what} length ${length}`);
    const end = at + 4 + Math.max(length, 0);
    return bytes.length < end ? null : end;
  }

  /** {long id, vector<ACL{int perms, Id{string scheme, string id}}>} */
  private aclEntryLength(bytes: Buffer, start: number): number | null {
    let at: number | null = start + 8;
    const count = this.int(bytes, at);
    if (count === null) return null;
    if (count < -1) throw corrupt(at, `ACL count ${count}`);
    at += 4;
    for (let i = 0; i < count; i++) {
      at = this.fieldEnd(bytes, at + 4, "ACL scheme");
      if (at === null) return null;
      at = this.fieldEnd(bytes, at, "ACL id");
      if (at === null) return null;
    }
    return at - start;
  }

  /** {string path, buffer data, long acl, StatPersisted} */
  private nodeLength(bytes: Buffer, start: number): number | null {
    const pathEnd = this.fieldEnd(bytes, start, "node path");
    if (pathEnd === null) return null;
    const dataEnd = this.fieldEnd(bytes, pathEnd, "node data");
    if (dataEnd === null) return null;
    const end = dataEnd + 8 + STAT_PERSISTED_BYTES;
    return bytes.length < end ? null : end - start;
  }
}

/** Whether the node list's "/" end starts at `at`. */
function isListEnd(bytes: Buffer, at: number): boolean {
  if (bytes.length < at + END_PATH.length) return false;
  for (let i = 0; i < END_PATH.length; i++) if (bytes[at + i] !== END_PATH[i]) return false;
  return true;
}

function corrupt(offset: number, what: string): StorageError {
  return new StorageError(StorageErrorCode.corrupt, `streamed snapshot: ${what} at byte offset ${offset}`);
}

/** The streamed form of a snapshot file's bytes (header, seals and digest left out). */
export function snapshotStreamOfFile(file: Buffer): Buffer {
  const body = file.subarray(FILE_HEADER_BYTES);
  const length = new SnapshotStreamScanner().scan(body);
  if (length === null) throw corrupt(file.length, "the snapshot ends before its node list does");
  return body.subarray(0, length);
}

/** A snapshot file's bytes for a streamed snapshot: the header, the stream, and its seal. */
export function snapshotFileOfStream(stream: Buffer): Buffer {
  const w = new JuteWriter(FILE_HEADER_BYTES + stream.length + 16);
  FileHeader.write(w, { magic: SNAPSHOT_MAGIC, version: FORMAT_VERSION, dbid: SNAPSHOT_DBID });
  w.writeRaw(stream);
  const sealed = w.toBuffer();
  const seal = new JuteWriter(16);
  seal.writeLong(BigInt(adler32Update(1, sealed, 0, sealed.length)));
  seal.writeUstring(NODE_LIST_END);
  return Buffer.concat([sealed, seal.toBuffer()]);
}
