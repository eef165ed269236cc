import type { Role } from "@zkts/zab";

/** ZooKeeper's BufferStats: the last, smallest and largest size seen, each -1 until the first one. */
export class BufferSizes {
  last = -1;
  min = -1;
  max = -1;

  record(bytes: number): void {
    this.last = bytes;
    if (this.min < 0 || bytes < this.min) this.min = bytes;
    if (bytes > this.max) this.max = bytes;
  }

  /** As srvr prints it: "last/min/max". */
  toString(): string {
    return `${this.last}/${this.min}/${this.max}`;
  }
}

/** ZooKeeper's avg/min/max/cnt/sum summary of a duration, in ms. */
export class DurationSummary {
  count = 0;
  sumMs = 0;
  minMs = 0;
  maxMs = 0;

  add(ms: number): void {
    this.minMs = this.count === 0 ? ms : Math.min(this.minMs, ms);
    this.maxMs = Math.max(this.maxMs, ms);
    this.count++;
    this.sumMs += ms;
  }

  get avgMs(): number {
    return this.count === 0 ? 0 : this.sumMs / this.count;
  }
}

/**
 * What a member's operators see of its quorum life that the zab core does not keep: the
 * sizes of the proposals it made as leader, how long it has led, and how long its elections
 * took. Fed by the driver; read by mntr, srvr and the AdminServer.
 */
export class PeerStats {
  /** Bytes of each txn the leader proposed (ZooKeeper's proposal_stats). */
  readonly proposalSizes = new BufferSizes();
  proposalCount = 0;
  /** Elections that ended with this member leading or following (ZooKeeper's election_time). */
  readonly electionTimes = new DurationSummary();
  private lookingSinceMs: number;
  private leadingSinceMs: number | null = null;

  constructor(private readonly clock: () => number) {
    this.lookingSinceMs = clock();
  }

  proposed(bytes: number): void {
    this.proposalSizes.record(bytes);
    this.proposalCount++;
  }

  /** The core's role or serving state changed. */
  roleChanged(previous: Role, role: Role, serving: boolean): void {
    const now = this.clock();
    if (role === "LOOKING" && previous !== "LOOKING") this.lookingSinceMs = now;
    if (previous === "LOOKING" && (role === "LEADING" || role === "FOLLOWING")) this.electionTimes.add(now - this.lookingSinceMs);
    if (role === "LEADING" && serving) this.leadingSinceMs ??= now;
    else this.leadingSinceMs = null;
  }

  /** Milliseconds since this member's leadership was established; 0 when it does not lead. */
  get leaderUptimeMs(): number {
    return this.leadingSinceMs === null ? 0 : this.clock() - this.leadingSinceMs;
  }
}
