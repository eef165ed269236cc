import { setTimeout as sleep } from "node:timers/promises";
import {
  CreateRequest,
  DeleteRequest,
  ExistsRequest,
  GetChildren2Request,
  GetChildren2Response,
  GetDataRequest,
  type JuteWriter,
  OpCode,
  SetDataRequest,
  SetWatches,
  SyncRequest,
  Xid,
  errorCodeName,
  eventTypeName,
} from "@zkts/jute";
import {
  type EnsembleMember,
  type EnsembleOptions,
  type RunningEnsemble,
  pauseProcess,
  resumeProcess,
  startReferenceEnsemble,
  startZktsEnsemble,
} from "@zkts/testkit";
import { describe, expect, it } from "vitest";
import { OPEN_ACL } from "./conformance/recorder.js";
import { type RawArrival, type RawReply, RawSession } from "./conformance/raw-session.js";

/**
 * A session's watches when the session moves from one ensemble member to another, on a 3-member
 * ZooKeeper 3.8 ensemble and on zkts, with a bare protocol client that records every frame it
 * receives, in order, on every connection it had:
 *
 * - the member holding the session (the leader) is SIGKILLed with a child watch set; the session
 *   moves to a survivor and sends SetWatches (as the Java and zkts clients do on reconnect) and
 *   also reads the children again with a watch (as kazoo's ChildrenWatch does), which arms the
 *   one watch twice; another member's client then creates x, the session itself creates y and
 *   deletes x, and each change must reach the session as exactly one NodeChildrenChanged;
 * - a session drops its connection with a data, an exists and a child watch set, the three
 *   nodes change while it is away, and it resumes on another member with SetWatches: each
 *   watch fires at once, once, and the changes after that fire nothing;
 * - the session reads the same nodes again with watches, so it has seen the zxid of every
 *   change, moves back with SetWatches relative to that zxid: nothing fires at once (ZooKeeper
 *   fires only for changes after relativeZxid), and the next change of each fires once;
 * - the session's member is a follower whose leader dies: the follower closes its clients
 *   while it elects and syncs, a change is made meanwhile, and the session comes back to the
 *   same follower with SetWatches: one event at once, then one per change;
 * - a session reconnects to a follower whose leader is stopped: it is not taken.
 *
 * What kazoo-data's ChildrenWatch once reported twice after the matrix killed the leader came
 * from neither server sending an event twice: the events here are the same on both, one per
 * change. kazoo 2.8 sends no SetWatches; on a connection loss it drops its watches, and
 * ChildrenWatch reads the children again on each reconnection. When a connection is taken and
 * lost within moments, the read the first reconnection started fails and is retried while the
 * second reconnection's read waits behind it, and that second read reports what it reads even
 * when the first just reported the same. zkts made such connections where ZooKeeper does not:
 * its follower answered a reconnecting session from its own session table before it had
 * noticed its leader's death, then dropped the client as it went looking for a new leader. A
 * zkts learner now waits for its leader's answer, as ZooKeeper's does (the last scenario).
 */

type Kind = "reference" | "zkts";

const ENSEMBLE: EnsembleOptions = {
  voters: 3,
  tickTime: 200,
  // A 200 ms tick clamps sessions to 4 s; the session must outlive the election and its move.
  config: { maxSessionTimeout: "30000" },
};
const SESSION_TIMEOUT_MS = 20_000;
const EVENT_WAIT_MS = 10_000;
const observed = new Map<Kind, unknown>();

/**
 * One session over the connections it had, the latest of them current. It keeps the zxid of
 * the last reply (as clients do: events carry none in 3.8) for its reconnect and SetWatches.
 */
class MovingSession {
  sessionId = 0n;
  passwd: Buffer = Buffer.alloc(16);
  lastZxid = 0n;
  private readonly connections: { name: string; raw: RawSession; replies: Map<number, string> }[] = [];
  private xid = 0;

  /** A new session on `member`; `name` labels its frames in the transcript. */
  static async open(member: EnsembleMember, name: string): Promise<MovingSession> {
    const session = new MovingSession();
    const raw = await RawSession.connect(member.server.port, { timeoutMs: SESSION_TIMEOUT_MS });
    session.sessionId = raw.sessionId;
    session.passwd = raw.passwd;
    session.connections.push({ name, raw, replies: new Map() });
    return session;
  }

  private get current() {
    return this.connections[this.connections.length - 1]!;
  }

  /** Drops the connection without closing the session, as a client whose network failed. */
  drop(): void {
    this.current.raw.drop();
  }

  /**
   * Resumes the session on `member`. A member that is electing, syncing, or behind the
   * session's last zxid closes the connection during the handshake; the client tries again.
   */
  async moveTo(member: EnsembleMember, name: string, timeoutMs = 30_000): Promise<void> {
    this.drop();
    const deadline = performance.now() + timeoutMs;
    for (;;) {
      const raw = await RawSession.connect(member.server.port, {
        timeoutMs: SESSION_TIMEOUT_MS,
        sessionId: this.sessionId,
        passwd: this.passwd,
        lastZxidSeen: this.lastZxid,
      }).catch(() => null);
      if (raw !== null && raw.timeOut <= 0) throw new Error(`session 0x${this.sessionId.toString(16)} expired before it reached ${name}`);
      if (raw !== null) {
        this.connections.push({ name, raw, replies: new Map() });
        return;
      }
      if (performance.now() > deadline) throw new Error(`server ${member.id} did not take the session within ${timeoutMs} ms`);
      await sleep(100);
    }
  }

  /**
   * Sends one request on the current connection. The transcript shows `label`, then what
   * `result` reads from a successful reply, or the error's name.
   */
  async send(
    type: number,
    body: Parameters<RawSession["request"]>[1],
    label: string,
    result?: (reply: RawReply) => string,
    xid = ++this.xid,
  ): Promise<RawReply> {
    const { raw, replies } = this.current;
    const reply = await raw.request(type, body, xid);
    if (reply.zxid > 0n) this.lastZxid = reply.zxid;
    const outcome = reply.err === 0 ? (result?.(reply) ?? "") : ` → ${errorCodeName.get(reply.err) ?? reply.err}`;
    replies.set(xid, `${label}${outcome}`);
    // An exists that finds no node answers NONODE, and its watch is set all the same.
    if (reply.err !== 0 && !(type === OpCode.exists && errorCodeName.get(reply.err) === "NONODE")) throw new Error(`${label}${outcome}`);
    return reply;
  }

  create(path: string): Promise<RawReply> {
    return this.send(OpCode.create, (w) => CreateRequest.write(w, { path, data: null, acl: OPEN_ACL, flags: 0 }), `create ${path}`);
  }

  delete(path: string): Promise<RawReply> {
    return this.send(OpCode.delete, (w) => DeleteRequest.write(w, { path, version: -1 }), `delete ${path}`);
  }

  setData(path: string, data: string): Promise<RawReply> {
    return this.send(OpCode.setData, (w) => SetDataRequest.write(w, { path, data: Buffer.from(data), version: -1 }), `setData ${path}`);
  }

  getData(path: string, watch: boolean): Promise<RawReply> {
    return this.send(OpCode.getData, (w) => GetDataRequest.write(w, { path, watch }), `getData ${path}${watch ? " watch" : ""}`);
  }

  exists(path: string, watch: boolean): Promise<RawReply> {
    return this.send(OpCode.exists, (w) => ExistsRequest.write(w, { path, watch }), `exists ${path}${watch ? " watch" : ""}`);
  }

  /** The children sorted (ZooKeeper lists them in hash order). */
  getChildren(path: string, watch: boolean): Promise<RawReply> {
    const children = (reply: RawReply) => ` → [${[...(GetChildren2Response.read(reply.body).children ?? [])].sort().join(", ")}]`;
    return this.send(OpCode.getChildren2, (w) => GetChildren2Request.write(w, { path, watch }), `getChildren ${path}${watch ? " watch" : ""}`, children);
  }

  /** SetWatches under the Java client's xid, relative to the session's last zxid. */
  setWatches(lists: { data?: string[]; exist?: string[]; child?: string[] }): Promise<RawReply> {
    const { data = [], exist = [], child = [] } = lists;
    const relativeZxid = this.lastZxid;
    const label = `setWatches data [${data.join(", ")}] exist [${exist.join(", ")}] child [${child.join(", ")}]`;
    const body = (w: JuteWriter) => SetWatches.write(w, { relativeZxid, dataWatches: data, existWatches: exist, childWatches: child });
    return this.send(OpCode.setWatches, body, label, undefined, Xid.setWatches);
  }

  sync(): Promise<RawReply> {
    return this.send(OpCode.sync, (w) => SyncRequest.write(w, { path: "/" }), "sync");
  }

  /**
   * Waits until the session has had `count` events in all, then lets any late duplicate
   * arrive: a while, then a sync (answered once the member has applied what the leader had
   * committed when it asked).
   */
  async settleAt(count: number): Promise<void> {
    await this.waitForEvents(count);
    await sleep(500);
    await this.sync();
  }

  async waitForEvents(count: number): Promise<void> {
    const deadline = performance.now() + EVENT_WAIT_MS;
    while (this.eventCount() < count && performance.now() < deadline) await sleep(20);
  }

  eventCount(): number {
    return this.connections.reduce((n, c) => n + c.raw.arrivals.filter((a) => a.kind === "event").length, 0);
  }

  /** Every frame every connection received, in order: events with their header's zxid, replies as described. */
  transcript(): string[] {
    return this.connections.flatMap(({ name, raw, replies }) =>
      raw.arrivals.map((a: RawArrival) =>
        a.kind === "event"
          ? `${name}: event ${eventTypeName.get(a.event.type) ?? a.event.type} ${a.event.path} (zxid ${a.zxid})`
          : `${name}: ${replies.get(a.xid) ?? `reply to xid ${a.xid}`}`,
      ),
    );
  }
}

/**
 * The leader holding a child watch dies; the session moves to a survivor. Another member's
 * client creates x; the session itself creates y and deletes x.
 */
async function leaderDies(ensemble: RunningEnsemble): Promise<{ transcript: string[]; killed: EnsembleMember; survivors: EnsembleMember[] }> {
  const leader = await ensemble.waitForLeader();
  const survivors = ensemble.members.filter((m) => m !== leader);
  const session = await MovingSession.open(leader, "leader");
  await session.create("/kids");
  await session.getChildren("/kids", true);
  await leader.server.kill();
  await ensemble.waitForLeader();
  await session.moveTo(survivors[0]!, "survivor");
  await session.setWatches({ child: ["/kids"] });
  await session.getChildren("/kids", true);
  const writer = await MovingSession.open(survivors[1]!, "writer");
  try {
    await writer.create("/kids/x");
    await session.waitForEvents(1);
    await session.getChildren("/kids", true);
    // The session's own writes, as kazoo-data's: the event comes before the write's reply.
    await session.create("/kids/y");
    await session.waitForEvents(2);
    await session.getChildren("/kids", true);
    await session.delete("/kids/x");
    await session.waitForEvents(3);
    await session.getChildren("/kids", false);
    await session.settleAt(3);
  } finally {
    writer.drop();
    session.drop();
  }
  return { transcript: session.transcript(), killed: leader, survivors };
}

/**
 * Between two members: changes while the session is away fire its watches once, on
 * SetWatches; after the session has read them, a move fires nothing until the next change.
 */
async function changesWhileAway(a: EnsembleMember, b: EnsembleMember): Promise<string[]> {
  const writer = await MovingSession.open(b, "writer");
  const session = await MovingSession.open(a, "first");
  const watches = { data: ["/away"], exist: ["/away-born"], child: ["/away"] };
  try {
    await writer.create("/away");
    await session.sync();
    await session.getData("/away", true);
    await session.exists("/away-born", true);
    await session.getChildren("/away", true);
    session.drop();
    // Through the member the session moves to, so it has applied them before the handshake.
    await writer.create("/away/x");
    await writer.setData("/away", "while away");
    await writer.create("/away-born");
    await session.moveTo(b, "second");
    await session.setWatches(watches);
    // Fired already: these fire nothing.
    await writer.create("/away/y");
    await writer.setData("/away", "after the move");
    await writer.delete("/away-born");
    await session.settleAt(3);

    // The session reads everything again, with watches, so its last zxid covers every change.
    await session.getData("/away", true);
    await session.exists("/away-born", true);
    await session.getChildren("/away", true);
    await session.moveTo(a, "third");
    await session.setWatches(watches);
    await session.settleAt(3);
    await writer.delete("/away/x");
    await writer.setData("/away", "back");
    await writer.create("/away-born");
    await session.settleAt(6);
  } finally {
    writer.drop();
    session.drop();
  }
  return session.transcript();
}

/**
 * A follower's leader dies with the session's child watch set there: the follower closes its
 * clients while it elects and syncs, a change is made meanwhile, and the session comes back to
 * the same follower with SetWatches.
 */
async function followerComesBack(ensemble: RunningEnsemble): Promise<string[]> {
  const leader = await ensemble.waitForLeader();
  const follower = ensemble.members.find((m) => m !== leader)!;
  const session = await MovingSession.open(follower, "follower");
  let writer: MovingSession | undefined;
  try {
    await session.create("/back");
    await session.getChildren("/back", true);
    await leader.server.kill();
    await ensemble.waitForLeader();
    // Through the follower, so it has applied x before the session is back.
    writer = await MovingSession.open(follower, "writer");
    await writer.create("/back/x");
    await session.moveTo(follower, "follower again");
    await session.setWatches({ child: ["/back"] });
    await session.waitForEvents(1);
    await session.getChildren("/back", true);
    await session.create("/back/y");
    await session.settleAt(2);
  } finally {
    writer?.drop();
    session.drop();
  }
  return session.transcript();
}

/**
 * How a follower answers a session that reconnects while its leader is stopped (SIGSTOP), so
 * the follower has not noticed yet that it has none: ZooKeeper's learner asks its leader
 * (REVALIDATE) and answers only with the leader's word, so the client is never taken and the
 * connection closes once the follower gives up on its leader. A follower that answered from its
 * own session table would hand the client a session and drop it a moment later: kazoo, which
 * reads its ChildrenWatch's children again on every reconnection, then reports a state twice.
 */
async function reconnectWithoutLeader(ensemble: RunningEnsemble): Promise<string> {
  const leader = await ensemble.waitForLeader();
  const follower = ensemble.members.find((m) => m !== leader)!;
  const first = await RawSession.connect(follower.server.port, { timeoutMs: SESSION_TIMEOUT_MS });
  first.drop();
  await pauseProcess(leader.server.pid!);
  try {
    const again = await RawSession.connect(follower.server.port, { timeoutMs: SESSION_TIMEOUT_MS, sessionId: first.sessionId, passwd: first.passwd }).catch(
      (err: Error) => err.message,
    );
    if (typeof again === "string") return again;
    again.drop();
    return again.timeOut > 0 ? "session taken" : "session expired";
  } finally {
    resumeProcess(leader.server.pid!);
  }
}

async function observe(kind: Kind) {
  const ensemble = await (kind === "zkts" ? startZktsEnsemble : startReferenceEnsemble)(ENSEMBLE);
  try {
    const dies = await leaderDies(ensemble);
    const away = await changesWhileAway(dies.survivors[0]!, dies.survivors[1]!);
    await dies.killed.server.restart();
    const back = await followerComesBack(ensemble);
    const withoutLeader = await reconnectWithoutLeader(ensemble);
    return { leaderDies: dies.transcript, changesWhileAway: away, followerComesBack: back, reconnectWithoutLeader: withoutLeader };
  } finally {
    await ensemble.cleanup();
  }
}

const NOTIFY = "(zxid -1)";

describe("watches of a session that moves between ensemble members", () => {
  it.each(["reference", "zkts"] as const)(
    "%s: one event per change wherever the session moved, and no session from a follower whose leader is gone",
    async (kind) => {
      const seen = await observe(kind);
      observed.set(kind, seen);
      expect(seen.leaderDies).toEqual([
        "leader: create /kids",
        "leader: getChildren /kids watch → []",
        "survivor: setWatches data [] exist [] child [/kids]",
        "survivor: getChildren /kids watch → []",
        `survivor: event NodeChildrenChanged /kids ${NOTIFY}`,
        "survivor: getChildren /kids watch → [x]",
        `survivor: event NodeChildrenChanged /kids ${NOTIFY}`,
        "survivor: create /kids/y",
        "survivor: getChildren /kids watch → [x, y]",
        `survivor: event NodeChildrenChanged /kids ${NOTIFY}`,
        "survivor: delete /kids/x",
        "survivor: getChildren /kids → [y]",
        "survivor: sync",
      ]);
      expect(seen.changesWhileAway).toEqual([
        "first: sync",
        "first: getData /away watch",
        "first: exists /away-born watch → NONODE",
        "first: getChildren /away watch → []",
        // SetWatches fires what changed after relativeZxid at once, in the order of its lists.
        `second: event NodeDataChanged /away ${NOTIFY}`,
        `second: event NodeCreated /away-born ${NOTIFY}`,
        `second: event NodeChildrenChanged /away ${NOTIFY}`,
        "second: setWatches data [/away] exist [/away-born] child [/away]",
        "second: sync",
        "second: getData /away watch",
        "second: exists /away-born watch → NONODE",
        "second: getChildren /away watch → [x, y]",
        // Nothing changed after the zxid the session had seen: the watches are armed, not fired.
        "third: setWatches data [/away] exist [/away-born] child [/away]",
        "third: sync",
        `third: event NodeChildrenChanged /away ${NOTIFY}`,
        `third: event NodeDataChanged /away ${NOTIFY}`,
        `third: event NodeCreated /away-born ${NOTIFY}`,
        "third: sync",
      ]);
      expect(seen.followerComesBack).toEqual([
        "follower: create /back",
        "follower: getChildren /back watch → []",
        // x was created while the follower elected and synced, after the zxid the session had seen.
        `follower again: event NodeChildrenChanged /back ${NOTIFY}`,
        "follower again: setWatches data [] exist [] child [/back]",
        "follower again: getChildren /back watch → [x]",
        `follower again: event NodeChildrenChanged /back ${NOTIFY}`,
        "follower again: create /back/y",
        "follower again: sync",
      ]);
      expect(seen.reconnectWithoutLeader).toBe("closed during handshake");
    },
    180_000,
  );

  it("zkts sent what ZooKeeper 3.8 sent", () => {
    expect(observed.get("zkts")).toBeDefined();
    expect(observed.get("zkts")).toEqual(observed.get("reference"));
  });
});
