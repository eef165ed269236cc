import { type Entry, type SoftState, counterOf, epochOf, formatZxid } from "@zkts/server";

export class InvariantViolation extends Error {
  override readonly name = "InvariantViolation";
}

function check(condition: boolean, message: string): asserts condition {
  if (!condition) throw new InvariantViolation(message);
}

function fingerprint(data: Uint8Array): string {
  return Buffer.from(data.buffer, data.byteOffset, data.byteLength).toString("base64");
}

/**
 * ZAB's safety properties, checked as the simulation runs, across every member and every
 * restart of each:
 * - a zxid names one transaction;
 * - at most one leader is established per epoch;
 * - every member applies a prefix of one global committed sequence, in zxid order (so no
 *   committed transaction is lost or replaced);
 * - primary order: inside an epoch, committed counters run 1, 2, 3 without gaps;
 * - nothing is applied anywhere before a majority of voters' disks hold it.
 */
export class ZabInvariants {
  private readonly txnByZxid = new Map<bigint, string>();
  private readonly leaderByEpoch = new Map<number, number>();
  /** The one committed sequence, as every member applies it. */
  readonly committed: Entry[] = [];
  private readonly positionOf = new Map<bigint, number>();
  /** Per member: the zxid it applied last (reset to its snapshot's on restart). */
  private readonly appliedThrough = new Map<number, bigint>();

  /** Voters of the configuration in force, as committed reconfigs change it. */
  private voters: readonly number[];
  /** Reconfigurations committed. */
  reconfigs = 0;

  /**
   * `holders(zxid, voters)`: how many of `voters` have the entry on disk. `reconfigOf` says
   * which entries reconfigure the ensemble, and to which voters.
   */
  constructor(
    private readonly holders: (zxid: bigint, voters: readonly number[]) => number,
    initialVoters: readonly number[],
    private readonly reconfigOf: (entry: Entry) => { voters: readonly number[] } | null = () => null,
  ) {
    this.voters = initialVoters;
  }

  onAppend(member: number, entry: Entry): void {
    const data = fingerprint(entry.data);
    const known = this.txnByZxid.get(entry.zxid);
    check(known === undefined || known === data, `zxid ${formatZxid(entry.zxid)} names two transactions (seen on member ${member})`);
    this.txnByZxid.set(entry.zxid, data);
  }

  onSoftState(member: number, soft: SoftState): void {
    if (soft.role !== "LEADING" || !soft.serving) return;
    const other = this.leaderByEpoch.get(soft.epoch);
    check(other === undefined || other === member, `two leaders established in epoch ${soft.epoch}: ${other} and ${member}`);
    this.leaderByEpoch.set(soft.epoch, member);
  }

  /** A member (re)started, or installed a snapshot, with its state at `zxid`. */
  onStateAt(member: number, zxid: bigint): void {
    check(zxid === 0n || this.positionOf.has(zxid), `member ${member} holds a state at ${formatZxid(zxid)}, which was never committed`);
    this.appliedThrough.set(member, zxid);
  }

  onApply(member: number, entry: Entry): void {
    this.onAppend(member, entry);
    const through = this.appliedThrough.get(member) ?? 0n;
    check(entry.zxid > through, `member ${member} applied ${formatZxid(entry.zxid)} after ${formatZxid(through)}`);
    const nextPosition = through === 0n ? 0 : (this.positionOf.get(through) as number) + 1;
    const expected = this.committed[nextPosition];
    if (expected !== undefined) {
      check(
        expected.zxid === entry.zxid,
        `member ${member} applied ${formatZxid(entry.zxid)} after ${formatZxid(through)}, where ${formatZxid(expected.zxid)} was committed`,
      );
    } else {
      check(nextPosition === this.committed.length, "applied sequences grow one entry at a time");
      const last = this.committed[this.committed.length - 1];
      if (last !== undefined && epochOf(last.zxid) === epochOf(entry.zxid)) {
        check(counterOf(entry.zxid) === counterOf(last.zxid) + 1, `gap in epoch ${epochOf(entry.zxid)} before ${formatZxid(entry.zxid)}`);
      } else {
        check(counterOf(entry.zxid) === 1, `epoch ${epochOf(entry.zxid)} starts its committed sequence at ${formatZxid(entry.zxid)}`);
      }
      this.checkDurable(entry.zxid, this.voters);
      const reconfig = this.reconfigOf(entry);
      if (reconfig !== null) {
        // A reconfiguration commits with a majority of the old and of the new configuration.
        this.checkDurable(entry.zxid, reconfig.voters);
        this.voters = reconfig.voters;
        this.reconfigs++;
      }
      this.positionOf.set(entry.zxid, this.committed.length);
      this.committed.push(entry);
    }
    this.appliedThrough.set(member, entry.zxid);
  }

  private checkDurable(zxid: bigint, voters: readonly number[]): void {
    const holding = this.holders(zxid, voters);
    check(holding * 2 > voters.length, `${formatZxid(zxid)} applied while only ${holding} of ${voters.length} voters' disks held it`);
  }

  lastCommitted(): bigint {
    return this.committed[this.committed.length - 1]?.zxid ?? 0n;
  }

  leaders(): ReadonlyMap<number, number> {
    return this.leaderByEpoch;
  }
}
