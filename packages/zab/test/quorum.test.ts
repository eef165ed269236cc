import { describe, expect, it } from "vitest";
import { MajorityQuorumVerifier, QuorumTracker, type Rng, SeededRng, ZabAssertionError, randomBelow } from "../src/index.js";

// The second implementation, deliberately naive: count voters one by one, and try
// every acknowledged zxid as a candidate commit point.
function naiveContainsQuorum(voters: readonly number[], ids: readonly number[]): boolean {
  let count = 0;
  for (const v of voters) if (ids.includes(v)) count += 1;
  return count * 2 > voters.length;
}

function naiveQuorumZxid(voters: readonly number[], acked: ReadonlyMap<number, bigint>): bigint {
  let best = -1n;
  for (const candidate of acked.values()) {
    const reached = voters.filter((v) => (acked.get(v) ?? -1n) >= candidate);
    if (reached.length * 2 > voters.length && candidate > best) best = candidate;
  }
  return best;
}

function randomConfig(rng: Rng): { voters: number[]; observers: number[] } {
  const ids = Array.from({ length: 1 + randomBelow(rng, 9) }, (_, i) => i + 1 + randomBelow(rng, 3) * 10);
  const unique = [...new Set(ids)];
  const voters = unique.filter((_, i) => i === 0 || randomBelow(rng, 4) !== 0);
  const observers = unique.filter((id) => !voters.includes(id));
  return { voters, observers };
}

function randomSubset(rng: Rng, pool: readonly number[]): number[] {
  // Include strangers and duplicates too: both must be ignored.
  const out = pool.filter(() => randomBelow(rng, 2) === 0);
  if (randomBelow(rng, 3) === 0) out.push(99);
  if (out.length > 0 && randomBelow(rng, 3) === 0) out.push(out[0] as number);
  return out;
}

describe("MajorityQuorumVerifier agrees with a naive count", () => {
  it("containsQuorum on 5000 random configurations and subsets", () => {
    const rng = new SeededRng(20260101);
    for (let i = 0; i < 5000; i++) {
      const { voters, observers } = randomConfig(rng);
      const q = new MajorityQuorumVerifier(voters, observers);
      const subset = randomSubset(rng, [...voters, ...observers]);
      expect(q.containsQuorum(subset), `voters=${voters} subset=${subset}`).toBe(naiveContainsQuorum(voters, subset));
    }
  });

  it("quorumZxid on 5000 random acknowledgement maps", () => {
    const rng = new SeededRng(7);
    for (let i = 0; i < 5000; i++) {
      const { voters, observers } = randomConfig(rng);
      const q = new MajorityQuorumVerifier(voters, observers);
      const acked = new Map<number, bigint>();
      for (const id of randomSubset(rng, [...voters, ...observers])) acked.set(id, (BigInt(randomBelow(rng, 6)) << 32n) | BigInt(randomBelow(rng, 4)));
      expect(q.quorumZxid(acked), `voters=${voters} acked=${[...acked]}`).toBe(naiveQuorumZxid(voters, acked));
    }
  });

  it("quorum sizes: 1 of 1, 2 of 3, 3 of 4, 3 of 5, 4 of 7; observers never count", () => {
    expect([1, 3, 4, 5, 7].map((n) => new MajorityQuorumVerifier(Array.from({ length: n }, (_, i) => i + 1)).quorumSize)).toEqual([1, 2, 3, 3, 4]);
    const q = new MajorityQuorumVerifier([1, 2, 3], [4, 5, 6]);
    expect(q.containsQuorum([1, 4, 5, 6])).toBe(false);
    expect(q.containsQuorum([1, 2])).toBe(true);
  });

  it("rejects configurations that make quorum arithmetic meaningless", () => {
    expect(() => new MajorityQuorumVerifier([])).toThrow(ZabAssertionError);
    expect(() => new MajorityQuorumVerifier([1, 1, 2])).toThrow(ZabAssertionError);
    expect(() => new MajorityQuorumVerifier([1, 2], [2])).toThrow(ZabAssertionError);
  });
});

describe("QuorumTracker needs every configuration in play (reconfiguration)", () => {
  it("agrees with the naive count applied to both configurations", () => {
    const rng = new SeededRng(99);
    for (let i = 0; i < 3000; i++) {
      const a = randomConfig(rng);
      const b = randomConfig(rng);
      const t = new QuorumTracker([new MajorityQuorumVerifier(a.voters, a.observers, 1n), new MajorityQuorumVerifier(b.voters, b.observers, 2n)]);
      const subset = randomSubset(rng, [...a.voters, ...b.voters]);
      expect(t.containsQuorum(subset)).toBe(naiveContainsQuorum(a.voters, subset) && naiveContainsQuorum(b.voters, subset));
      const acked = new Map<number, bigint>();
      for (const id of subset) acked.set(id, BigInt(randomBelow(rng, 10)));
      const expected = [naiveQuorumZxid(a.voters, acked), naiveQuorumZxid(b.voters, acked)].reduce((x, y) => (x < y ? x : y));
      expect(t.quorumZxid(acked)).toBe(expected);
    }
  });
});
