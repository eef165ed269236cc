/**
 * The fuzzer's only source of randomness: splitmix32 from one seed, so a run that found
 * something replays exactly with FUZZ_SEED=<seed> (the worker streams are derived from it).
 */
export class FuzzRandom {
  private state: number;

  constructor(readonly seed: number) {
    this.state = seed >>> 0;
  }

  /** A generator of its own for one worker, so workers' interleaving does not change their inputs. */
  fork(stream: number): FuzzRandom {
    return new FuzzRandom((Math.imul(this.seed ^ 0x5bd1e995, 31) + Math.imul(stream + 1, 0x9e3779b9)) >>> 0);
  }

  uint32(): number {
    this.state = (this.state + 0x9e3779b9) >>> 0;
    let z = this.state;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
    return (z ^ (z >>> 16)) >>> 0;
  }

  /** An integer in [0, bound). */
  below(bound: number): number {
    return Math.floor((this.uint32() / 0x100000000) * bound);
  }

  /** An integer in [min, max]. */
  between(min: number, max: number): number {
    return min + this.below(max - min + 1);
  }

  chance(p: number): boolean {
    return this.uint32() / 0x100000000 < p;
  }

  pick<T>(items: readonly T[]): T {
    return items[this.below(items.length)]!;
  }

  int32(): number {
    return this.uint32() | 0;
  }

  int64(): bigint {
    return BigInt.asIntN(64, (BigInt(this.uint32()) << 32n) | BigInt(this.uint32()));
  }

  bytes(length: number): Buffer {
    const out = Buffer.allocUnsafe(length);
    for (let i = 0; i < length; i += 4) {
      const word = this.uint32();
      out[i] = word;
      if (i + 1 < length) out[i + 1] = word >>> 8;
      if (i + 2 < length) out[i + 2] = word >>> 16;
      if (i + 3 < length) out[i + 3] = word >>> 24;
    }
    return out;
  }
}

/** FUZZ_SEED replays one run; otherwise a fresh seed, which the caller prints. */
export function fuzzSeed(): number {
  const fixed = process.env.FUZZ_SEED;
  if (fixed !== undefined && fixed !== "") {
    const seed = Number(fixed);
    if (!Number.isInteger(seed)) throw new Error(`FUZZ_SEED must be an integer, not ${fixed}`);
    return seed >>> 0;
  }
  return Math.floor(Math.random() * 0x100000000);
}

/** FUZZ_SECONDS stretches every fuzzing phase (the `npm run fuzz` script sets it); else `defaultSeconds`. */
export function fuzzSeconds(defaultSeconds: number): number {
  const value = Number(process.env.FUZZ_SECONDS ?? "");
  return Number.isFinite(value) && value > 0 ? value : defaultSeconds;
}
