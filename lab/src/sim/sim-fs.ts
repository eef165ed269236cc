import { basename, dirname } from "node:path";
import type { OpenMode, StorageFile, StorageFs } from "@zkts/storage";
import type { SimRandom } from "./random.js";

const SECTOR_BYTES = 512;

/** Thrown by every file operation of a simulated machine that has lost power, until it restarts. */
export class SimCrash extends Error {
  override readonly name = "SimCrash";
}

/**
 * One file's bytes: what reads see (the page cache) and what the device holds, with the
 * writes and truncations not yet synced, in the order they were made.
 */
interface Inode {
  live: Buffer;
  durable: Buffer;
  pending: DataChange[];
}

type DataChange = { kind: "write"; position: number; bytes: Buffer } | { kind: "truncate"; length: number };

/** Directory entries one operation changed together (a rename sets one and removes the other): null removes. */
type EntryChange = readonly (readonly [path: string, inode: Inode | null])[];

/** What crashes and restarts have cost, for a run's statistics. */
export interface SimFsStats {
  /** Unsynced writes or truncations that did not survive a crash. */
  lostChanges: number;
  /** Writes that reached the device only in part. */
  tornWrites: number;
  /** Unsynced directory changes (a create, rename or unlink) that did not survive a crash. */
  lostEntryChanges: number;
  fsyncFailures: number;
}

/**
 * A member's disk for the simulation, behind storage's `StorageFs` seam, so the real log
 * appender, snapshot writer and recovery run over it (TigerBeetle's simulator does the same).
 * Operations complete at once, so the simulation's schedule alone orders them. The fault model:
 * - A write lands in the page cache; `datasync` makes that file's bytes durable, `syncDir`
 *   makes a directory's entries (files created, renamed, removed) durable. Nothing else does.
 * - A crash (`powerCut`, or an armed `crashAfter`) stops the machine: every operation throws
 *   SimCrash until `restart`, which keeps the durable state plus, for each file, an in-order
 *   prefix of its unsynced changes with the last write cut at a sector boundary, and for each
 *   directory an in-order prefix of its unsynced entry changes (a journal replays metadata in
 *   order; a rename is one change). A crash that hits a write tears that write.
 * - An armed `failSync` makes the next fsync fail with EIO (and the machine counts as
 *   faulted): after that nothing says what reached the device, so the server must stop, as
 *   ZooKeeper does; its unsynced changes then survive a crash only as any others might.
 * Directories themselves are durable once made, and only the operations storage uses exist.
 */
export class SimFs implements StorageFs {
  private liveEntries = new Map<string, Inode>();
  private durableEntries = new Map<string, Inode>();
  private pendingEntries = new Map<string, EntryChange[]>();
  private readonly dirs = new Set<string>();
  /** Files opened before the last crash belong to a process that is gone. */
  private generation = 0;
  private changesUntilCrash: number | null = null;
  private syncFailureArmed = false;
  /** Powered off: a crash happened and the machine has not restarted. */
  down = false;
  /** An fsync failed since the last restart: what is on the device is unknown. */
  syncFailed = false;
  readonly stats: SimFsStats = { lostChanges: 0, tornWrites: 0, lostEntryChanges: 0, fsyncFailures: 0 };

  constructor(private readonly random: SimRandom) {}

  /** True once a crash or an fsync failure means the process using this disk must stop. */
  get faulted(): boolean {
    return this.down || this.syncFailed;
  }

  /** A crash or fsync failure is armed and has not happened yet. */
  get armed(): boolean {
    return this.changesUntilCrash !== null || this.syncFailureArmed;
  }

  /** The machine loses power on the `changes`+1-th change from now (a write, sync, truncate, rename, unlink, or create). */
  crashAfter(changes: number): void {
    this.changesUntilCrash = changes;
  }

  /** The next fsync (of a file or a directory) fails with EIO. */
  failSync(): void {
    this.syncFailureArmed = true;
  }

  /** Disarms a crash or fsync failure that has not happened yet. */
  disarm(): void {
    this.changesUntilCrash = null;
    this.syncFailureArmed = false;
  }

  /** The machine loses power now. */
  powerCut(): void {
    this.down = true;
    this.disarm();
  }

  /**
   * Starts a new process on the machine: files opened before belong to the one that is gone.
   * After a power cut or a failed fsync the machine comes back with what the device held (see
   * the class comment); after a plain process crash the page cache survives.
   */
  restart(): void {
    this.generation++;
    if (!this.faulted) return;
    for (const [dir, changes] of this.pendingEntries) {
      const kept = this.random.between(0, changes.length);
      this.stats.lostEntryChanges += changes.length - kept;
      for (const change of changes.slice(0, kept)) applyEntryChange(this.durableEntries, change);
      this.pendingEntries.delete(dir);
    }
    const survivors = new Map<Inode, Inode>();
    const entries = new Map<string, Inode>();
    for (const [path, inode] of this.durableEntries) {
      let survivor = survivors.get(inode);
      if (survivor === undefined) {
        const bytes = this.contentAfterCrash(inode);
        survivor = { live: bytes, durable: Buffer.from(bytes), pending: [] };
        survivors.set(inode, survivor);
      }
      entries.set(path, survivor);
    }
    this.liveEntries = entries;
    this.durableEntries = new Map(entries);
    this.down = false;
    this.syncFailed = false;
    this.disarm();
  }

  /** What a file holds after a crash: its durable bytes, then an in-order prefix of its unsynced changes, the last write possibly cut. */
  private contentAfterCrash(inode: Inode): Buffer {
    let content: Buffer = Buffer.from(inode.durable);
    const kept = this.random.between(0, inode.pending.length);
    this.stats.lostChanges += inode.pending.length - kept;
    for (let i = 0; i < kept; i++) {
      const change = inode.pending[i]!;
      if (change.kind === "truncate") {
        content = resized(content, change.length);
        continue;
      }
      let bytes: Buffer = change.bytes;
      if (i === kept - 1 && this.random.chance(0.5)) {
        bytes = bytes.subarray(0, this.tornLength(change.position, bytes.length));
        if (bytes.length < change.bytes.length) this.stats.tornWrites++;
      }
      content = writtenInto(content, bytes, change.position);
    }
    return content;
  }

  /**
   * How much of a write of `length` bytes at `position` a crash leaves: whole sectors from its
   * start, fewer than all of them (a sector itself is written whole, as devices promise).
   */
  private tornLength(position: number, length: number): number {
    const cuts = [0];
    for (let b = (Math.floor(position / SECTOR_BYTES) + 1) * SECTOR_BYTES; b < position + length; b += SECTOR_BYTES) cuts.push(b - position);
    return this.random.pick(cuts);
  }

  // ---- StorageFs -----------------------------------------------------------------------------

  async open(path: string, mode: OpenMode): Promise<StorageFile> {
    let inode = this.liveEntries.get(path);
    if (mode === "createNew") {
      this.change();
      if (inode !== undefined) throw errno("EEXIST", path);
      if (!this.dirs.has(dirname(path))) throw errno("ENOENT", path);
      inode = { live: Buffer.alloc(0), durable: Buffer.alloc(0), pending: [] };
      this.changeEntries(dirname(path), [[path, inode]]);
    } else {
      this.read();
    }
    if (inode === undefined) throw errno("ENOENT", path);
    return this.handle(inode);
  }

  private handle(node: Inode): StorageFile {
    const generation = this.generation;
    const alive = (): void => {
      if (generation !== this.generation) throw new SimCrash("a file opened before the crash");
    };
    return {
      writeAt: async (bytes, position) => {
        alive();
        this.change(() => {
          // The crash hits during this write: some of its bytes may reach the page cache.
          const torn = Buffer.from(bytes.subarray(0, this.tornLength(position, bytes.length)));
          if (torn.length > 0) write(node, torn, position);
        });
        write(node, Buffer.from(bytes), position);
      },
      readAt: async (into, position, length) => {
        alive();
        this.read();
        const n = Math.max(0, Math.min(length, node.live.length - position));
        node.live.copy(into, 0, position, position + n);
        return n;
      },
      datasync: async () => {
        alive();
        this.sync(`datasync`);
        node.durable = Buffer.from(node.live);
        node.pending = [];
      },
      truncate: async (length) => {
        alive();
        this.change();
        node.live = resized(node.live, length);
        node.pending.push({ kind: "truncate", length });
      },
      size: async () => {
        alive();
        this.read();
        return node.live.length;
      },
      close: async () => undefined,
    };
  }

  async readFile(path: string): Promise<Buffer> {
    this.read();
    const inode = this.liveEntries.get(path);
    if (inode === undefined) throw errno("ENOENT", path);
    return Buffer.from(inode.live);
  }

  async list(dir: string): Promise<string[]> {
    this.read();
    return [...this.liveEntries.keys()].filter((path) => dirname(path) === dir).map((path) => basename(path));
  }

  async mkdirp(dir: string): Promise<void> {
    this.read();
    for (let d = dir; !this.dirs.has(d) && d !== dirname(d); d = dirname(d)) this.dirs.add(d);
  }

  async rename(from: string, to: string): Promise<void> {
    this.change();
    const inode = this.liveEntries.get(from);
    if (inode === undefined) throw errno("ENOENT", from);
    if (!this.dirs.has(dirname(to))) throw errno("ENOENT", to);
    if (dirname(from) === dirname(to)) {
      this.changeEntries(dirname(to), [
        [from, null],
        [to, inode],
      ]);
    } else {
      this.changeEntries(dirname(to), [[to, inode]]);
      this.changeEntries(dirname(from), [[from, null]]);
    }
  }

  async unlink(path: string): Promise<void> {
    this.change();
    if (!this.liveEntries.has(path)) throw errno("ENOENT", path);
    this.changeEntries(dirname(path), [[path, null]]);
  }

  async syncDir(dir: string): Promise<void> {
    this.sync("syncDir");
    for (const change of this.pendingEntries.get(dir) ?? []) applyEntryChange(this.durableEntries, change);
    this.pendingEntries.delete(dir);
  }

  // ---- faults --------------------------------------------------------------------------------

  private read(): void {
    if (this.down) throw new SimCrash("the machine is down");
  }

  /** Every change counts down an armed crash; `torn` applies what reaches the cache of the change the crash interrupts. */
  private change(torn?: () => void): void {
    this.read();
    if (this.changesUntilCrash === null) return;
    if (this.changesUntilCrash > 0) {
      this.changesUntilCrash--;
      return;
    }
    torn?.();
    this.powerCut();
    throw new SimCrash("the machine lost power during a disk operation");
  }

  private sync(what: string): void {
    this.change();
    if (!this.syncFailureArmed) return;
    this.syncFailureArmed = false;
    this.syncFailed = true;
    this.stats.fsyncFailures++;
    throw errno("EIO", `${what} failed`);
  }

  private changeEntries(dir: string, change: EntryChange): void {
    applyEntryChange(this.liveEntries, change);
    const pending = this.pendingEntries.get(dir);
    if (pending === undefined) this.pendingEntries.set(dir, [change]);
    else pending.push(change);
  }
}

function applyEntryChange(entries: Map<string, Inode>, change: EntryChange): void {
  for (const [path, inode] of change) {
    if (inode === null) entries.delete(path);
    else entries.set(path, inode);
  }
}

function write(node: Inode, bytes: Buffer, position: number): void {
  node.live = writtenInto(node.live, bytes, position);
  node.pending.push({ kind: "write", position, bytes });
}

function writtenInto(target: Buffer, bytes: Buffer, position: number): Buffer {
  const out = target.length >= position + bytes.length ? target : resized(target, position + bytes.length);
  bytes.copy(out, position);
  return out;
}

function resized(target: Buffer, length: number): Buffer {
  const out = Buffer.alloc(length);
  target.copy(out, 0, 0, Math.min(length, target.length));
  return out;
}

function errno(code: string, what: string): NodeJS.ErrnoException {
  const err = new Error(`${code}: ${what}`) as NodeJS.ErrnoException;
  err.code = code;
  return err;
}
