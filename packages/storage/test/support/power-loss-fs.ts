import { basename, dirname } from "node:path";
import type { OpenMode, StorageFile, StorageFs } from "../../src/index.js";

/**
 * An in-memory file system that knows what is durable. Writes land in the page cache; an
 * fdatasync makes a file's content durable and a directory sync makes its entries durable.
 * `crash()` returns what a power cut leaves: durable state plus, for each file, an in-order
 * prefix of the writes not yet synced, the last of them cut at a sector boundary (writeback
 * in order, a torn final write). Only the operations storage uses are modelled.
 */
const SECTOR_BYTES = 512;

interface Inode {
  live: Buffer;
  durable: Buffer;
  /** Writes and truncations since the last sync, in order. */
  pending: ({ kind: "write"; position: number; bytes: Buffer } | { kind: "truncate"; length: number })[];
}

export class PowerLossFs implements StorageFs {
  private readonly live = new Map<string, Inode>();
  private readonly durable = new Map<string, Inode>();
  private readonly dirs = new Set<string>();

  async open(path: string, mode: OpenMode): Promise<StorageFile> {
    let inode = this.live.get(path);
    if (mode === "createNew") {
      if (inode !== undefined) throw errno("EEXIST", path);
      if (!this.dirs.has(dirname(path))) throw errno("ENOENT", path);
      inode = { live: Buffer.alloc(0), durable: Buffer.alloc(0), pending: [] };
      this.live.set(path, inode);
    }
    if (inode === undefined) throw errno("ENOENT", path);
    const node = inode;
    return {
      writeAt: async (bytes, position) => {
        const copy = Buffer.from(bytes);
        node.live = writeInto(node.live, copy, position);
        node.pending.push({ kind: "write", position, bytes: copy });
      },
      readAt: async (into, position, length) => {
        const n = Math.max(0, Math.min(length, node.live.length - position));
        node.live.copy(into, 0, position, position + n);
        return n;
      },
      datasync: async () => {
        node.durable = Buffer.from(node.live);
        node.pending = [];
      },
      truncate: async (length) => {
        node.live = resize(node.live, length);
        node.pending.push({ kind: "truncate", length });
      },
      size: async () => node.live.length,
      close: async () => undefined,
    };
  }

  async readFile(path: string): Promise<Buffer> {
    const inode = this.live.get(path);
    if (inode === undefined) throw errno("ENOENT", path);
    return Buffer.from(inode.live);
  }

  async list(dir: string): Promise<string[]> {
    return [...this.live.keys()].filter((p) => dirname(p) === dir).map((p) => basename(p));
  }

  async mkdirp(dir: string): Promise<void> {
    // Directories themselves are treated as durable once made; their entries are not.
    for (let d = dir; !this.dirs.has(d) && d !== dirname(d); d = dirname(d)) this.dirs.add(d);
  }

  async rename(from: string, to: string): Promise<void> {
    const inode = this.live.get(from);
    if (inode === undefined) throw errno("ENOENT", from);
    this.live.delete(from);
    this.live.set(to, inode);
  }

  async unlink(path: string): Promise<void> {
    if (!this.live.delete(path)) throw errno("ENOENT", path);
  }

  async syncDir(dir: string): Promise<void> {
    for (const path of [...this.durable.keys()]) if (dirname(path) === dir) this.durable.delete(path);
    for (const [path, inode] of this.live) if (dirname(path) === dir) this.durable.set(path, inode);
  }

  /** The file system as a power cut at this instant leaves it. */
  crash(random: () => number): PowerLossFs {
    const after = new PowerLossFs();
    for (const d of this.dirs) after.dirs.add(d);
    // An entry not yet made durable by a directory sync may or may not have reached disk.
    const names = new Map(this.durable);
    for (const [path, inode] of this.live) if (!names.has(path) && random() < 0.5) names.set(path, inode);
    for (const [path, inode] of names) {
      let content: Buffer = Buffer.from(inode.durable);
      const kept = Math.floor(random() * (inode.pending.length + 1));
      for (let i = 0; i < kept; i++) {
        const op = inode.pending[i]!;
        if (op.kind === "truncate") {
          content = resize(content, op.length);
          continue;
        }
        const last = i === kept - 1;
        const sectors = Math.ceil(op.bytes.length / SECTOR_BYTES);
        const length = last ? Math.min(op.bytes.length, Math.floor(random() * (sectors + 1)) * SECTOR_BYTES) : op.bytes.length;
        content = writeInto(content, op.bytes.subarray(0, length), op.position);
      }
      after.live.set(path, { live: content, durable: Buffer.from(content), pending: [] });
      after.durable.set(path, after.live.get(path)!);
    }
    return after;
  }
}

function writeInto(target: Buffer, bytes: Buffer, position: number): Buffer {
  const out = target.length >= position + bytes.length ? target : resize(target, position + bytes.length);
  bytes.copy(out, position);
  return out;
}

function resize(target: Buffer, length: number): Buffer {
  const out = Buffer.alloc(length);
  target.copy(out, 0, 0, Math.min(length, target.length));
  return out;
}

function errno(code: string, path: string): NodeJS.ErrnoException {
  const err = new Error(`${code}: ${path}`) as NodeJS.ErrnoException;
  err.code = code;
  return err;
}
