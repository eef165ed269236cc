import { type HistoryEvent, checkOperations, pairEvents, textSummary, zkRegister } from "@zkts/checker";
import { CreateRequest, Ids, JuteReader, JuteWriter, OpCode, ReconfigRequest } from "@zkts/jute";
import {
  type Entry,
  type ForwardedRequest,
  MajorityQuorumVerifier,
  type Message,
  type QuorumMember,
  type Ready,
  configOfMembers,
  formatZxid,
  membershipOfConfig,
  readWrite,
  reconfigMembership,
} from "@zkts/server";
import { type ReadMode, SimClient } from "./client.js";
import { SimDisk } from "./disk.js";
import { EventQueue } from "./event-queue.js";
import { InvariantViolation, ZabInvariants } from "./invariants.js";
import { SimMember, type MemberSettings, type MemberWorld } from "./member.js";
import { CALM_NETWORK, type Envelope, SimNetwork } from "./network.js";
import { SimRandom } from "./random.js";
import { type FaultAction, describeAction } from "../nemesis/faults.js";
import type { ScheduledAction } from "../run/run-options.js";
import { treeFingerprint } from "./tree-fingerprint.js";

export interface SimulationOptions {
  readonly seed: number;
  readonly voters: number;
  readonly observers?: number;
  readonly clients?: number;
  readonly keys?: number;
  /** Simulated milliseconds of client load under faults. */
  readonly chaosMs?: number;
  /** How clients read (default: zkts's linearizable reads, checked with the writes). */
  readonly reads?: ReadMode;
  /** Keep a readable log of the run (faults, roles, client sessions). */
  readonly trace?: boolean;
  /**
   * A real cluster's fault schedule to play instead of the seed's random faults (offsets from
   * the start of the chaos phase): what has a counterpart here is done, the rest is listed in
   * the result as not mapped.
   */
  readonly schedule?: RecordedSchedule;
}

/** A real run's schedule, with the member that led when it began (its faults follow that role). */
export interface RecordedSchedule {
  readonly actions: readonly ScheduledAction[];
  readonly leaderAtStart: number | null;
}

export interface SimulationStats {
  writes: { ok: number; fail: number; info: number };
  crashes: number;
  crashesMidPersist: number;
  /** fsyncs made to fail (each stops its member, as a storage failure stops the server). */
  fsyncFailures: number;
  /** Unsynced writes and truncations a crash lost, and writes it tore. */
  lostWrites: number;
  tornWrites: number;
  /** Torn log tails and empty log files that recovery repaired on a restart. */
  logRepairs: number;
  restarts: number;
  partitions: number;
  pauses: number;
  /** Messages that reached a member while a Ready's write was in flight, and the windows in which commits were applied then. */
  deliveriesDuringWrites: number;
  commitsDuringWrites: number;
  leaders: number;
  messages: Record<string, number>;
  dropped: number;
  duplicated: number;
  snapshots: number;
  committed: number;
  reconfigs: number;
  simulatedMs: number;
  /** From the last fault until every member served again (0 when the run failed before). */
  recoveryMs: number;
}

export interface SimulationResult {
  readonly options: Required<Omit<SimulationOptions, "trace" | "schedule">>;
  /** Empty when every check passed. */
  readonly failures: string[];
  readonly history: HistoryEvent[];
  readonly stats: SimulationStats;
  readonly trace: string[];
  /** Actions of a given schedule the simulation has no counterpart for. */
  readonly unmapped: string[];
  /** The command that runs this exact simulation again. */
  readonly replay: string;
}

const TICK_MS = 50;
const INITIAL_DATA = "initial";
const SESSION_TIMEOUT_MS = 4_000;
const OP_TIMEOUT_MS = 1_500;
/** The longest a Ready's write keeps a member's disk busy while messages reach it (whileDiskBusy). */
const DISK_BUSY_MS_MAX = 10;
/** After the faults stop: how long the healed ensemble gets to agree again. */
const RECOVERY_MS = 60_000;

/**
 * How long after the last fault every member may take to serve under one leader: a member
 * gives up on a leader not established within initLimit ticks or silent for syncLimit, and a
 * decision that stood on a vote that moved is undone when the moved vote arrives; an election
 * (resends, the finalize wait) and a sync take the rest, with room for a couple of rounds.
 */
export function recoveryBoundMs(settings: { tickMs: number; initLimit: number; syncLimit: number }): number {
  return (settings.initLimit + settings.syncLimit + 20) * settings.tickMs;
}

/** The command line that replays a run: the same seed and shape give the same run. */
export function replayCommand(o: Required<Omit<SimulationOptions, "trace" | "schedule">>): string {
  return `node lab/dist/cli.js sim --seed ${o.seed} --voters ${o.voters} --observers ${o.observers} --clients ${o.clients} --keys ${o.keys} --chaos-ms ${o.chaosMs} --reads ${o.reads} --trace`;
}

/**
 * A whole ensemble in one process, driven by one seed: members running the real zab core and
 * the server's request pipeline over a simulated network (loss, duplication, delay,
 * reordering, partitions), disks (the real storage over a simulated file system: a power cut
 * loses what was not synced and tears the write in progress, an fsync can fail) and clock;
 * clients writing through every member; a restart recovers through storage's recovery. After the
 * faults stop and the network heals, every member must serve under one leader, commit a new
 * write, and hold the same tree; ZAB's invariants are checked at every step; the clients'
 * history must be linearizable.
 */
export async function runSimulation(input: SimulationOptions): Promise<SimulationResult> {
  const options = {
    seed: input.seed,
    voters: input.voters,
    observers: input.observers ?? 0,
    clients: input.clients ?? 4,
    keys: input.keys ?? 3,
    chaosMs: input.chaosMs ?? 8_000,
    reads: input.reads ?? "linearizable",
  };
  const sim = new Simulation(options, input.trace ?? false, input.schedule ?? null);
  const failures: string[] = [];
  try {
    await sim.run();
  } catch (err) {
    if (!(err instanceof InvariantViolation || err instanceof SimulationFailure)) throw err;
    failures.push(`${err.name}: ${err.message}`);
  }
  if (failures.length === 0) failures.push(...sim.checkHistory());
  return { options, failures, history: sim.history, stats: sim.stats(), trace: sim.traceLines, unmapped: sim.unmapped, replay: replayCommand(options) };
}

/**
 * The clients' history (setData, and getData unless reads are off), each key a znode starting
 * as "initial" at version 0, checked for linearizability; returns what is wrong, or nothing.
 */
export function checkWrites(events: HistoryEvent[]): string[] {
  const history = pairEvents(events);
  const result = checkOperations(zkRegister(INITIAL_DATA), history.operations);
  if (result.verdict === "linearizable") return [];
  return [`the clients' history is ${result.verdict}:\n${textSummary(result)}`];
}

class SimulationFailure extends Error {
  override readonly name = "SimulationFailure";
}

class Simulation implements MemberWorld {
  readonly queue = new EventQueue();
  readonly random: SimRandom;
  readonly network: SimNetwork;
  readonly members = new Map<number, SimMember>();
  readonly disks = new Map<number, SimDisk>();
  private readonly incarnations = new Map<number, number>();
  private readonly quorum: MajorityQuorumVerifier;
  private readonly voterIds: number[];
  private readonly ids: number[];
  private readonly invariants: ZabInvariants;
  private readonly settings: MemberSettings;
  readonly history: HistoryEvent[] = [];
  readonly traceLines: string[] = [];
  private readonly clients: SimClient[] = [];
  private nextProcess = 0;
  private chaos = true;
  /** Simulated milliseconds from the last fault until every member served again. */
  recoveryMs = 0;
  private readonly counts = {
    crashes: 0,
    crashesMidPersist: 0,
    restarts: 0,
    partitions: 0,
    pauses: 0,
    deliveriesDuringWrites: 0,
    commitsDuringWrites: 0,
  };
  private readonly keys: string[];
  /** The session the setup made, used by the administrator's reconfigs. */
  private adminSession: bigint | null = null;
  private adminCxid = 1_000_000;
  /** Actions of the given schedule with no counterpart in the simulation. */
  readonly unmapped: string[] = [];

  constructor(
    private readonly o: Required<Omit<SimulationOptions, "trace" | "schedule">>,
    private readonly tracing: boolean,
    private readonly schedule: RecordedSchedule | null = null,
  ) {
    this.random = new SimRandom(o.seed);
    this.voterIds = Array.from({ length: o.voters }, (_, i) => i + 1);
    const observerIds = Array.from({ length: o.observers }, (_, i) => o.voters + i + 1);
    this.ids = [...this.voterIds, ...observerIds];
    this.quorum = new MajorityQuorumVerifier(this.voterIds, observerIds);
    this.network = new SimNetwork(this.random.fork(), this.queue, (to, envelope) => this.deliver(to, envelope));
    this.invariants = new ZabInvariants((zxid, voters) => voters.filter((id) => this.disks.get(id)?.holds(zxid)).length, this.voterIds, reconfigMembership);
    // Small windows make DIFF, SNAP and epoch rollover happen within a short run.
    this.settings = {
      tickMs: TICK_MS,
      initLimit: this.random.between(5, 10),
      syncLimit: this.random.between(3, 6),
      logRetainEntries: this.random.between(8, 40),
      zxidCounterMax: this.random.chance(0.2) ? this.random.between(20, 60) : 0xfffffffe,
      snapshotChance: 0.02,
      initialMembership: membershipOfConfig(
        configOfMembers(
          this.ids.map((id) => addressOf(id, this.voterIds.includes(id))),
          0n,
        ),
      ),
    };
    this.keys = Array.from({ length: o.keys }, (_, i) => `/k${i}`);
  }

  now(): number {
    return this.queue.now;
  }

  trace(line: string): void {
    if (this.tracing) this.traceLines.push(`${String(this.queue.now).padStart(7)} ms  ${line}`);
  }

  // ---- the run -------------------------------------------------------------------------------

  async run(): Promise<void> {
    this.trace(
      `seed ${this.o.seed}: ${this.o.voters} voters, ${this.o.observers} observers, settings ${JSON.stringify({ ...this.settings, initialMembership: undefined })}`,
    );
    for (const id of this.ids) {
      // Each disk draws from its own generator, seeded from the run's, so the disks' draws do not shift the schedule's.
      this.disks.set(id, new SimDisk(new SimRandom((this.o.seed * 31 + id) | 0)));
      await this.startMember(id);
      this.scheduleTicks(id);
    }
    await this.runUntil(() => this.stableLeader() !== null, 20_000, "no leader was elected on a calm network");
    await this.createKeys();
    for (let i = 0; i < this.o.clients; i++) {
      const client = new SimClient(i + 1, {
        now: () => this.now(),
        record: (event) => this.history.push(event),
        nextProcess: () => this.nextProcess++,
        trace: (line) => this.trace(line),
      });
      this.clients.push(client);
      this.scheduleClient(client);
    }
    if (this.schedule === null) this.scheduleFault();
    else this.playSchedule(this.schedule);
    const chaosEnd = this.queue.now + this.o.chaosMs;
    await this.runUntil(() => this.queue.now >= chaosEnd, this.o.chaosMs + 1, "");
    await this.heal();
  }

  private async runUntil(done: () => boolean, withinMs: number, failure: string): Promise<void> {
    const deadline = this.queue.now + withinMs;
    while (!done()) {
      if (!(await this.queue.runNext(deadline))) {
        if (failure === "") return;
        throw new SimulationFailure(`${failure} within ${withinMs} ms (${this.describeMembers()})`);
      }
    }
  }

  /** Ends the faults, restarts every member, and requires the ensemble to agree and commit again. */
  private async heal(): Promise<void> {
    this.chaos = false;
    // A member a schedule paused and never resumed wakes with the heal.
    for (const m of this.members.values()) if (m.pausedUntil === Number.MAX_SAFE_INTEGER) m.pausedUntil = this.queue.now;
    this.network.heal();
    this.network.faults = CALM_NETWORK;
    this.trace("faults stop: network healed, every member restarted");
    for (const id of this.ids) {
      const member = this.members.get(id);
      this.disks.get(id)!.fs.disarm();
      if (!member?.alive) await this.restartMember(id);
    }
    // The last fault ends when the network heals, or when the last paused member wakes.
    const lastFaultMs = Math.max(this.queue.now, ...this.ids.map((id) => this.members.get(id)!.pausedUntil));
    await this.runUntil(() => this.allServing(), RECOVERY_MS, "the healed ensemble did not serve again");
    this.recoveryMs = this.queue.now - lastFaultMs;
    const boundMs = recoveryBoundMs(this.settings);
    if (this.recoveryMs > boundMs) {
      throw new SimulationFailure(`every member served only ${this.recoveryMs} ms after the last fault (bound ${boundMs} ms; ${this.describeMembers()})`);
    }
    await this.finalWrite();
    await this.runUntil(() => this.quiet(), RECOVERY_MS, "the members did not all apply the leader's history after healing");
    this.compareTrees();
  }

  /** A write after healing proves the ensemble commits again. */
  private async finalWrite(): Promise<void> {
    const writer = this.clients[0] as SimClient;
    const before = writer.writesApplied;
    const attempt = async (): Promise<void> => {
      if (writer.writesApplied > before) return;
      if (!writer.busy) {
        if (writer.member === null || !writer.member.alive) this.connectClient(writer);
        else this.issueWrite(writer, this.keys[0] as string, false);
      }
      if (writer.member !== null) await writer.member.process();
      this.queue.after(50, attempt);
    };
    this.queue.after(0, attempt);
    await this.runUntil(() => writer.writesApplied > before, RECOVERY_MS, "no write committed after healing");
  }

  /** Every member has applied everything the leader holds: nothing is in flight. */
  private quiet(): boolean {
    const leader = this.stableLeader();
    if (leader === null || !this.allServing()) return false;
    const last = this.members.get(leader)!.status().lastZxid;
    return this.ids.every((id) => {
      const m = this.members.get(id)!;
      return m.status().appliedZxid === last && m.replica.tree.lastProcessedZxid === last;
    });
  }

  private issueWrite(client: SimClient, key: string, conditional: boolean): void {
    client.setData(key, `c${client.id}-${this.history.length}`, conditional);
    const cxid = client.inFlight?.cxid;
    if (cxid !== undefined) this.queue.after(OP_TIMEOUT_MS, () => client.timedOut(cxid));
  }

  private issueRead(client: SimClient, key: string, mode: Exclude<ReadMode, "none">): void {
    client.getData(key, mode);
    const cxid = client.inFlight?.cxid;
    if (cxid !== undefined) this.queue.after(OP_TIMEOUT_MS, () => client.timedOut(cxid));
  }

  private compareTrees(): void {
    const prints = this.ids.map((id) => ({ id, print: treeFingerprint(this.members.get(id)!.replica) }));
    const first = prints[0]!;
    for (const { id, print } of prints) {
      if (print !== first.print) {
        throw new SimulationFailure(
          `member ${id}'s tree differs from member ${first.id}'s after healing (${this.describeMembers()}):\n${diffLines(first.print, print)}`,
        );
      }
    }
  }

  checkHistory(): string[] {
    return checkWrites(this.history);
  }

  // ---- members -------------------------------------------------------------------------------

  private async startMember(id: number): Promise<void> {
    const incarnation = (this.incarnations.get(id) ?? 0) + 1;
    this.incarnations.set(id, incarnation);
    const member = await SimMember.start(id, incarnation, this.disks.get(id)!, this.quorum, this.random.fork(), this.settings, this);
    this.members.set(id, member);
    await member.process();
  }

  private async restartMember(id: number): Promise<void> {
    this.counts.restarts++;
    this.trace(`member ${id} restarts from its disk`);
    await this.startMember(id);
  }

  private crash(member: SimMember, how: string): void {
    if (!member.alive) return;
    member.alive = false;
    this.disks.get(member.id)!.crash();
    this.counts.crashes++;
    this.trace(`member ${member.id} crashes (${how})`);
    this.dropClientsOf(member, null);
  }

  private scheduleTicks(id: number): void {
    const loop = async (): Promise<void> => {
      const member = this.members.get(id);
      if (member?.alive && member.pausedUntil <= this.queue.now) {
        await member.tick();
        // The container reaper runs every few ticks on a server.
        if (this.random.chance(0.05)) {
          member.replica.reapContainers();
          await member.process();
        }
      }
      this.queue.after(TICK_MS, loop);
    };
    this.queue.at((id * 7) % TICK_MS, loop);
  }

  private async deliver(to: number, envelope: Envelope): Promise<void> {
    const member = this.members.get(to);
    if (member === undefined || !member.alive) return;
    if (member.pausedUntil > this.queue.now) {
      // It reads its sockets when it wakes up, in the order things arrived.
      this.queue.at(member.pausedUntil, () => this.deliver(to, envelope));
      return;
    }
    if (envelope.kind === "forward") {
      // The learner's connection belonged to that leadership of that incarnation.
      const soft = member.soft;
      if (member.incarnation !== envelope.incarnation || soft.role !== "LEADING" || soft.epoch !== envelope.epoch) return;
    }
    await member.receive(envelope);
  }

  // ---- MemberWorld ---------------------------------------------------------------------------

  sendPeer(message: Message): void {
    this.network.sendPeer(message);
  }

  sendForward(from: number, to: number, request: ForwardedRequest, epoch: number): void {
    const target = this.members.get(to);
    this.network.sendForward({ kind: "forward", from, to, request, epoch, incarnation: target?.incarnation ?? -1 });
  }

  onReady(member: SimMember, r: Ready): void {
    if (r.softState !== null) {
      this.invariants.onSoftState(member.id, r.softState);
      const s = r.softState;
      this.trace(`member ${member.id}: ${s.role}${s.leader !== null ? ` leader ${s.leader}` : ""} epoch ${s.epoch}${s.serving ? " serving" : ""}`);
    }
    for (const entry of r.entries) this.invariants.onAppend(member.id, entry);
  }

  onApplied(member: SimMember, entry: Entry): void {
    this.invariants.onApply(member.id, entry);
  }

  onStateAt(member: SimMember, zxid: bigint): void {
    this.invariants.onStateAt(member.id, zxid);
  }

  async whileDiskBusy(member: SimMember): Promise<void> {
    const applied = member.replica.tree.lastProcessedZxid;
    const early = this.queue.takeDueFor(member.id, this.queue.now + this.random.between(1, DISK_BUSY_MS_MAX));
    for (const run of early) await run();
    this.counts.deliveriesDuringWrites += early.length;
    // Commits applied now were handed on past the Ready in flight (ReadyLoop.express).
    if (member.replica.tree.lastProcessedZxid > applied) this.counts.commitsDuringWrites++;
  }

  onCrash(member: SimMember): void {
    this.counts.crashesMidPersist++;
    this.crash(member, this.disks.get(member.id)!.fs.down ? "power lost during a disk write" : "fsync failed");
  }

  onClientsDropped(member: SimMember, sessionId: bigint | null): void {
    this.dropClientsOf(member, sessionId);
  }

  private dropClientsOf(member: SimMember, sessionId: bigint | null): void {
    for (const client of this.clients) {
      if (client.member !== member) continue;
      if (sessionId !== null && client.sessionId !== sessionId) continue;
      client.disconnected(sessionId !== null);
    }
  }

  // ---- clients -------------------------------------------------------------------------------

  private async createKeys(): Promise<void> {
    const leaderId = this.stableLeader()!;
    const leader = this.members.get(leaderId)!;
    let sessionId: bigint | null = null;
    leader.replica.createSession(SESSION_TIMEOUT_MS, (id) => {
      sessionId = id;
    });
    await leader.process();
    await this.runUntil(() => sessionId !== null, 10_000, "the setup session was not created");
    let created = 0;
    for (const [i, key] of this.keys.entries()) {
      const w = new JuteWriter(64);
      CreateRequest.write(w, { path: key, data: Buffer.from(INITIAL_DATA), acl: [...Ids.OPEN_ACL_UNSAFE], flags: 0 });
      const payload = w.toBuffer();
      const write = readWrite(OpCode.create, new JuteReader(payload));
      leader.replica.submitWrite({ sessionId: sessionId!, cxid: i + 1, type: OpCode.create, payload, authInfo: [] }, write, (reply) => {
        if (reply.err === 0) created++;
      });
    }
    await leader.process();
    await this.runUntil(() => created === this.keys.length, 10_000, "the keys were not created");
    this.adminSession = sessionId;
    this.trace(`created ${this.keys.join(", ")}`);
  }

  private scheduleClient(client: SimClient): void {
    const act = async (): Promise<void> => {
      if (!this.chaos) return;
      const member = client.member;
      if (member !== null && member.pausedUntil > this.queue.now) {
        this.queue.at(member.pausedUntil + this.random.between(0, 20), act);
        return;
      }
      if (!client.busy) {
        if (member === null || !member.alive) this.connectClient(client);
        else if (this.random.chance(0.01)) this.closeSession(client);
        else if (this.o.reads !== "none" && this.random.chance(0.4)) this.issueRead(client, this.random.pick(this.keys), this.o.reads);
        else this.issueWrite(client, this.random.pick(this.keys), this.random.chance(0.5));
      }
      if (client.member !== null) await client.member.process();
      this.queue.after(this.random.between(10, 120), act);
    };
    this.queue.after(this.random.between(0, 50), act);
  }

  private connectClient(client: SimClient): void {
    const candidates = this.ids.map((id) => this.members.get(id)!).filter((m) => m.alive && m.soft.serving && m.pausedUntil <= this.queue.now);
    if (candidates.length === 0) return;
    const member = this.random.pick(candidates);
    client.connect(member, SESSION_TIMEOUT_MS);
  }

  private closeSession(client: SimClient): void {
    const member = client.member;
    const sessionId = client.sessionId;
    if (member === null || sessionId === null) return;
    this.trace(`client ${client.id} closes session`);
    member.replica.submitWrite({ sessionId, cxid: 1_000_000, type: OpCode.closeSession, payload: Buffer.alloc(0), authInfo: [] }, null, () => undefined);
    client.disconnected(true);
  }

  // ---- faults -------------------------------------------------------------------------------

  private scheduleFault(): void {
    this.queue.after(this.random.between(100, 900), async () => {
      if (!this.chaos) return;
      await this.injectFault();
      this.scheduleFault();
    });
  }

  /**
   * A recorded schedule, on this simulation's clock. The member that led when the recorded
   * run began is exchanged with this simulation's leader, so faults hit the same roles.
   */
  private playSchedule(schedule: RecordedSchedule): void {
    const leader = this.stableLeader();
    const recordedLeader = schedule.leaderAtStart;
    const swap = (m: number) => (leader === null || recordedLeader === null ? m : m === recordedLeader ? leader : m === leader ? recordedLeader : m);
    for (const entry of schedule.actions) {
      this.queue.after(entry.atMs, async () => {
        if (this.chaos) await this.perform(entry.action, swap);
      });
    }
  }

  private async perform(action: FaultAction, swap: (m: number) => number): Promise<void> {
    this.trace(`scheduled: ${describeAction(action)}`);
    const member = (id: number) => this.members.get(swap(id));
    switch (action.do) {
      case "partition":
        this.counts.partitions++;
        this.network.cutPairs(action.grudge.map(([receiver, sender]) => [swap(sender), swap(receiver)]));
        return;
      case "heal-links":
        this.network.heal();
        this.network.faults = CALM_NETWORK;
        return;
      case "links":
        if (action.toxic.type === "latency" && action.clients !== true) {
          this.network.faults = {
            ...CALM_NETWORK,
            delayMinMs: Math.max(1, action.toxic.latencyMs - action.toxic.jitterMs),
            delayMaxMs: action.toxic.latencyMs + action.toxic.jitterMs,
          };
          return;
        }
        this.unmapped.push(describeAction(action));
        return;
      case "kill":
        for (const id of action.members) {
          const m = member(id);
          if (m?.alive) this.crash(m, "kill -9 (scheduled)");
        }
        return;
      case "start":
        for (const id of action.members) if (!member(id)?.alive) await this.restartMember(swap(id));
        return;
      case "pause":
        for (const id of action.members) {
          const m = member(id);
          if (m !== undefined) {
            m.pausedUntil = Number.MAX_SAFE_INTEGER;
            this.counts.pauses++;
          }
        }
        return;
      case "resume":
        for (const id of action.members) {
          const m = member(id);
          if (m !== undefined && m.pausedUntil > this.queue.now) m.pausedUntil = this.queue.now;
        }
        return;
      default:
        this.unmapped.push(describeAction(action));
    }
  }

  private async injectFault(): Promise<void> {
    const alive = this.ids.filter((id) => this.members.get(id)?.alive);
    const dead = this.ids.filter((id) => !this.members.get(id)?.alive);
    const roll = this.random.below(100);
    if (roll < 20 && alive.length > 0) {
      const leader = this.stableLeader();
      const id = leader !== null && this.random.chance(0.5) ? leader : this.random.pick(alive);
      const member = this.members.get(id)!;
      if (this.random.chance(0.5)) {
        const fs = this.disks.get(id)!.fs;
        if (this.random.chance(0.25)) {
          // Its next fsync fails: the server must stop, not trust what it wrote.
          fs.failSync();
          this.trace(`member ${id}'s next fsync will fail`);
        } else {
          // Power fails while it writes, tearing the write in progress.
          const changes = this.random.between(0, 12);
          fs.crashAfter(changes);
          this.trace(`member ${id} will lose power during a disk write (after ${changes} changes)`);
        }
        this.queue.after(300, () => {
          if (this.chaos && member.alive && fs.armed) {
            fs.disarm();
            this.crash(member, "armed disk fault that found no write");
          }
        });
      } else {
        this.crash(member, "kill -9");
      }
    } else if (roll < 28 && alive.length > 0) {
      // A process pause long enough for the others to give up on it (often the leader's).
      const leader = this.stableLeader();
      const id = leader !== null && this.random.chance(0.7) ? leader : this.random.pick(alive);
      const member = this.members.get(id)!;
      const pauseMs = this.random.between(200, 1500);
      member.pausedUntil = this.queue.now + pauseMs;
      this.counts.pauses++;
      this.trace(`member ${id} pauses for ${pauseMs} ms`);
    } else if (roll < 40 && dead.length > 0) {
      await this.restartMember(this.random.pick(dead));
    } else if (roll < 60) {
      this.partition();
    } else if (roll < 75) {
      this.network.heal();
      this.trace("network heals");
    } else if (roll < 90) {
      this.network.faults = {
        dropRate: this.random.chance(0.5) ? this.random.below(20) / 100 : 0,
        duplicateRate: this.random.chance(0.5) ? this.random.below(10) / 100 : 0,
        reorderRate: this.random.chance(0.3) ? this.random.below(5) / 100 : 0,
        delayMinMs: 1,
        delayMaxMs: this.random.between(5, 80),
      };
      this.trace(`network turbulence ${JSON.stringify(this.network.faults)}`);
    } else if (roll < 94 || alive.length === 0) {
      this.network.faults = CALM_NETWORK;
      this.trace("network calm");
    } else {
      this.reconfigure(alive);
    }
  }

  /**
   * An administrator asks a serving member for a new configuration over every server (at
   * least three voters), as ZooKeeper's non-incremental reconfig. Whatever the answer (a
   * refusal while one is in flight or without a synced quorum is fine), the invariants and
   * the final checks must hold.
   */
  private reconfigure(alive: readonly number[]): void {
    const member = this.members.get(this.random.pick(alive))!;
    if (!member.soft.serving || this.adminSession === null) return;
    const order = this.ids
      .map((id) => ({ id, r: this.random.uint32() }))
      .sort((a, b) => a.r - b.r)
      .map((x) => x.id);
    const voters = new Set(order.slice(0, this.random.between(3, this.ids.length)));
    const newMembers = this.ids.map((id) => `server.${id}=${serverSpec(addressOf(id, voters.has(id)))}`).join(",");
    const w = new JuteWriter(256);
    ReconfigRequest.write(w, { joiningServers: null, leavingServers: null, newMembers, curConfigId: -1n });
    const payload = w.toBuffer();
    const write = readWrite(OpCode.reconfig, new JuteReader(payload));
    const cxid = ++this.adminCxid;
    this.trace(`reconfig to voters ${[...voters].sort().join(",")} through member ${member.id}`);
    member.replica.submitWrite({ sessionId: this.adminSession, cxid, type: OpCode.reconfig, payload, authInfo: [] }, write, (reply) =>
      this.trace(`reconfig answered ${reply.err === 0 ? "ok" : `error ${reply.err}`}`),
    );
  }

  private partition(): void {
    this.counts.partitions++;
    const leader = this.stableLeader();
    if (leader !== null && this.random.chance(0.4)) {
      this.network.partition([[leader], this.ids.filter((id) => id !== leader)]);
      this.trace(`partition: leader ${leader} isolated`);
      return;
    }
    const shuffled = this.ids
      .map((id) => ({ id, r: this.random.uint32() }))
      .sort((a, b) => a.r - b.r)
      .map((x) => x.id);
    const cutAt = this.random.between(1, shuffled.length - 1);
    const groups = [shuffled.slice(0, cutAt), shuffled.slice(cutAt)];
    this.network.partition(groups);
    this.trace(`partition: ${groups.map((g) => g.join(" ")).join(" | ")}`);
  }

  // ---- observations ---------------------------------------------------------------------------

  /** The established leader every serving member agrees on, if there is one. */
  private stableLeader(): number | null {
    for (const id of this.ids) {
      const m = this.members.get(id);
      if (m?.alive && m.soft.role === "LEADING" && m.soft.serving) return id;
    }
    return null;
  }

  private allServing(): boolean {
    const leader = this.stableLeader();
    if (leader === null) return false;
    return this.ids.every((id) => {
      const m = this.members.get(id);
      return m !== undefined && m.alive && m.soft.serving && (m.soft.leader === leader || id === leader);
    });
  }

  private describeMembers(): string {
    return this.ids
      .map((id) => {
        const m = this.members.get(id);
        if (m === undefined || !m.alive) return `${id}: down`;
        const s = m.status();
        const tree = formatZxid(m.replica.tree.lastProcessedZxid);
        return `${id}: ${s.role}${s.serving ? "+" : ""} e${s.epoch} last ${formatZxid(s.lastZxid)} applied ${formatZxid(s.appliedZxid)} tree ${tree}`;
      })
      .join("; ");
  }

  stats(): SimulationStats {
    const count = (type: string) => this.history.filter((e) => e.type === type).length;
    return {
      writes: { ok: count("ok"), fail: count("fail"), info: count("info") },
      ...this.counts,
      leaders: this.invariants.leaders().size,
      messages: Object.fromEntries(this.network.sent),
      dropped: this.network.dropped,
      duplicated: this.network.duplicated,
      snapshots: [...this.disks.values()].reduce((sum, d) => sum + d.snapshotsTaken, 0),
      fsyncFailures: [...this.disks.values()].reduce((sum, d) => sum + d.fs.stats.fsyncFailures, 0),
      lostWrites: [...this.disks.values()].reduce((sum, d) => sum + d.fs.stats.lostChanges, 0),
      tornWrites: [...this.disks.values()].reduce((sum, d) => sum + d.fs.stats.tornWrites, 0),
      logRepairs: [...this.disks.values()].reduce((sum, d) => sum + d.logRepairs, 0),
      committed: this.invariants.committed.length,
      reconfigs: this.invariants.reconfigs,
      simulatedMs: this.queue.now,
      recoveryMs: this.recoveryMs,
    };
  }
}

/** The simulation's stand-in addresses: nothing connects to them, but configurations name them. */
function addressOf(id: number, voter: boolean): QuorumMember {
  return {
    id,
    host: "127.0.0.1",
    quorumPort: 10_000 + id,
    electionPort: 20_000 + id,
    role: voter ? "participant" : "observer",
    clientHost: "127.0.0.1",
    clientPort: 30_000 + id,
  };
}

function serverSpec(a: QuorumMember): string {
  return `${a.host}:${a.quorumPort}:${a.electionPort}:${a.role};${a.clientHost}:${a.clientPort}`;
}

function diffLines(a: string, b: string): string {
  const left = a.split("\n");
  const right = b.split("\n");
  const out: string[] = [];
  for (let i = 0; i < Math.max(left.length, right.length) && out.length < 10; i++) {
    if (left[i] !== right[i]) out.push(`  - ${left[i] ?? "(none)"}\n  + ${right[i] ?? "(none)"}`);
  }
  return out.join("\n");
}
