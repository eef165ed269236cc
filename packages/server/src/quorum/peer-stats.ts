import type { Message, Role } from "@zkts/zab";
import { CounterFigure, SummaryFigure } from "../metrics/summary-figure.js";

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

  reset(): void {
    this.last = -1;
    this.min = -1;
    this.max = -1;
  }

  /** As srvr prints it: "last/min/max". */
  toString(): string {
    return `${this.last}/${this.min}/${this.max}`;
  }
}

/**
 * What a member's operators see of its quorum life that the zab core does not keep, under
 * ZooKeeper's ServerMetrics names: the sizes of the proposals it made as leader, how long it
 * has led, how long its elections took, and the quorum packets it sent and received. Fed by the
 * driver; read by mntr, srvr, the AdminServer and the Prometheus endpoint.
 */
export class PeerStats {
  /** Bytes of each txn the leader proposed (ZooKeeper's proposal_stats). */
  readonly proposalSizes = new BufferSizes();
  readonly proposals = new CounterFigure("proposal_count");
  /** Elections that ended with this member leading or following (ZooKeeper's election_time). */
  readonly electionTime: SummaryFigure;
  /** Times this member started looking for a leader. */
  readonly lookings = new CounterFigure("looking_count");
  /** Learners the leader synced without a snapshot (DIFF or TRUNC), and with one. */
  readonly diffSyncs = new CounterFigure("diff_count");
  readonly snapSyncs = new CounterFigure("snap_count");
  /** PROPOSAL packets a follower received; COMMIT (follower) or INFORM (observer) packets a learner received. */
  readonly learnerProposalsReceived = new CounterFigure("learner_proposal_received_count");
  readonly learnerCommitsReceived = new CounterFigure("learner_commit_received_count");
  private lookingSinceMs: number;
  private leadingSinceMs: number | null = null;

  constructor(private readonly clock: () => number) {
    this.lookingSinceMs = clock();
    this.electionTime = new SummaryFigure("election_time", "basic", clock);
    // A member starts out looking, as ZooKeeper's QuorumPeer counts its first election.
    this.lookings.add();
  }

  get proposalCount(): number {
    return this.proposals.value;
  }

  proposed(bytes: number): void {
    this.proposalSizes.record(bytes);
    this.proposals.add();
  }

  /** The core's role or serving state changed. */
  roleChanged(previous: Role, role: Role, serving: boolean): void {
    const now = this.clock();
    if (role === "LOOKING" && previous !== "LOOKING") {
      this.lookingSinceMs = now;
      this.lookings.add();
    }
    if (previous === "LOOKING" && (role === "LEADING" || role === "FOLLOWING")) this.electionTime.observe(now - this.lookingSinceMs);
    if (role === "LEADING" && serving) this.leadingSinceMs ??= now;
    else this.leadingSinceMs = null;
  }

  /** A quorum message this member sent while in `role`. */
  sent(m: Message, role: Role): void {
    if (role !== "LEADING") return;
    if (m.type === "DIFF" || m.type === "TRUNC") this.diffSyncs.add();
    else if (m.type === "SNAP") this.snapSyncs.add();
  }

  /** A quorum message this member received while in `role`. */
  received(m: Message, role: Role): void {
    if (role === "FOLLOWING" && m.type === "PROPOSAL") this.learnerProposalsReceived.add();
    else if (role === "FOLLOWING" && (m.type === "COMMIT" || m.type === "COMMITANDACTIVATE")) this.learnerCommitsReceived.add();
    else if (role === "OBSERVING" && (m.type === "INFORM" || m.type === "INFORMANDACTIVATE")) this.learnerCommitsReceived.add();
  }

  /** `srst`: the leader's proposal sizes and every counter and summary start again (ZooKeeper's ServerStats.reset). */
  reset(): void {
    this.proposalSizes.reset();
    this.electionTime.reset();
    for (const c of [this.proposals, this.lookings, this.diffSyncs, this.snapSyncs, this.learnerProposalsReceived, this.learnerCommitsReceived]) c.reset();
  }

  /** Milliseconds since this member's leadership was established; 0 when it does not lead. */
  get leaderUptimeMs(): number {
    return this.leadingSinceMs === null ? 0 : this.clock() - this.leadingSinceMs;
  }
}
