import { describe, expect, it } from "vitest";
import { bridge, cut, isolate, majoritiesRing, oneWayDeaf, randomHalves } from "../src/nemesis/grudges.js";
import { SimRandom } from "../src/sim/random.js";

/** Who each member still hears (itself included) under a grudge. */
function hearing(members: number[], grudge: [number, number][]): Map<number, Set<number>> {
  const out = new Map(members.map((m) => [m, new Set(members)]));
  for (const [receiver, sender] of grudge) out.get(receiver)!.delete(sender);
  return out;
}

const five = [1, 2, 3, 4, 5];

describe("partition shapes", () => {
  it("cut silences both directions between the two sides and nothing inside a side", () => {
    const h = hearing(five, cut([1, 2], [3, 4, 5]));
    expect([...h.get(1)!]).toEqual([1, 2]);
    expect([...h.get(4)!]).toEqual([3, 4, 5]);
  });

  it.each([1, 2, 3, 4, 5, 6, 7, 8])("random halves leave a majority and a minority (seed %i)", (seed) => {
    const h = hearing(five, randomHalves(five, new SimRandom(seed)));
    const sizes = [...h.values()].map((s) => s.size).sort();
    expect(sizes).toEqual([2, 2, 3, 3, 3]);
  });

  it("isolate leaves one member alone and the rest whole", () => {
    const h = hearing(five, isolate(3, five));
    expect([...h.get(3)!]).toEqual([3]);
    expect(h.get(1)!.size).toBe(4);
  });

  it.each([1, 2, 3, 4])("majorities ring: every member hears a majority, no two the same one (seed %i)", (seed) => {
    const h = hearing(five, majoritiesRing(five, new SimRandom(seed)));
    const views = [...h.values()].map((s) => [...s].sort().join(","));
    for (const view of h.values()) expect(view.size).toBe(3);
    expect(new Set(views).size).toBe(5);
    // Symmetric: a ring cut is a two-way partition.
    for (const [m, view] of h) for (const other of view) expect(h.get(other)!.has(m)).toBe(true);
  });

  it.each([1, 2, 3])("bridge: one member hears everyone, the two sides do not hear each other (seed %i)", (seed) => {
    const h = hearing(five, bridge(five, new SimRandom(seed)));
    const sizes = [...h.values()].map((s) => s.size).sort();
    expect(sizes).toEqual([3, 3, 3, 3, 5]);
  });

  it("one-way: the receiver hears nobody, everyone still hears it", () => {
    const h = hearing(five, oneWayDeaf(2, five));
    expect([...h.get(2)!]).toEqual([2]);
    for (const m of [1, 3, 4, 5]) expect(h.get(m)!.has(2)).toBe(true);
  });
});
