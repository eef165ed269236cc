// Seeded pseudo-random numbers. Code that needs randomness takes a `Random` argument so a
// run is reproducible from its seed.

export type Random = () => number;

/** mulberry32: small, fast, good enough for test-data generation. Returns floats in [0, 1). */
export function seededRandom(seed: number): Random {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function randomInt(random: Random, limitExclusive: number): number {
  return Math.floor(random() * limitExclusive);
}
