import { describe, expect, it } from "vitest";
import { JUTE_MAX_BUFFER_DEFAULT, JuteError, JuteReader } from "../src/index.js";
import { hex } from "./support/hex.js";

const reader = (text: string, maxBuffer?: number) => {
  const buf = hex(text);
  return new JuteReader(buf, 0, buf.length, maxBuffer);
};

describe("JuteReader primitives (hand-built bytes)", () => {
  it("reads big-endian int32 across the signed range", () => {
    const r = reader("00000000 00000001 7fffffff 80000000 ffffffff fffffffe");
    expect([r.readInt(), r.readInt(), r.readInt(), r.readInt(), r.readInt(), r.readInt()]).toEqual([0, 1, 2147483647, -2147483648, -1, -2]);
    expect(r.remaining).toBe(0);
  });

  it("reads big-endian int64 as bigint without losing precision", () => {
    const r = reader("0000000000000000 0000000100000002 7fffffffffffffff 8000000000000000 ffffffffffffffff 001fffffffffffff 0020000000000001");
    expect(r.readLong()).toBe(0n);
    expect(r.readLong()).toBe(0x1_0000_0002n);
    expect(r.readLong()).toBe(9223372036854775807n);
    expect(r.readLong()).toBe(-9223372036854775808n);
    expect(r.readLong()).toBe(-1n);
    expect(r.readLong()).toBe(9007199254740991n);
    expect(r.readLong()).toBe(9007199254740993n);
  });

  it("reads booleans as one byte, any non-zero byte being true (as Java's readBoolean)", () => {
    const r = reader("00 01 02 ff");
    expect([r.readBool(), r.readBool(), r.readBool(), r.readBool()]).toEqual([false, true, true, true]);
  });

  it("reads bytes unsigned", () => {
    const r = reader("00 7f 80 ff");
    expect([r.readByte(), r.readByte(), r.readByte(), r.readByte()]).toEqual([0, 127, 128, 255]);
  });

  it("reads buffers: content, empty, and -1 as null", () => {
    const r = reader("00000003 616263 | 00000000 | ffffffff");
    expect(r.readBuffer()).toEqual(Buffer.from("abc"));
    expect(r.readBuffer()).toEqual(Buffer.alloc(0));
    expect(r.readBuffer()).toBeNull();
    expect(r.remaining).toBe(0);
  });

  it("copies buffers so they outlive the frame they came from", () => {
    const buf = hex("00000002 0102");
    const value = new JuteReader(buf).readBuffer()!;
    buf.fill(0);
    expect(value).toEqual(Buffer.from([1, 2]));
  });

  it("lends views of the frame instead, when asked to", () => {
    const buf = hex("00000002 0102 ffffffff");
    const r = new JuteReader(buf, 0, buf.length, JUTE_MAX_BUFFER_DEFAULT, true);
    const value = r.readBuffer()!;
    expect(value).toEqual(Buffer.from([1, 2]));
    expect(r.readBuffer()).toBeNull();
    buf[4] = 9;
    expect(value[0]).toBe(9);
  });

  it("reads UTF-8 ustrings, with length in bytes, not characters", () => {
    // "/é" is 3 bytes; "😀" is 4 bytes (one surrogate pair in JS).
    const r = reader("00000003 2fc3a9 | 00000004 f09f9880 | 00000000");
    expect(r.readUstring()).toBe("/é");
    expect(r.readUstring()).toBe("😀");
    expect(r.readUstring()).toBe("");
  });

  it("returns null for a -1 optional ustring and rejects it where a ustring is required", () => {
    expect(reader("ffffffff").readOptUstring()).toBeNull();
    expect(() => reader("ffffffff").readUstring()).toThrow(JuteError);
  });

  it("reads vector counts, -1 meaning null", () => {
    expect(reader("00000002 00000000 00000000").readVectorCount(4)).toBe(2);
    expect(reader("ffffffff").readVectorCount(4)).toBe(-1);
    expect(reader("00000000").readVectorCount(4)).toBe(0);
  });

  it("honours offset and end: reads a window of a larger buffer", () => {
    const buf = hex("ffffffff 0000002a ffffffff");
    const r = new JuteReader(buf, 4, 8);
    expect(r.readInt()).toBe(42);
    expect(() => r.readInt()).toThrow(JuteError);
  });
});

describe("JuteReader bounds", () => {
  const truncated: [string, string, (r: JuteReader) => unknown][] = [
    ["int", "000000", (r) => r.readInt()],
    ["long", "00000000000000", (r) => r.readLong()],
    ["bool", "", (r) => r.readBool()],
    ["byte", "", (r) => r.readByte()],
    ["buffer length", "000000", (r) => r.readBuffer()],
    ["buffer body", "00000004 010203", (r) => r.readBuffer()],
    ["ustring body", "00000005 2f61", (r) => r.readUstring()],
    ["vector count", "0000", (r) => r.readVectorCount(4)],
  ];
  for (const [what, bytes, read] of truncated) {
    it(`throws JuteError on a truncated ${what}`, () => {
      expect(() => read(reader(bytes))).toThrow(JuteError);
    });
  }

  it("does not move past the end after a failed read", () => {
    const r = reader("000000");
    expect(() => r.readInt()).toThrow(JuteError);
    expect(r.offset).toBe(0);
  });

  it("rejects negative lengths other than -1", () => {
    expect(() => reader("fffffffe").readBuffer()).toThrow(/negative buffer length -2/);
    expect(() => reader("80000000").readOptUstring()).toThrow(/negative ustring length/);
    expect(() => reader("fffffffe").readVectorCount(1)).toThrow(/negative vector count -2/);
  });

  it("rejects lengths over jute.maxbuffer before looking for the bytes", () => {
    expect(() => reader("00000011", 16).readBuffer()).toThrow(/exceeds jute.maxbuffer 16/);
    expect(() => reader("00000011", 16).readUstring()).toThrow(/exceeds jute.maxbuffer 16/);
    // Exactly maxBuffer is allowed.
    const atLimit = Buffer.concat([hex("00000004"), Buffer.from("abcd")]);
    expect(new JuteReader(atLimit, 0, atLimit.length, 4).readBuffer()).toEqual(Buffer.from("abcd"));
    expect(JUTE_MAX_BUFFER_DEFAULT).toBe(0xfffff);
    expect(() => reader("00100000").readBuffer()).toThrow(/exceeds jute.maxbuffer 1048575/);
  });

  it("rejects a vector count larger than the bytes left could hold", () => {
    // Two 4-byte elements need 8 bytes; only 7 remain.
    expect(() => reader("00000002 00000000 000000").readVectorCount(4)).toThrow(/vector count 2 exceeds/);
    // A huge count must fail before anything is allocated.
    expect(() => reader("7fffffff 00").readVectorCount(1)).toThrow(JuteError);
  });

  it("skips ustrings and longs with the checks and errors of reading them", () => {
    const r = reader("00000003 616263 0000000000000007 00000000 01");
    r.skipUstring();
    expect(r.offset).toBe(7);
    r.skipLong();
    expect(r.offset).toBe(15);
    r.skipUstring();
    expect(r.offset).toBe(19);
    expect(() => r.skipLong()).toThrow("truncated long: need 8 bytes at offset 19, 1 remain");
    for (const bytes of ["ffffffff", "00000005 6162", "fffffffe"]) {
      let readError = "";
      try {
        reader(bytes).readUstring();
      } catch (err) {
        readError = (err as Error).message;
      }
      expect(readError).not.toBe("");
      expect(() => reader(bytes).skipUstring()).toThrow(readError);
    }
  });
});
