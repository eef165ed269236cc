import {
  type Entry,
  MajorityQuorumVerifier,
  type Membership,
  type Message,
  type PersistedState,
  type ProposeResult,
  type Ready,
  SeededRng,
  ZabPeer,
  type Zxid,
  appliesBeforePersist,
  formatZxid,
} from "../../src/index.js";
import { formatMessage, formatReady, text } from "./format.js";
import { InvariantChecker, InvariantViolation } from "./invariants.js";

const encoder = new TextEncoder();
const decoder = new TextDecoder();

export function bytes(s: string): Uint8Array {
  return encoder.encode(s);
}

/** The simulated state machine is the list of applied entries; its snapshot is that list as JSON. */
export function encodeState(applied: readonly Entry[]): Uint8Array {
  return bytes(JSON.stringify(applied.map((e) => [e.zxid.toString(), text(e.data)])));
}

export function decodeState(data: Uint8Array): Entry[] {
  const rows = JSON.parse(decoder.decode(data)) as [string, string][];
  return rows.map(([z, d]) => ({ zxid: BigInt(z), data: bytes(d) }));
}

/**
 * The scenarios' reconfig transactions: "reconfig voters=1,2,4 observers=5" (observers may
 * be left out); every other transaction leaves the membership alone.
 */
export function membershipOf(e: Entry): Membership | null {
  const m = /^reconfig voters=([\d,]+)(?: observers=([\d,]*))?$/.exec(text(e.data));
  if (m === null) return null;
  const ids = (list: string | undefined) => (list === undefined || list === "" ? [] : list.split(",").map(Number));
  return { version: e.zxid, voters: ids(m[1]), observers: ids(m[2]), data: e.data };
}

/** What survives a crash: only what a processed Ready persisted. */
export class SimDisk {
  acceptedEpoch = 0;
  currentEpoch = 0;
  membership: Membership | null = null;
  snapshot: { zxid: Zxid; data: Uint8Array } | null = null;
  log: Entry[] = [];

  recovered(): PersistedState {
    const snapshotZxid = this.snapshot?.zxid ?? 0n;
    return {
      acceptedEpoch: this.acceptedEpoch,
      currentEpoch: this.currentEpoch,
      snapshotZxid,
      entries: this.log.filter((e) => e.zxid > snapshotZxid),
      membership: this.membership,
    };
  }
}

export interface ClusterOptions {
  readonly voters: number;
  readonly observers?: number;
  readonly seed?: number;
  readonly initLimit?: number;
  readonly syncLimit?: number;
  readonly logRetainEntries?: number;
  readonly zxidCounterMax?: number;
  readonly unsafeCommitWithoutQuorum?: boolean;
}

export class SimNode {
  peer: ZabPeer | null = null;
  /** A Ready taken and not yet persisted (processReady with stayInFlight). */
  inFlight: { r: Ready; lines: string[]; applied: boolean } | null = null;
  readonly disk = new SimDisk();
  applied: Entry[] = [];
  incarnation = 0;
  syncsDone: number[] = [];
  syncsFailed: number[] = [];

  /** `config`: the configuration this server was started with (a joining server's differs). */
  constructor(
    readonly id: number,
    readonly config: MajorityQuorumVerifier,
  ) {}

  lastApplied(): Zxid {
    return this.applied[this.applied.length - 1]?.zxid ?? 0n;
  }
}

/**
 * An ensemble of ZabPeers in one process: FIFO queues per directed pair, partitions,
 * crashes that keep only the disk, and the invariant checker watching every Ready.
 */
export class Cluster {
  readonly nodes = new Map<number, SimNode>();
  readonly queues = new Map<string, Message[]>();
  readonly checker = new InvariantChecker();
  /** When set, a readable log of the run (Readies, deliveries, faults) for replays. */
  trace: string[] | null = null;
  /** Messages stepped into a live peer, by type: shows what a run exercised. */
  readonly delivered = new Map<string, number>();
  /** Writes learners forwarded that their leader proposed (submit). */
  forwardedWrites = 0;
  /** Messages and commits handed on while their node's Ready was in flight (express). */
  expressed = 0;
  private group: Map<number, number> | null = null;
  private readonly config: MajorityQuorumVerifier;
  /** The configuration in force ensemble-wide, as committed reconfigs change it. */
  private active: { voters: readonly number[] };

  constructor(readonly options: ClusterOptions) {
    const voters = Array.from({ length: options.voters }, (_, i) => i + 1);
    const observers = Array.from({ length: options.observers ?? 0 }, (_, i) => options.voters + i + 1);
    this.config = new MajorityQuorumVerifier(voters, observers);
    this.active = this.config;
    for (const id of [...voters, ...observers]) {
      const node = new SimNode(id, this.config);
      this.nodes.set(id, node);
      this.start(node);
    }
  }

  /** Starts a server that is not in the ensemble's configuration yet, with a configuration of its own. */
  join(id: number, voters: readonly number[], observers: readonly number[]): void {
    if (this.nodes.has(id)) throw new Error(`node ${id} exists`);
    const node = new SimNode(id, new MajorityQuorumVerifier(voters, observers));
    this.nodes.set(id, node);
    this.note(`join ${id}`);
    this.start(node);
  }

  ids(): number[] {
    return [...this.nodes.keys()];
  }

  node(id: number): SimNode {
    const n = this.nodes.get(id);
    if (n === undefined) throw new Error(`no node ${id}`);
    return n;
  }

  private start(node: SimNode): void {
    node.incarnation += 1;
    const seed = ((this.options.seed ?? 0) * 1000003 + node.id * 7919 + node.incarnation * 104729) | 0;
    node.peer = new ZabPeer({
      id: node.id,
      config: node.config,
      membershipOf,
      rng: new SeededRng(seed),
      storage: node.disk.recovered(),
      initLimit: this.options.initLimit ?? 10,
      syncLimit: this.options.syncLimit ?? 5,
      logRetainEntries: this.options.logRetainEntries ?? 500,
      ...(this.options.zxidCounterMax === undefined ? {} : { zxidCounterMax: this.options.zxidCounterMax }),
      ...(this.options.unsafeCommitWithoutQuorum ? { unsafeCommitWithoutQuorum: true } : {}),
    });
    node.applied = node.disk.snapshot === null ? [] : decodeState(node.disk.snapshot.data);
  }

  private note(line: string): void {
    if (this.trace !== null && !/PING/.test(line)) this.trace.push(line);
  }

  crash(id: number): void {
    this.note(`crash ${id}`);
    const node = this.node(id);
    node.peer = null;
    node.applied = [];
    node.inFlight = null;
  }

  restart(id: number): void {
    const node = this.node(id);
    if (node.peer !== null) return;
    this.note(`restart ${id}`);
    this.start(node);
  }

  partition(groups: number[][]): void {
    this.note(`partition ${groups.map((g) => g.join(" ")).join(" | ")}`);
    this.group = new Map();
    groups.forEach((g, i) => {
      for (const id of g) this.group?.set(id, i);
    });
  }

  heal(): void {
    if (this.group !== null) this.note("heal");
    this.group = null;
  }

  connected(a: number, b: number): boolean {
    return this.group === null || this.group.get(a) === this.group.get(b);
  }

  tick(id: number): void {
    this.node(id).peer?.tick();
    this.express(id);
  }

  /**
   * A client's write taken by node `id`, as a server takes it: a leader proposes it; a serving
   * learner's server forwards it to its leader's server over their connection (ZooKeeper's
   * Learner.request), which proposes it on arrival if it still leads that epoch. The cores
   * take no part in the forwarding. Null when the node is down.
   */
  submit(id: number, data: Uint8Array): { result: ProposeResult; forwardedTo: number | null } | null {
    const peer = this.node(id).peer;
    if (peer === null) return null;
    const s = peer.status();
    if (s.role !== "FOLLOWING" && s.role !== "OBSERVING") {
      const result = peer.propose(data);
      this.express(id);
      return { result, forwardedTo: null };
    }
    if (!s.serving || s.leader === null) return { result: { kind: "dropped", reason: "not connected to a leader" }, forwardedTo: null };
    const leader = this.node(s.leader).peer;
    const leads = leader !== null && this.connected(id, s.leader) && leader.status().role === "LEADING" && leader.status().epoch === s.epoch;
    this.note(`forward ${id}->${s.leader}`);
    if (!leads) return { result: { kind: "dropped", reason: "the connection to the leader is gone" }, forwardedTo: s.leader };
    const result = leader.propose(data);
    this.express(s.leader);
    if (result.kind === "proposed") this.forwardedWrites += 1;
    return { result, forwardedTo: s.leader };
  }

  pendingPairs(): string[] {
    return [...this.queues.entries()].filter(([, q]) => q.length > 0).map(([k]) => k);
  }

  hasMessages(): boolean {
    return this.pendingPairs().length > 0;
  }

  /**
   * Handles one Ready as a server would: persist, send, apply, advance. With
   * `crashAfterOps`, the node dies after that many persistence steps (a torn write). With
   * `stayInFlight`, the Ready is only begun (what a server does before its disk write
   * returns: an established leader's broadcast sent, commits applied when the Ready allows)
   * and stays in flight: inputs meanwhile hand on what the core lets through (express), and
   * the next processReady finishes it. A Ready already in flight is finished first.
   */
  processReady(id: number, crashAfterOps?: number, stayInFlight = false): string[] {
    const node = this.node(id);
    const peer = node.peer;
    if (peer === null) return [];
    if (node.inFlight === null) {
      if (!peer.hasReady()) return [];
      const r = peer.ready();
      const lines = formatReady(id, r);
      for (const l of lines) this.note(l);
      node.inFlight = { r, lines, applied: appliesBeforePersist(r) };
      if (r.softState !== null) this.checker.onSoftState(id, r.softState);
      if (r.sendBeforePersist) for (const m of r.messages) this.enqueue(m);
      if (node.inFlight.applied) this.apply(node, r.committed, r.syncsDone);
      if (stayInFlight) {
        this.note(`  ${id} persists in the background`);
        this.express(id);
        return lines;
      }
    }
    const { r, lines, applied } = node.inFlight;
    node.inFlight = null;
    const steps = persistSteps(node, r);
    const limit = crashAfterOps === undefined ? steps.length : Math.min(crashAfterOps, steps.length);
    for (let i = 0; i < limit; i++) (steps[i] as () => void)();
    if (limit < steps.length || crashAfterOps !== undefined) {
      this.crash(id);
      lines.push(`  crashed after ${limit} of ${steps.length} persistence steps`);
      return lines;
    }
    if (r.snapshot !== null) node.applied = decodeState(r.snapshot.data);
    for (const e of r.entries) this.checker.onAppend(id, e);
    if (!r.sendBeforePersist) for (const m of r.messages) this.enqueue(this.fillSnapshot(node, m));
    if (!applied) this.apply(node, r.committed, r.syncsDone);
    node.syncsFailed.push(...r.syncsFailed);
    peer.advance();
    return lines;
  }

  /** After an input to a node whose Ready is in flight: what the core lets through goes now, as PeerDriver does. */
  private express(id: number): void {
    const node = this.node(id);
    if (node.inFlight === null || node.peer === null) return;
    const x = node.peer.express();
    if (x === null) return;
    this.note(`express ${id}: ${x.messages.length} messages, ${x.committed.length} commits`);
    for (const m of x.messages) this.enqueue(m);
    this.apply(node, x.committed, x.syncsDone);
    this.expressed += x.committed.length + x.messages.length;
  }

  private apply(node: SimNode, committed: readonly Entry[], syncsDone: readonly number[]): void {
    for (const e of committed) {
      node.applied.push(e);
      const first = this.checker.onApply(node.id, node.applied);
      if (first) {
        this.checkDurable(e.zxid, this.active.voters);
        const reconfig = membershipOf(e);
        if (reconfig !== null) {
          // A reconfig needs a quorum of the old and of the new configuration.
          this.checkDurable(e.zxid, reconfig.voters);
          this.active = reconfig;
        }
      }
    }
    node.syncsDone.push(...syncsDone);
  }

  /** An entry is first applied anywhere only once a majority of the voters' disks hold it. */
  private checkDurable(zxid: Zxid, voters: readonly number[]): void {
    const holders = voters.filter((v) => {
      const disk = this.nodes.get(v)?.disk;
      return disk !== undefined && ((disk.snapshot !== null && disk.snapshot.zxid >= zxid) || disk.log.some((e) => e.zxid === zxid));
    });
    if (holders.length * 2 <= voters.length) {
      throw new InvariantViolation(`${formatZxid(zxid)} was applied while only ${holders.length} of ${voters.length} voters had it on disk`);
    }
  }

  private fillSnapshot(node: SimNode, m: Message): Message {
    if (m.type !== "SNAP") return m;
    if (m.zxid !== node.lastApplied()) {
      throw new Error(`SNAP at ${m.zxid} but node ${node.id} has applied through ${node.lastApplied()}`);
    }
    return { ...m, snapshot: encodeState(node.applied) };
  }

  private enqueue(m: Message): void {
    const key = `${m.from}>${m.to}`;
    let q = this.queues.get(key);
    if (q === undefined) {
      q = [];
      this.queues.set(key, q);
    }
    q.push(m);
  }

  /** Delivers (or loses, across a partition or to a dead node) message `index` of a queue. */
  deliver(key: string, index = 0, keepCopy = false): string {
    const q = this.queues.get(key);
    if (q === undefined || q.length <= index) throw new Error(`no message ${index} on ${key}`);
    const m = q[index] as Message;
    if (!keepCopy) q.splice(index, 1);
    const line = formatMessage(m);
    const target = this.node(m.to);
    this.note(`deliver ${line}${index > 0 ? " (out of order)" : ""}${keepCopy ? " (duplicated)" : ""}`);
    if (target.peer === null) return `${line} (lost: ${m.to} is down)`;
    if (!this.connected(m.from, m.to)) return `${line} (lost: partitioned)`;
    target.peer.step(m);
    this.express(m.to);
    this.delivered.set(m.type, (this.delivered.get(m.type) ?? 0) + 1);
    return line;
  }

  drop(key: string): void {
    const m = this.queues.get(key)?.shift();
    if (m !== undefined) this.note(`drop ${formatMessage(m)}`);
  }

  /** Every queued message to the given nodes, queue by queue in id order. */
  deliverAll(to?: readonly number[]): string[] {
    const lines: string[] = [];
    const keys = [...this.queues.keys()].sort(byPair);
    for (const key of keys) {
      const dest = Number(key.split(">")[1]);
      if (to !== undefined && !to.includes(dest)) continue;
      const q = this.queues.get(key) as Message[];
      const count = q.length;
      for (let i = 0; i < count; i++) lines.push(this.deliver(key));
    }
    return lines;
  }

  /** Takes a snapshot of a node's applied state and drops the log it covers (a server's snapshot + purge). */
  compact(id: number): void {
    const node = this.node(id);
    if (node.peer === null || node.applied.length === 0) return;
    const zxid = node.lastApplied();
    node.disk.snapshot = { zxid, data: encodeState(node.applied) };
    node.disk.log = node.disk.log.filter((e) => e.zxid > zxid);
  }
}

function byPair(a: string, b: string): number {
  const [af, at] = a.split(">").map(Number) as [number, number];
  const [bf, bt] = b.split(">").map(Number) as [number, number];
  return af - bf || at - bt;
}

/** The persistence of one Ready as separate steps, in the documented order. */
function persistSteps(node: SimNode, r: Ready): (() => void)[] {
  const disk = node.disk;
  const steps: (() => void)[] = [];
  const snapshot = r.snapshot;
  if (snapshot !== null) {
    steps.push(() => {
      disk.snapshot = snapshot;
      disk.log = [];
    });
  }
  const truncateTo = r.truncateTo;
  if (truncateTo !== null) steps.push(() => (disk.log = disk.log.filter((e) => e.zxid <= truncateTo)));
  for (const e of r.entries) {
    steps.push(() => {
      const last = disk.log[disk.log.length - 1];
      if (last !== undefined && last.zxid >= e.zxid) throw new Error(`disk append out of order on ${node.id}`);
      disk.log.push(e);
    });
  }
  const hard = r.hardState;
  if (hard !== null) {
    steps.push(() => {
      disk.acceptedEpoch = hard.acceptedEpoch;
      disk.currentEpoch = hard.currentEpoch;
    });
  }
  const membership = r.membership;
  if (membership !== null) steps.push(() => (disk.membership = membership));
  return steps;
}
