import { assert } from "./assert.js";

/**
 * The only source of randomness the core uses (session ids, resend jitter). The caller
 * passes it in so that a simulation replays from one seed. A peer restarted from disk
 * must get a generator that does not repeat the previous incarnation's sequence,
 * otherwise it could reuse a session id that stale messages still carry.
 */
export interface Rng {
  /** A uniformly distributed integer in [0, 2^32). */
  nextUint32(): number;
}

/** splitmix32: small, fast, and good enough for test schedules and session ids. */
export class SeededRng implements Rng {
  private state: number;

  constructor(seed: number) {
    assert(Number.isInteger(seed), `seed must be an integer: ${seed}`);
    this.state = seed >>> 0;
  }

  nextUint32(): number {
    this.state = (this.state + 0x9e3779b9) >>> 0;
    let z = this.state;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
    return (z ^ (z >>> 16)) >>> 0;
  }
}

/** An integer in [0, bound). */
export function randomBelow(rng: Rng, bound: number): number {
  assert(Number.isInteger(bound) && bound > 0 && bound <= 0x100000000, `bad bound: ${bound}`);
  return Math.floor((rng.nextUint32() / 0x100000000) * bound);
}

/** A positive 52-bit integer: session ids, where a collision must be astronomically unlikely. */
export function randomId(rng: Rng): number {
  const high = rng.nextUint32() & 0xfffff;
  return high * 0x100000000 + rng.nextUint32() + 1;
}
