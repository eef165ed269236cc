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
