import { describe, expect, it } from "vitest";
import { Framer, JuteError } from "../src/index.js";
import { hex } from "./support/hex.js";
import { seededRandom, testSeed } from "./support/seed.js";

const seed = testSeed("framer");

/** A stream of hand-built frames: empty, short, one whose payload looks like a length, longer. */
const payloads = [hex(""), hex("01"), hex("00000004 deadbeef"), Buffer.alloc(300, 0x5a), hex("ff ff ff ff")];
const stream = Buffer.concat(payloads.flatMap((p) => [lengthPrefix(p.length), p]));

function lengthPrefix(n: number): Buffer {
  // Spelled out rather than written with JuteWriter, to keep the fixture independent of it.
  return Buffer.from([(n >>> 24) & 0xff, (n >>> 16) & 0xff, (n >>> 8) & 0xff, n & 0xff]);
}

function feed(framer: Framer, chunks: Buffer[]): Buffer[] {
  const frames: Buffer[] = [];
  // Copy each frame: the framer may hand out views into chunks.
  for (const chunk of chunks) framer.push(chunk, (f) => frames.push(Buffer.from(f)));
  return frames;
}

describe("Framer", () => {
  it("cuts a stream delivered in one chunk", () => {
    const framer = new Framer();
    expect(feed(framer, [stream])).toEqual(payloads);
    expect(framer.buffered).toBe(0);
  });

  it("cuts the stream split into two at every byte offset", () => {
    for (let cut = 0; cut <= stream.length; cut++) {
      const framer = new Framer();
      const frames = feed(framer, [stream.subarray(0, cut), stream.subarray(cut)]);
      expect(frames, `cut at ${cut}`).toEqual(payloads);
      expect(framer.buffered).toBe(0);
    }
  });

  it("cuts the stream split into three at every pair of offsets around each frame boundary", () => {
    // All pairs would be 100k cases; pairs near the first two frames cover prefix-inside-prefix.
    for (let a = 0; a <= 20; a++) {
      for (let b = a; b <= stream.length; b += b < 30 ? 1 : 37) {
        const frames = feed(new Framer(), [stream.subarray(0, a), stream.subarray(a, b), stream.subarray(b)]);
        expect(frames, `cuts at ${a},${b}`).toEqual(payloads);
      }
    }
  });

  it("cuts the stream fed one byte at a time", () => {
    const chunks = [...stream].map((byte) => Buffer.from([byte]));
    expect(feed(new Framer(), chunks)).toEqual(payloads);
  });

  it(`cuts the stream under random chunkings (seed ${seed})`, () => {
    const random = seededRandom(seed);
    for (let round = 0; round < 300; round++) {
      const chunks: Buffer[] = [];
      let offset = 0;
      while (offset < stream.length) {
        const size = Math.floor(random() * (random() < 0.5 ? 8 : 200));
        chunks.push(stream.subarray(offset, offset + size));
        offset += size;
      }
      expect(feed(new Framer(), chunks), `round ${round}`).toEqual(payloads);
    }
  });

  it("reports bytes held back for an incomplete frame", () => {
    const framer = new Framer();
    expect(feed(framer, [hex("00000003 0102")])).toEqual([]);
    expect(framer.buffered).toBe(6);
    expect(feed(framer, [hex("03 00")])).toEqual([hex("010203")]);
    expect(framer.buffered).toBe(1);
  });

  it("accepts a frame of exactly frameLengthMax", () => {
    const framer = new Framer(4);
    expect(feed(framer, [hex("00000004 01020304")])).toEqual([hex("01020304")]);
  });

  it("rejects an oversized length as soon as the prefix is complete, before the body arrives", () => {
    expect(() => feed(new Framer(4), [hex("00000005")])).toThrow(JuteError);
    expect(() => feed(new Framer(4), [hex("0000"), hex("0005")])).toThrow(/frame length 5 out of range/);
    expect(() => feed(new Framer(), [hex("00100000")])).toThrow(/out of range 0..1048575/);
  });

  it("rejects a negative length, whole or split", () => {
    expect(() => feed(new Framer(), [hex("ffffffff")])).toThrow(JuteError);
    expect(() => feed(new Framer(), [hex("ff"), hex("ff"), hex("ff"), hex("fe")])).toThrow(/frame length -2/);
    // A bad length after a good frame in the same chunk.
    const frames: Buffer[] = [];
    expect(() => new Framer().push(hex("00000001 aa 80000000"), (f) => frames.push(f))).toThrow(JuteError);
    expect(frames).toEqual([hex("aa")]);
  });

  it("rejects a bad length that follows held-back bytes", () => {
    const framer = new Framer(8);
    feed(framer, [hex("00000002 01")]);
    expect(() => feed(framer, [hex("02 0000ffff")])).toThrow(/frame length 65535/);
  });
});
