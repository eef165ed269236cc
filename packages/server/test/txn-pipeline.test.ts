import { DataTree, Preparer } from "@zkts/datatree";
import { OpCode, type TxnEntry } from "@zkts/jute";
import { describe, expect, it } from "vitest";
import { type TxnPersistence, TxnPipeline } from "../src/txn-pipeline.js";

const acl = [{ perms: 31, id: { scheme: "world", id: "anyone" } }];

/** A persistence whose batches complete only when the test says so. */
class GatedPersistence implements TxnPersistence {
  readonly batches: bigint[][] = [];
  private release: (() => void)[] = [];
  failNext = false;
  persist(entries: readonly TxnEntry[]): Promise<void> {
    this.batches.push(entries.map((e) => e.header.zxid));
    if (this.failNext) return Promise.reject(new Error("ENOSPC: no space left on device"));
    return new Promise((resolve) => this.release.push(resolve));
  }
  releaseAll(): void {
    for (const r of this.release.splice(0)) r();
  }
}

function setup() {
  const tree = new DataTree();
  const preparer = new Preparer(tree, { auth: {}, extendedTypesEnabled: false, enforceQuota: false, reconfigEnabled: false });
  const persistence = new GatedPersistence();
  const fatal: Error[] = [];
  const pipeline = new TxnPipeline(tree, preparer, persistence, (e) => fatal.push(e));
  const applied: bigint[] = [];
  const submit = (path: string) => {
    const zxid = pipeline.nextZxid();
    const body = preparer.prepare({ type: OpCode.create, request: { path, data: null, acl, flags: 0 } }, { sessionId: 1n, authInfo: [], zxid, time: 0n });
    pipeline.submit({ clientId: 1n, cxid: 0, zxid, time: 0n, type: OpCode.create }, body, (r) => applied.push(r.zxid));
  };
  return { tree, persistence, pipeline, applied, fatal, submit };
}

const turn = () => new Promise((resolve) => setImmediate(resolve));

describe("TxnPipeline", () => {
  it("applies nothing before it is persisted, and batches what arrives meanwhile (group commit)", async () => {
    const { tree, persistence, applied, submit } = setup();
    submit("/a");
    await turn();
    expect(persistence.batches).toEqual([[1n]]);
    submit("/b");
    submit("/c");
    await turn();
    // Still waiting for the first batch: nothing applied, the next two are held back together.
    expect(applied).toEqual([]);
    expect(tree.getNode("/a")).toBeUndefined();
    persistence.releaseAll();
    await turn();
    await turn();
    expect(applied).toEqual([1n]);
    expect(persistence.batches).toEqual([[1n], [2n, 3n]]);
    persistence.releaseAll();
    await turn();
    await turn();
    expect(applied).toEqual([1n, 2n, 3n]);
    expect(tree.lastProcessedZxid).toBe(3n);
  });

  it("never applies a batch it could not persist and reports the failure once", async () => {
    const { persistence, pipeline, applied, fatal, submit } = setup();
    persistence.failNext = true;
    submit("/a");
    await turn();
    await turn();
    expect(applied).toEqual([]);
    expect(fatal.map((e) => e.message)).toEqual(["ENOSPC: no space left on device"]);
    expect(pipeline.failed).not.toBeNull();
    submit("/b");
    await turn();
    expect(persistence.batches).toHaveLength(1);
    expect(applied).toEqual([]);
  });
});
