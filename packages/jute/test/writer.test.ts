import { describe, expect, it } from "vitest";
import { JuteWriter } from "../src/index.js";
import { hex } from "./support/hex.js";

function written(write: (w: JuteWriter) => void, initialSize = 4): Buffer {
  // A tiny initial size makes every test exercise growth too.
  const w = new JuteWriter(initialSize);
  write(w);
  return w.toBuffer();
}

describe("JuteWriter primitives (compared with hand-built bytes)", () => {
  it("writes big-endian int32", () => {
    expect(written((w) => [0, 1, 2147483647, -2147483648, -1].forEach((v) => w.writeInt(v)))).toEqual(hex("00000000 00000001 7fffffff 80000000 ffffffff"));
  });

  it("writes big-endian int64 from bigint", () => {
    expect(written((w) => [0n, 0x1_0000_0002n, 9223372036854775807n, -9223372036854775808n, -1n].forEach((v) => w.writeLong(v)))).toEqual(
      hex("0000000000000000 0000000100000002 7fffffffffffffff 8000000000000000 ffffffffffffffff"),
    );
  });

  it("writes booleans and bytes", () => {
    expect(written((w) => (w.writeBool(false), w.writeBool(true), w.writeByte(0x80), w.writeByte(0xff)))).toEqual(hex("00 01 80 ff"));
  });

  it("writes buffers: content, empty, null", () => {
    expect(written((w) => (w.writeBuffer(Buffer.from("abc")), w.writeBuffer(new Uint8Array(0)), w.writeBuffer(null)))).toEqual(
      hex("00000003 616263 | 00000000 | ffffffff"),
    );
  });

  it("writes ustrings with their UTF-8 byte length, and null as -1", () => {
    expect(written((w) => (w.writeUstring("/é"), w.writeUstring("😀"), w.writeUstring(""), w.writeUstring(null)))).toEqual(
      hex("00000003 2fc3a9 | 00000004 f09f9880 | 00000000 | ffffffff"),
    );
  });

  it("writes raw bytes unprefixed", () => {
    expect(written((w) => w.writeRaw(hex("0102 0304 05")))).toEqual(hex("0102030405"));
  });

  it("fills in frame lengths in place", () => {
    const w = new JuteWriter(2);
    w.beginFrame();
    w.writeInt(7);
    w.writeUstring("ab");
    expect(w.endFrame()).toBe(10);
    w.beginFrame();
    expect(w.endFrame()).toBe(0);
    expect(w.toBuffer()).toEqual(hex("0000000a 00000007 00000002 6162 | 00000000"));
  });

  it("keeps earlier bytes when it grows, and reset starts over", () => {
    const w = new JuteWriter(1);
    const big = Buffer.alloc(10_000, 0xab);
    w.writeInt(1);
    w.writeBuffer(big);
    const out = w.toBuffer();
    expect(out.subarray(0, 8)).toEqual(hex("00000001 00002710"));
    expect(out.subarray(8).equals(big)).toBe(true);
    w.reset();
    w.writeInt(2);
    expect(w.toBuffer()).toEqual(hex("00000002"));
  });

  it("toBuffer copies; view does not", () => {
    const w = new JuteWriter(16);
    w.writeInt(1);
    const copy = w.toBuffer();
    const view = w.view();
    w.reset();
    w.writeInt(2);
    expect(copy).toEqual(hex("00000001"));
    expect(view).toEqual(hex("00000002"));
  });
});
