import { DIGEST_VERSION, type DataTree, type DigestMismatch, DigestForecast, type Preparer, type TxnResult } from "@zkts/datatree";
import type { TxnBody, TxnEntry, TxnHeader } from "@zkts/jute";

/** Where accepted transactions go before they are applied: the log, or nowhere in memory. */
export interface TxnPersistence {
  /** Resolves once every entry is durable; rejects if they could not be persisted. */
  persist(entries: readonly TxnEntry[]): Promise<void>;
}

export const inMemoryPersistence: TxnPersistence = {
  persist: () => Promise.resolve(),
};

interface AcceptedTxn {
  entry: TxnEntry;
  onApplied: (result: TxnResult) => void;
}

/**
 * The write path: prepare (validate and assign a zxid), persist in batches, then apply in zxid
 * order. Transactions that arrive while a batch is being persisted form the next batch, which
 * is group commit: one fsync covers everything that queued up behind the previous one.
 */
export class TxnPipeline {
  private accepted: AcceptedTxn[] = [];
  private persisting = false;
  private scheduled = false;
  private failure: Error | null = null;
  lastZxid: bigint;
  private readonly digests: DigestForecast;

  constructor(
    private readonly tree: DataTree,
    private readonly preparer: Preparer,
    private readonly persistence: TxnPersistence,
    private readonly onFatal: (err: Error) => void,
    /** Told when the tree, having applied a txn, disagrees with the digest logged with it. */
    private readonly onDigestMismatch: (mismatch: DigestMismatch) => void = () => undefined,
  ) {
    this.lastZxid = tree.lastProcessedZxid;
    this.digests = new DigestForecast(tree);
  }

  get failed(): Error | null {
    return this.failure;
  }

  get queued(): number {
    return this.accepted.length;
  }

  nextZxid(): bigint {
    this.lastZxid += 1n;
    return this.lastZxid;
  }

  /** Queues an already prepared transaction for persistence and apply. */
  submit(header: TxnHeader, body: TxnBody, onApplied: (result: TxnResult) => void): void {
    const typed = { ...header, type: body.type };
    // The log entry carries the digest the tree will have once this txn is applied (TxnDigest).
    const digest = this.tree.digestEnabled ? { version: DIGEST_VERSION, treeDigest: this.digests.forecast(typed, body) } : null;
    this.accepted.push({ entry: { header: typed, body, digest }, onApplied });
    this.schedule();
  }

  private schedule(): void {
    if (this.scheduled || this.persisting) return;
    this.scheduled = true;
    setImmediate(() => void this.commitBatch());
  }

  private async commitBatch(): Promise<void> {
    this.scheduled = false;
    if (this.accepted.length === 0 || this.failure !== null) return;
    const batch = this.accepted;
    this.accepted = [];
    this.persisting = true;
    try {
      await this.persistence.persist(batch.map((t) => t.entry));
    } catch (err) {
      // Nothing in this batch may be acknowledged: it was not made durable.
      this.failure = err instanceof Error ? err : new Error(String(err));
      this.persisting = false;
      this.onFatal(this.failure);
      return;
    }
    this.persisting = false;
    for (const txn of batch) {
      const { header, body, digest } = txn.entry;
      const result = this.tree.applyTxn(header, body);
      this.preparer.applied(header.zxid);
      this.digests.applied(header.zxid);
      const mismatch = this.tree.checkAppliedDigest(header.zxid, digest);
      if (mismatch !== null) this.onDigestMismatch(mismatch);
      txn.onApplied(result);
    }
    if (this.accepted.length > 0) this.schedule();
  }
}
