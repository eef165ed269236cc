import { copyBytes } from "./copy-bytes.js";
import { DataArena, type DataArenaOptions } from "./data-arena.js";
import { crc32Update, crc32UpdateText, isDigestExcluded } from "./digest.js";

/**
 * Where the znodes live: numbered slots instead of one object per znode. A znode costs its path
 * string and map entry, a 72-byte packed record (the StatPersisted fields big-endian in the
 * order snapshots write them, then the ACL reference), five ints of child links, its data
 * position and length, and its data in the shared arena; no Set, no BigInt and no Buffer of its
 * own. Children are a doubly linked list in creation order, threaded through the slots, and a
 * child's name is the last segment of its path, so it is not stored twice.
 *
 * Fields come out as fresh values (a bigint, a view of the data) each time they are read;
 * nothing handed out aliases a slot, which is reused once its znode is gone.
 */
export const STAT_RECORD_BYTES = 60;
const RECORD_BYTES = 72;
const CZXID = 0;
const MZXID = 8;
const CTIME = 16;
const MTIME = 24;
const VERSION = 32;
const CVERSION = 36;
const AVERSION = 40;
const EPHEMERAL_OWNER = 44;
const PZXID = 52;
const ACL_ID = 60;
const NONE = -1;
const NULL_DATA = -1;
const CAPACITY_MIN = 64;

export type LongField = "czxid" | "mzxid" | "ctime" | "mtime" | "ephemeralOwner" | "pzxid" | "aclId";
export type IntField = "version" | "cversion" | "aversion";
const LONG_OFFSET: Record<LongField, number> = {
  czxid: CZXID,
  mzxid: MZXID,
  ctime: CTIME,
  mtime: MTIME,
  ephemeralOwner: EPHEMERAL_OWNER,
  pzxid: PZXID,
  aclId: ACL_ID,
};
const INT_OFFSET: Record<IntField, number> = { version: VERSION, cversion: CVERSION, aversion: AVERSION };

export class ZnodeStore {
  private readonly slots = new Map<string, number>();
  private paths: (string | undefined)[] = [];
  private records: Buffer = Buffer.alloc(0);
  /** `records` as a DataView: its bigint accessors skip the range checks Buffer's make. */
  private recordView = new DataView(this.records.buffer, this.records.byteOffset, this.records.byteLength);
  private firstChild: Int32Array<ArrayBuffer> = new Int32Array(0);
  private lastChild: Int32Array<ArrayBuffer> = new Int32Array(0);
  private nextSibling: Int32Array<ArrayBuffer> = new Int32Array(0);
  private prevSibling: Int32Array<ArrayBuffer> = new Int32Array(0);
  private children: Int32Array<ArrayBuffer> = new Int32Array(0);
  private dataLength: Int32Array<ArrayBuffer> = new Int32Array(0);
  private dataPosition = new Float64Array(0);
  /** Each znode's share of the tree digest, so taking it out costs nothing. */
  private digests = new Uint32Array(0);
  private capacity = 0;
  /** Slots below this were handed out at least once. */
  private used = 0;
  private readonly freeSlots: number[] = [];
  private arena: DataArena;
  /** How many times the live data was copied into a fresh arena. */
  compactions = 0;

  constructor(private readonly arenaOptions: DataArenaOptions = {}) {
    this.arena = new DataArena(arenaOptions);
  }

  get size(): number {
    return this.slots.size;
  }

  slotOf(path: string): number {
    return this.slots.get(path) ?? NONE;
  }

  has(path: string): boolean {
    return this.slots.has(path);
  }

  pathOf(slot: number): string {
    return this.paths[slot]!;
  }

  /** Every path in creation order (a restored tree's in snapshot order). */
  pathList(): IterableIterator<string> {
    return this.slots.keys();
  }

  entries(): IterableIterator<[string, number]> {
    return this.slots.entries();
  }

  /** Makes room for `count` znodes in all, so a snapshot load grows the columns once. */
  reserve(count: number): void {
    if (count > this.capacity) this.grow(count);
  }

  clear(): void {
    this.slots.clear();
    this.paths = [];
    this.freeSlots.length = 0;
    this.used = 0;
    this.capacity = 0;
    this.grow(CAPACITY_MIN);
    this.arena = new DataArena(this.arenaOptions);
  }

  /**
   * A new znode at `path`, last among the children of `parent` (NONE for the root), with a
   * zeroed record and null data. The caller fills the record, then calls `rehash`.
   */
  insert(path: string, parent: number): number {
    const reused = this.freeSlots.pop();
    const slot = reused ?? this.nextUnusedSlot();
    const count = this.slots.size;
    this.slots.set(path, slot);
    // One map operation per insert: a path already present leaves the size unchanged.
    if (this.slots.size === count) throw new Error(`znode ${path} is already in the store`);
    this.paths[slot] = path;
    // Slots never used are zero already (columns grow zero-filled); only reused ones are wiped.
    if (reused !== undefined) this.records.fill(0, slot * RECORD_BYTES, (slot + 1) * RECORD_BYTES);
    this.firstChild[slot] = NONE;
    this.lastChild[slot] = NONE;
    this.nextSibling[slot] = NONE;
    this.prevSibling[slot] = NONE;
    this.children[slot] = 0;
    this.dataLength[slot] = NULL_DATA;
    this.digests[slot] = 0;
    if (parent !== NONE) this.link(parent, slot);
    return slot;
  }

  /** Takes a znode out of its parent's children and frees its slot and data. */
  remove(slot: number, parent: number): void {
    if (parent !== NONE) this.unlink(parent, slot);
    this.releaseData(slot);
    this.slots.delete(this.paths[slot]!);
    this.paths[slot] = undefined;
    this.freeSlots.push(slot);
  }

  // ---- fields --------------------------------------------------------------------------------

  long(slot: number, field: LongField): bigint {
    return this.recordView.getBigInt64(slot * RECORD_BYTES + LONG_OFFSET[field]);
  }

  /** Whether a long field holds `value` (a small integer), read without making a bigint. */
  longIs(slot: number, field: LongField, value: number): boolean {
    const at = slot * RECORD_BYTES + LONG_OFFSET[field];
    return this.records.readInt32BE(at) === (value < 0 ? -1 : 0) && this.records.readInt32BE(at + 4) === (value | 0);
  }

  setLong(slot: number, field: LongField, value: bigint): void {
    this.recordView.setBigInt64(slot * RECORD_BYTES + LONG_OFFSET[field], value);
  }

  int(slot: number, field: IntField): number {
    return this.records.readInt32BE(slot * RECORD_BYTES + INT_OFFSET[field]);
  }

  setInt(slot: number, field: IntField, value: number): void {
    this.records.writeInt32BE(value, slot * RECORD_BYTES + INT_OFFSET[field]);
  }

  /** The data, as a view of the arena that stays valid however the znode changes later. */
  data(slot: number): Buffer | null {
    const length = this.dataLength[slot]!;
    if (length === NULL_DATA) return null;
    if (length === 0) return Buffer.alloc(0);
    return this.arena.view(this.dataPosition[slot]!, length);
  }

  /** The data's length, 0 for null data (as approximateDataSize and quotas count it). */
  dataSize(slot: number): number {
    return Math.max(this.dataLength[slot]!, 0);
  }

  setData(slot: number, data: Uint8Array | null): void {
    this.releaseData(slot);
    if (data === null) return;
    const bytes = Buffer.isBuffer(data) ? data : Buffer.from(data.buffer, data.byteOffset, data.byteLength);
    this.storeData(slot, bytes, 0, bytes.length);
    if (this.arena.needsCompaction()) this.compactData();
  }

  childCount(slot: number): number {
    return this.children[slot]!;
  }

  /** Child names in creation order. */
  childNames(slot: number): string[] {
    const names: string[] = new Array(this.children[slot]!);
    let i = 0;
    for (let child = this.firstChild[slot]!; child !== NONE; child = this.nextSibling[child]!) {
      const path = this.paths[child]!;
      names[i++] = path.substring(path.lastIndexOf("/") + 1);
    }
    return names;
  }

  /** The paths of a znode's children in creation order: the strings the store keys them by. */
  childPaths(slot: number): string[] {
    const paths: string[] = new Array(this.children[slot]!);
    let i = 0;
    for (let child = this.firstChild[slot]!; child !== NONE; child = this.nextSibling[child]!) paths[i++] = this.paths[child]!;
    return paths;
  }

  /** The first child of a znode (NO_SLOT when it has none); walk on with nextSiblingOf. */
  firstChildOf(slot: number): number {
    return this.firstChild[slot]!;
  }

  nextSiblingOf(slot: number): number {
    return this.nextSibling[slot]!;
  }

  // ---- digest --------------------------------------------------------------------------------

  digest(slot: number): number {
    return this.digests[slot]!;
  }

  /** Recomputes a znode's digest share after a change; returns it. */
  rehash(slot: number): number {
    const path = this.paths[slot]!;
    let value = 0;
    if (!isDigestExcluded(path)) {
      let crc = crc32UpdateText(0xffffffff, path === "/" ? "" : path);
      const length = this.dataLength[slot]!;
      if (length > 0) {
        const position = this.dataPosition[slot]!;
        const offset = this.arena.offsetOf(position);
        crc = crc32Update(crc, this.arena.chunkAt(position), offset, offset + length);
      }
      value = (this.statCrc(crc, slot * RECORD_BYTES) ^ 0xffffffff) >>> 0;
    }
    this.digests[slot] = value;
    return value;
  }

  /** The stat as the digest orders it: czxid, mzxid, pzxid, ctime, mtime, the versions, owner. */
  private statCrc(crc: number, at: number): number {
    const r = this.records;
    crc = crc32Update(crc, r, at + CZXID, at + CTIME);
    crc = crc32Update(crc, r, at + PZXID, at + PZXID + 8);
    crc = crc32Update(crc, r, at + CTIME, at + EPHEMERAL_OWNER);
    return crc32Update(crc, r, at + EPHEMERAL_OWNER, at + PZXID);
  }

  // ---- snapshots -----------------------------------------------------------------------------

  /**
   * A znode straight from a snapshot file's bytes: the path as given, data and the 60 stat
   * bytes copied from `bytes`, the ACL reference from the 8 bytes at `aclAt`. No object is
   * made for it beyond the path string.
   */
  restore(path: string, parent: number, bytes: Buffer, dataAt: number, dataLength: number, aclAt: number, statAt: number): number {
    const slot = this.insert(path, parent);
    const at = slot * RECORD_BYTES;
    copyBytes(bytes, statAt, this.records, at, STAT_RECORD_BYTES);
    copyBytes(bytes, aclAt, this.records, at + ACL_ID, 8);
    if (dataLength >= 0) this.storeData(slot, bytes, dataAt, dataLength);
    this.rehash(slot);
    return slot;
  }

  /** Writes a znode's 60 StatPersisted bytes, big-endian as snapshots hold them, into `target`. */
  copyStat(slot: number, target: Buffer, targetAt: number): void {
    this.records.copy(target, targetAt, slot * RECORD_BYTES, slot * RECORD_BYTES + STAT_RECORD_BYTES);
  }

  /** Heap and off-heap bytes the columns and the arena hold (not the path strings and map). */
  get columnBytes(): number {
    return this.capacity * (RECORD_BYTES + 4 * 7 + 8 + 8) + this.arena.reservedBytes;
  }

  // ---- internals -----------------------------------------------------------------------------

  private storeData(slot: number, source: Buffer, start: number, length: number): void {
    this.dataLength[slot] = length;
    if (length > 0) this.dataPosition[slot] = this.arena.store(source, start, length);
  }

  private releaseData(slot: number): void {
    const length = this.dataLength[slot]!;
    if (length > 0) this.arena.free(this.dataPosition[slot]!, length);
    this.dataLength[slot] = NULL_DATA;
  }

  /** Copies the live data into a fresh arena; views handed out keep the old chunks alive. */
  private compactData(): void {
    const old = this.arena;
    const fresh = new DataArena(this.arenaOptions);
    for (const slot of this.slots.values()) {
      const length = this.dataLength[slot]!;
      if (length <= 0) continue;
      const position = this.dataPosition[slot]!;
      const offset = old.offsetOf(position);
      this.dataPosition[slot] = fresh.store(old.chunkAt(position), offset, length);
    }
    this.arena = fresh;
    this.compactions++;
  }

  private link(parent: number, child: number): void {
    const last = this.lastChild[parent]!;
    this.prevSibling[child] = last;
    if (last === NONE) this.firstChild[parent] = child;
    else this.nextSibling[last] = child;
    this.lastChild[parent] = child;
    this.children[parent]!++;
  }

  private unlink(parent: number, child: number): void {
    const prev = this.prevSibling[child]!;
    const next = this.nextSibling[child]!;
    if (prev === NONE) this.firstChild[parent] = next;
    else this.nextSibling[prev] = next;
    if (next === NONE) this.lastChild[parent] = prev;
    else this.prevSibling[next] = prev;
    this.children[parent]!--;
  }

  private nextUnusedSlot(): number {
    if (this.used === this.capacity) this.grow(this.capacity * 2);
    return this.used++;
  }

  private grow(capacity: number): void {
    const size = Math.max(capacity, CAPACITY_MIN);
    const paths: (string | undefined)[] = new Array(size);
    for (let i = 0; i < this.used; i++) paths[i] = this.paths[i];
    this.paths = paths;
    const records = Buffer.alloc(size * RECORD_BYTES);
    this.records.copy(records, 0, 0, Math.min(this.records.length, records.length));
    this.records = records;
    this.recordView = new DataView(records.buffer, records.byteOffset, records.byteLength);
    this.firstChild = grown(this.firstChild, size);
    this.lastChild = grown(this.lastChild, size);
    this.nextSibling = grown(this.nextSibling, size);
    this.prevSibling = grown(this.prevSibling, size);
    this.children = grown(this.children, size);
    this.dataLength = grown(this.dataLength, size);
    const positions = new Float64Array(size);
    positions.set(this.dataPosition.subarray(0, Math.min(this.dataPosition.length, size)));
    this.dataPosition = positions;
    const digests = new Uint32Array(size);
    digests.set(this.digests.subarray(0, Math.min(this.digests.length, size)));
    this.digests = digests;
    this.capacity = size;
  }
}

function grown(column: Int32Array, size: number): Int32Array<ArrayBuffer> {
  const next = new Int32Array(size);
  next.set(column.subarray(0, Math.min(column.length, size)));
  return next;
}

export const NO_SLOT = NONE;
