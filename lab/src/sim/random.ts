import { SeededRng } from "@zkts/server";

/** The simulation's only source of randomness: everything a run does follows from its seed. */
export class SimRandom {
  private readonly rng: SeededRng;

  constructor(readonly seed: number) {
    this.rng = new SeededRng(seed);
  }

  uint32(): number {
    return this.rng.nextUint32();
  }

  /** An integer in [0, bound). */
  below(bound: number): number {
    return Math.floor((this.uint32() / 0x100000000) * bound);
  }

  /** An integer in [low, high]. */
  between(low: number, high: number): number {
    return low + this.below(high - low + 1);
  }

  chance(probability: number): boolean {
    return this.uint32() / 0x100000000 < probability;
  }

  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new Error("pick from an empty list");
    return items[this.below(items.length)] as T;
  }

  /** An independent generator (for one member's core), so adding a draw here does not shift theirs. */
  fork(): SimRandom {
    return new SimRandom(this.uint32() | 0);
  }
}
