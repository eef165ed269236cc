import type { SimRandom } from "../sim/random.js";

/**
 * A partition as Jepsen writes it: for each member, the members whose traffic it no longer
 * receives. Stored as [receiver, sender] pairs so a schedule file reads plainly.
 */
export type Grudge = [receiver: number, sender: number][];

/** Every member of `a` and every member of `b` stop hearing each other. */
export function cut(a: readonly number[], b: readonly number[]): Grudge {
  const grudge: Grudge = [];
  for (const x of a) {
    for (const y of b) {
      if (x === y) continue;
      grudge.push([x, y], [y, x]);
    }
  }
  return grudge;
}

/** Two halves, the smaller one a minority. */
export function randomHalves(members: readonly number[], random: SimRandom): Grudge {
  const shuffled = shuffle(members, random);
  const minority = shuffled.slice(0, Math.floor(members.length / 2));
  return cut(minority, shuffled.slice(minority.length));
}

/** One member alone. */
export function isolate(member: number, members: readonly number[]): Grudge {
  return cut(
    [member],
    members.filter((m) => m !== member),
  );
}

/**
 * Two halves that both see one bridge member: the bridge can reach a majority on either side
 * and a leader may form on each side of it.
 */
export function bridge(members: readonly number[], random: SimRandom): Grudge {
  const shuffled = shuffle(members, random);
  const bridgeMember = shuffled[0]!;
  const rest = shuffled.slice(1);
  const half = Math.floor(rest.length / 2);
  return cut(rest.slice(0, half), rest.slice(half)).filter(([r, s]) => r !== bridgeMember && s !== bridgeMember);
}

/**
 * Every member sees a majority (itself and its neighbours on a ring), but no two see the
 * same one (Jepsen's majorities-ring; exact for 5 members, and for 3 it is no partition).
 */
export function majoritiesRing(members: readonly number[], random: SimRandom): Grudge {
  const ring = shuffle(members, random);
  const n = ring.length;
  // Neighbours within `reach` on both sides, with the member itself, make a majority.
  const reach = Math.ceil(Math.floor(n / 2) / 2);
  const grudge: Grudge = [];
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      const distance = Math.min((i - j + n) % n, (j - i + n) % n);
      if (distance > reach) grudge.push([ring[i]!, ring[j]!]);
    }
  }
  return grudge;
}

/** `receiver` stops hearing from everyone else, while its own messages still go out. */
export function oneWayDeaf(receiver: number, members: readonly number[]): Grudge {
  return members.filter((m) => m !== receiver).map((sender) => [receiver, sender]);
}

function shuffle<T>(items: readonly T[], random: SimRandom): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = random.below(i + 1);
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}
