import { type Entry, type SoftState, type Zxid, counterOf, epochOf, formatZxid } from "../../src/index.js";
import { text } from "./format.js";

export class InvariantViolation extends Error {
  override readonly name = "InvariantViolation";
}

function check(condition: boolean, message: string): asserts condition {
  if (!condition) throw new InvariantViolation(message);
}

/**
 * ZAB's safety properties, checked as events happen across every node of a cluster:
 * - a zxid names one transaction (one leader proposes per epoch);
 * - at most one leader is established per epoch;
 * - every node applies a prefix of one global committed sequence, in zxid order;
 * - primary order: inside an epoch the committed counters run 1, 2, 3 without gaps.
 */
export class InvariantChecker {
  private readonly txnByZxid = new Map<Zxid, string>();
  private readonly leaderByEpoch = new Map<number, number>();
  readonly committed: Entry[] = [];

  onAppend(node: number, e: Entry): void {
    const data = text(e.data);
    const known = this.txnByZxid.get(e.zxid);
    check(known === undefined || known === data, `zxid ${formatZxid(e.zxid)} names two transactions: "${known}" and "${data}" (node ${node})`);
    this.txnByZxid.set(e.zxid, data);
  }

  onSoftState(node: number, s: SoftState): void {
    if (s.role !== "LEADING" || !s.serving) return;
    const other = this.leaderByEpoch.get(s.epoch);
    check(other === undefined || other === node, `two leaders established in epoch ${s.epoch}: ${other} and ${node}`);
    this.leaderByEpoch.set(s.epoch, node);
  }

  /**
   * `applied` is the node's whole applied sequence, the newest entry at its end.
   * Returns true when no node had applied that entry before.
   */
  onApply(node: number, applied: readonly Entry[]): boolean {
    const index = applied.length - 1;
    const e = applied[index] as Entry;
    const prev = applied[index - 1];
    check(prev === undefined || prev.zxid < e.zxid, `node ${node} applied ${formatZxid(e.zxid)} out of zxid order`);
    this.onAppend(node, e);
    const global = this.committed[index];
    if (global !== undefined) {
      check(global.zxid === e.zxid, `node ${node} applied ${formatZxid(e.zxid)} at position ${index} where another node applied ${formatZxid(global.zxid)}`);
      return false;
    }
    check(index === this.committed.length, "applied sequences grow one entry at a time");
    const last = this.committed[index - 1];
    if (last !== undefined && epochOf(last.zxid) === epochOf(e.zxid)) {
      check(counterOf(e.zxid) === counterOf(last.zxid) + 1, `gap in epoch ${epochOf(e.zxid)} before ${formatZxid(e.zxid)}`);
    } else {
      check(counterOf(e.zxid) === 1, `epoch ${epochOf(e.zxid)} starts its committed sequence at ${formatZxid(e.zxid)}`);
    }
    this.committed.push(e);
    return true;
  }

  established(): ReadonlyMap<number, number> {
    return this.leaderByEpoch;
  }
}
