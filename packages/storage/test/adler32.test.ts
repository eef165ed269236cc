import { deflateSync } from "node:zlib";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { Adler32, adler32, adler32Update } from "../src/adler32.js";
import { testSeed } from "./support/fixtures.js";

/** The definition, one modulo per byte: slow but obviously right. */
function adler32Slow(bytes: Uint8Array): number {
  let a = 1;
  let b = 0;
  for (const byte of bytes) {
    a = (a + byte) % 65521;
    b = (b + a) % 65521;
  }
  return ((b << 16) | a) >>> 0;
}

/** zlib's deflate stream ends with the Adler-32 of its input: an independent oracle. */
function adler32FromZlib(bytes: Uint8Array): number {
  const z = deflateSync(bytes, { level: 0 });
  return z.readUInt32BE(z.length - 4);
}

describe("adler32", () => {
  it("matches published vectors", () => {
    expect(adler32(Buffer.alloc(0))).toBe(1);
    expect(adler32(Buffer.from("a"))).toBe(0x00620062);
    expect(adler32(Buffer.from("abc"))).toBe(0x024d0127);
    expect(adler32(Buffer.from("Wikipedia"))).toBe(0x11e60398);
    expect(adler32(Buffer.from("message digest"))).toBe(0x29750586);
    expect(adler32(Buffer.from("abcdefghijklmnopqrstuvwxyz"))).toBe(0x90860b20);
  });

  it("stays exact past the lazy-modulo window on worst-case bytes", () => {
    const ones = Buffer.alloc(100_000, 0xff);
    expect(adler32(ones)).toBe(adler32Slow(ones));
    expect(adler32(ones)).toBe(adler32FromZlib(ones));
  });

  it("agrees with the definition and with zlib on random input, whole or in pieces", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 20_000 }), fc.nat(), (bytes, cutSeed) => {
        const whole = adler32(bytes);
        expect(whole).toBe(adler32Slow(bytes));
        expect(whole).toBe(adler32FromZlib(bytes));
        const cut = bytes.length === 0 ? 0 : cutSeed % bytes.length;
        expect(adler32Update(adler32(bytes, 0, cut), bytes, cut)).toBe(whole);
        const running = new Adler32();
        running.update(bytes.subarray(0, cut));
        running.update(bytes.subarray(cut));
        expect(running.digest()).toBe(BigInt(whole));
      }),
      { numRuns: 60, seed: testSeed("adler32 property") },
    );
  });
});
