import { describe, expect, it } from "vitest";
import { Stat } from "../src/index.js";
import { hex } from "./support/hex.js";

// A Stat as the wire carries it, built by hand: czxid 0x100000002, mzxid 0x100000003, ctime and
// mtime 1700000000123 ms, version 4, cversion 5, aversion 6, an ephemeral owner with the top
// bit set (a session id of server 0x81), dataLength 7, numChildren 8, pzxid 0x100000009.
const WIRE = hex(
  "0000000100000002 0000000100000003 0000018bcfe5687b 0000018bcfe5687b 00000004 00000005 00000006 8100000000000abc 00000007 00000008 0000000100000009",
);

describe("Stat as JSON", () => {
  it("stringifies a decoded Stat: times as numbers, 64-bit ids as exact decimal strings", () => {
    const stat = Stat.decode(WIRE);
    expect(JSON.parse(JSON.stringify(stat))).toEqual({
      czxid: "4294967298",
      mzxid: "4294967299",
      ctime: 1700000000123,
      mtime: 1700000000123,
      version: 4,
      cversion: 5,
      aversion: 6,
      ephemeralOwner: "-9151314442816845124",
      dataLength: 7,
      numChildren: 8,
      pzxid: "4294967305",
    });
    expect(JSON.stringify({ nested: [stat] })).toContain('"ctime":1700000000123');
  });

  it("keeps toJSON out of the value's own keys, so copies and comparisons are unchanged", () => {
    const stat = Stat.decode(WIRE);
    expect(Object.keys(stat)).toHaveLength(11);
    expect(stat).toEqual({ ...stat });
    expect(Stat.encode(stat).equals(WIRE)).toBe(true);
  });
});
