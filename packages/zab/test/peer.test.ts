import { describe, expect, it } from "vitest";
import {
  MajorityQuorumVerifier,
  type Message,
  type Notification,
  SeededRng,
  ZabAssertionError,
  ZabPeer,
  makeZxid,
  voteIsBetter,
  QuorumTracker,
} from "../src/index.js";
import { Cluster } from "./support/cluster.js";

const config = new MajorityQuorumVerifier([1, 2, 3], [4]);

function peer(id: number, storage?: ConstructorParameters<typeof ZabPeer>[0]["storage"]): ZabPeer {
  return new ZabPeer({ id, config, rng: new SeededRng(id), ...(storage === undefined ? {} : { storage }) });
}

function notification(from: number, to: number, over: Partial<Notification> = {}): Notification {
  return {
    type: "NOTIFICATION",
    from,
    to,
    state: "LOOKING",
    leader: from,
    zxid: 0n,
    electionEpoch: 1,
    peerEpoch: 0,
    configVersion: 0n,
    ...over,
  };
}

describe("ZabPeer's contract with its caller", () => {
  it("starts LOOKING and asks every other voter, never the observer", () => {
    const r = peer(1).ready();
    expect(r.softState).toEqual({ role: "LOOKING", leader: null, epoch: 0, serving: false });
    expect(r.messages.map((m) => m.to)).toEqual([2, 3]);
    expect(r.messages.every((m) => m.type === "NOTIFICATION" && m.leader === 1)).toBe(true);
  });

  it("refuses a second ready() before advance()", () => {
    const p = peer(1);
    p.ready();
    expect(() => p.ready()).toThrow(ZabAssertionError);
    p.advance();
    expect(() => p.advance()).toThrow(ZabAssertionError);
  });

  it("refuses a message addressed to another peer", () => {
    expect(() => peer(1).step(notification(2, 3))).toThrow(ZabAssertionError);
  });

  it("answers a server outside the configuration in an election, but never takes its vote", () => {
    const p = peer(1);
    p.ready();
    p.advance();
    p.step(notification(9, 1, { leader: 9, zxid: 100n }));
    const r = p.ready();
    // It tells the outsider (a server about to be added) its own vote, unchanged.
    expect(r.messages).toEqual([expect.objectContaining({ type: "NOTIFICATION", to: 9, leader: 1 })]);
    p.advance();
    // Quorum messages from outside the configuration reach only a leader.
    p.step({ type: "ACK", from: 9, to: 1, session: 1, term: 1, seq: 1, zxid: 5n });
    expect(p.hasReady()).toBe(false);
  });

  it("drops proposals and syncs while there is no leader", () => {
    const p = peer(2);
    expect(p.propose(new Uint8Array([1]))).toEqual({ kind: "dropped", reason: "no leader" });
    expect(p.sync(1)).toBe(false);
  });

  it("gives a builder the zxid it assigns, and holds one bound on proposals in flight", () => {
    const cluster = new Cluster({ voters: 3 });
    const leaderOf = () => cluster.ids().find((id) => cluster.node(id).peer?.status().role === "LEADING" && cluster.node(id).peer?.status().serving);
    for (let round = 0; round < 200 && leaderOf() === undefined; round++) {
      for (const id of cluster.ids()) cluster.tick(id);
      for (const id of cluster.ids()) cluster.processReady(id);
      cluster.deliverAll();
    }
    const p = cluster.node(leaderOf()!).peer!;
    const epoch = p.status().epoch;
    const built: bigint[] = [];
    const build = (zxid: bigint) => {
      built.push(zxid);
      return new Uint8Array([1]);
    };
    expect(p.propose(build)).toEqual({ kind: "proposed", zxid: makeZxid(epoch, 1) });
    // Nothing is delivered, so nothing commits: the default bound, 1000, fills up.
    for (let i = 2; i <= 1000; i++) expect(p.propose(build)).toEqual({ kind: "proposed", zxid: makeZxid(epoch, i) });
    expect(p.proposalsFull()).toBe(true);
    expect(p.propose(build)).toEqual({ kind: "dropped", reason: "too many outstanding proposals" });
    // Refused before it was built: nothing was made for a zxid no proposal holds.
    expect(built.length).toBe(1000);
    expect(built[999]).toBe(makeZxid(epoch, 1000));
  });

  it("recovers epochs, log and snapshot point from storage and votes with them", () => {
    const p = peer(3, {
      acceptedEpoch: 4,
      currentEpoch: 3,
      snapshotZxid: makeZxid(3, 2),
      entries: [{ zxid: makeZxid(3, 3), data: new Uint8Array([7]) }],
    });
    const s = p.status();
    expect([s.acceptedEpoch, s.currentEpoch, s.lastZxid, s.commitZxid, s.appliedZxid]).toEqual([4, 3, makeZxid(3, 3), makeZxid(3, 2), makeZxid(3, 2)]);
    const votes = p.ready().messages as Message[];
    expect(votes[0]).toMatchObject({ type: "NOTIFICATION", leader: 3, zxid: makeZxid(3, 3), peerEpoch: 3 });
  });

  it("rejects storage whose currentEpoch is ahead of its acceptedEpoch", () => {
    expect(() => peer(1, { acceptedEpoch: 1, currentEpoch: 2, snapshotZxid: 0n, entries: [] })).toThrow(ZabAssertionError);
  });

  it("answers a LOOKING peer with its better vote when that peer is in an older round", () => {
    const p = peer(3);
    p.step(notification(1, 3, { electionEpoch: 2 })); // moves 3 to round 2, still voting for itself
    p.ready();
    p.advance();
    p.step(notification(2, 3, { electionEpoch: 1 }));
    const r = p.ready();
    expect(r.messages).toEqual([expect.objectContaining({ to: 2, leader: 3, electionEpoch: 2, state: "LOOKING" })]);
  });
});

describe("vote order", () => {
  const tracker = new QuorumTracker([config]);
  it("prefers peerEpoch, then zxid, then server id", () => {
    expect(voteIsBetter(tracker, { leader: 1, zxid: 0n, peerEpoch: 2 }, { leader: 3, zxid: 9n, peerEpoch: 1 })).toBe(true);
    expect(voteIsBetter(tracker, { leader: 1, zxid: 9n, peerEpoch: 1 }, { leader: 3, zxid: 8n, peerEpoch: 1 })).toBe(true);
    expect(voteIsBetter(tracker, { leader: 3, zxid: 8n, peerEpoch: 1 }, { leader: 2, zxid: 8n, peerEpoch: 1 })).toBe(true);
    expect(voteIsBetter(tracker, { leader: 2, zxid: 8n, peerEpoch: 1 }, { leader: 2, zxid: 8n, peerEpoch: 1 })).toBe(false);
  });

  it("never elects an observer, whatever its history", () => {
    expect(voteIsBetter(tracker, { leader: 4, zxid: 99n, peerEpoch: 9 }, { leader: 1, zxid: 0n, peerEpoch: 0 })).toBe(false);
  });
});
