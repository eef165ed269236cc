import { StorageError, StorageErrorCode } from "./errors.js";

export const SNAP_COUNT_DEFAULT = 100_000;
export const SNAP_SIZE_LIMIT_DEFAULT = 4 * 1024 * 1024 * 1024;

export interface SnapshotTriggerOptions {
  /** snapCount (minimum 2). */
  snapCount?: number;
  /** snapSizeLimitInKb, in bytes here; 0 or less turns the size rule off. */
  snapSizeLimit?: number;
  /** A uniform random number in [0, 1), e.g. a seeded generator. */
  random: () => number;
}

/**
 * ZooKeeper's rule for when to snapshot (SyncRequestProcessor.shouldSnapshot): once more than
 * snapCount/2 + randRoll txns, or more than snapSizeLimit/2 + randSize bytes, were logged
 * since the last snapshot. The random offsets, drawn again after every snapshot, keep the
 * servers of an ensemble from all snapshotting at the same moment.
 */
export class SnapshotTrigger {
  readonly snapCount: number;
  readonly snapSizeLimit: number;
  private readonly random: () => number;
  private randRoll = 0;
  private randSize = 0;
  private txns = 0;
  private bytes = 0;

  constructor(options: SnapshotTriggerOptions) {
    this.snapCount = options.snapCount ?? SNAP_COUNT_DEFAULT;
    if (!Number.isInteger(this.snapCount) || this.snapCount < 2) {
      throw new StorageError(StorageErrorCode.invalidArgument, `snapCount ${this.snapCount} must be an integer of at least 2`);
    }
    this.snapSizeLimit = options.snapSizeLimit ?? SNAP_SIZE_LIMIT_DEFAULT;
    this.random = options.random;
    this.reroll();
  }

  /** The txn-count threshold for the current round: snapCount/2 + randRoll. */
  get txnThreshold(): number {
    return Math.floor(this.snapCount / 2) + this.randRoll;
  }

  get byteThreshold(): number {
    return Math.floor(this.snapSizeLimit / 2) + this.randSize;
  }

  /** Counts one logged txn of `bytes` bytes and says whether a snapshot is due now. */
  record(bytes = 0): boolean {
    return this.recordBatch(1, bytes);
  }

  /** Counts `txns` logged txns that took `bytes` more bytes of log, and says whether a snapshot is due now. */
  recordBatch(txns: number, bytes: number): boolean {
    this.txns += txns;
    this.bytes += bytes;
    return this.due();
  }

  due(): boolean {
    if (this.txns > this.txnThreshold) return true;
    return this.snapSizeLimit > 0 && this.bytes > this.byteThreshold;
  }

  /** Call when a snapshot starts: the counters restart and new random offsets are drawn. */
  reset(): void {
    this.txns = 0;
    this.bytes = 0;
    this.reroll();
  }

  private reroll(): void {
    this.randRoll = Math.floor(this.random() * Math.floor(this.snapCount / 2));
    const halfSize = Math.floor(this.snapSizeLimit / 2);
    this.randSize = halfSize > 0 ? Math.floor(this.random() * halfSize) : 0;
  }
}
