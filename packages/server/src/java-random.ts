/**
 * java.util.Random's linear congruential generator. ZooKeeper derives a session's password
 * from `new Random(sessionId ^ 0xB3415C00L).nextBytes(16)`, so the password can be recomputed
 * from the id after a restart instead of being stored; zkts does the same.
 */
const MULTIPLIER = 0x5deece66dn;
const ADDEND = 0xbn;
const MASK = (1n << 48n) - 1n;

export class JavaRandom {
  private seed: bigint;

  constructor(seed: bigint) {
    this.seed = (BigInt.asUintN(64, seed) ^ MULTIPLIER) & MASK;
  }

  private next(bits: number): number {
    this.seed = (this.seed * MULTIPLIER + ADDEND) & MASK;
    return Number(BigInt.asIntN(32, this.seed >> BigInt(48 - bits)));
  }

  nextInt(): number {
    return this.next(32);
  }

  nextBytes(length: number): Buffer {
    const out = Buffer.alloc(length);
    for (let i = 0; i < length;) {
      let rnd = this.nextInt();
      for (let n = Math.min(length - i, 4); n-- > 0; rnd >>= 8) out[i++] = rnd & 0xff;
    }
    return out;
  }
}

export function sessionPassword(sessionId: bigint): Buffer {
  return new JavaRandom(sessionId ^ 0xb3415c00n).nextBytes(16);
}
