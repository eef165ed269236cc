import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { JuteError, JuteReader, JuteWriter } from "../src/index.js";
import { allRecords, arbitraryForRecord } from "./support/arbitraries.js";
import { numRuns, testSeed } from "./support/seed.js";

const seed = testSeed("records");

describe("every record in records.ts", () => {
  it("is discovered (the list is derived from the module's exports)", () => {
    const names = allRecords.map(([name]) => name);
    // Spot checks that discovery works; the round trips below cover whatever is exported.
    for (const expected of ["Stat", "ConnectRequest", "CreateRequest", "WatcherEvent", "QuorumPacket", "MultiTxn", "WhoAmIResponse"]) {
      expect(names).toContain(expected);
    }
    expect(allRecords.length).toBeGreaterThanOrEqual(60);
    for (const [name, codec] of allRecords) expect(codec.name, `export ${name}`).toBe(name);
  });

  for (const [name, codec] of allRecords) {
    describe(name, () => {
      it(`decode(encode(x)) = x and encoding is canonical (seed ${seed})`, () => {
        fc.assert(
          fc.property(arbitraryForRecord(codec), (value) => {
            const encoded = codec.encode(value);
            expect(encoded.length).toBeGreaterThanOrEqual(codec.sizeMin);
            const decoded = codec.decode(encoded);
            expect(decoded).toEqual(value);
            expect(codec.encode(decoded).equals(encoded)).toBe(true);
          }),
          { seed, numRuns },
        );
      });

      it("reads and writes through a shared reader/writer at an offset", () => {
        fc.assert(
          fc.property(arbitraryForRecord(codec), arbitraryForRecord(codec), (a, b) => {
            const w = new JuteWriter(8);
            w.writeInt(0x11223344);
            codec.write(w, a);
            codec.write(w, b);
            const r = new JuteReader(w.toBuffer());
            expect(r.readInt()).toBe(0x11223344);
            expect(codec.read(r)).toEqual(a);
            expect(codec.read(r)).toEqual(b);
            expect(r.remaining).toBe(0);
          }),
          { seed, numRuns: Math.ceil(numRuns / 4) },
        );
      });

      it("rejects every truncation and trailing bytes with JuteError", () => {
        fc.assert(
          fc.property(arbitraryForRecord(codec), (value) => {
            const encoded = codec.encode(value);
            for (let cut = 0; cut < encoded.length; cut++) {
              expect(() => codec.decode(encoded.subarray(0, cut))).toThrow(JuteError);
            }
            expect(() => codec.decode(Buffer.concat([encoded, Buffer.from([0])]))).toThrow(JuteError);
          }),
          { seed, numRuns: Math.ceil(numRuns / 4) },
        );
      });
    });
  }
});
