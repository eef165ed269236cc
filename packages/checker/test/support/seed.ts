// Seeds for randomized tests: CHECKER_SEED reproduces a run; otherwise a fresh seed is drawn
// and printed so a failure can be replayed.
export function testSeed(name: string): number {
  const fromEnv = process.env.CHECKER_SEED;
  const seed = fromEnv !== undefined ? Number(fromEnv) : (Date.now() ^ (process.pid << 8)) >>> 0;
  console.log(`${name}: seed ${seed} (rerun with CHECKER_SEED=${seed})`);
  return seed;
}
