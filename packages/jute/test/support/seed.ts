/**
 * Seeds for randomized tests. Each test file takes one seed, prints it, and passes it to
 * fast-check and to the chunking generator, so any failure reruns exactly with
 * `JUTE_TEST_SEED=<seed> npx vitest run <file>`.
 */
export function testSeed(label: string): number {
  const fromEnv = process.env.JUTE_TEST_SEED;
  const seed = fromEnv !== undefined && fromEnv !== "" ? Number(fromEnv) >>> 0 : (Date.now() ^ (process.pid << 10)) >>> 0;
  console.log(`[${label}] seed=${seed} (rerun with JUTE_TEST_SEED=${seed})`);
  return seed;
}

/** mulberry32: a tiny deterministic generator for choices fast-check does not drive. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let x = state;
    x = Math.imul(x ^ (x >>> 15), x | 1);
    x ^= x + Math.imul(x ^ (x >>> 7), x | 61);
    return ((x ^ (x >>> 14)) >>> 0) / 4294967296;
  };
}

/** Number of fast-check runs per property; JUTE_TEST_RUNS raises it for a longer soak. */
export const numRuns: number = Number(process.env.JUTE_TEST_RUNS ?? 200);
