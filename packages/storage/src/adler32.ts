/**
 * Adler-32 (RFC 1950), the checksum ZooKeeper uses for log entries and snapshot seals
 * (java.util.zip.Adler32). node:zlib exposes crc32 but not adler32, so it lives here.
 *
 * The sums are reduced modulo 65521 only every NMAX bytes: NMAX = 5552 is the largest run for
 * which `b` cannot exceed 2^32 - 1 starting from values below the modulus, and JavaScript
 * numbers stay exact far beyond that, so the inner loop is plain additions.
 */
const MOD = 65521;
const NMAX = 5552;

/** Continues a running Adler-32 value over `bytes[start, end)`. Start from 1. */
export function adler32Update(adler: number, bytes: Uint8Array, start = 0, end = bytes.length): number {
  let a = adler & 0xffff;
  let b = (adler >>> 16) & 0xffff;
  let i = start;
  while (i < end) {
    const stop = Math.min(i + NMAX, end);
    // Eight bytes a step: over x0..x7, a gains their sum and b gains 8a + 8x0 + 7x1 + ... + x7,
    // the same sums as byte by byte in a third less time (the log checksums every entry).
    for (; i + 8 <= stop; i += 8) {
      const x0 = bytes[i]!;
      const x1 = bytes[i + 1]!;
      const x2 = bytes[i + 2]!;
      const x3 = bytes[i + 3]!;
      const x4 = bytes[i + 4]!;
      const x5 = bytes[i + 5]!;
      const x6 = bytes[i + 6]!;
      const x7 = bytes[i + 7]!;
      b += 8 * (a + x0) + 7 * x1 + 6 * x2 + 5 * x3 + 4 * x4 + 3 * x5 + 2 * x6 + x7;
      a += x0 + x1 + x2 + x3 + x4 + x5 + x6 + x7;
    }
    for (; i < stop; i++) {
      a += bytes[i]!;
      b += a;
    }
    a %= MOD;
    b %= MOD;
  }
  return ((b << 16) | a) >>> 0;
}

/** Adler-32 of a whole byte run, as an unsigned 32-bit number. */
export function adler32(bytes: Uint8Array, start = 0, end = bytes.length): number {
  return adler32Update(1, bytes, start, end);
}

/** An incremental Adler-32, fed as bytes are written or read (the snapshot seal). */
export class Adler32 {
  private value = 1;

  update(bytes: Uint8Array, start = 0, end = bytes.length): void {
    this.value = adler32Update(this.value, bytes, start, end);
  }

  /** The checksum so far, as Java's `Checksum.getValue()` returns it: a non-negative long. */
  digest(): bigint {
    return BigInt(this.value);
  }
}
