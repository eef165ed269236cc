import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { encodeLogHeader, encodeTxnBytes, frameLogEntry, nodeFs, scanLogFile } from "../src/index.js";
import { readLogFile } from "../src/log-file-reader.js";
import { createTxn, seededRandom, testSeed, withTempDir } from "./support/fixtures.js";

/** What a scan decided, or the error it threw, in a form `toEqual` compares. */
async function outcome(scan: () => Promise<ReturnType<typeof scanLogFile>>) {
  try {
    const s = await scan();
    return {
      dbid: s.dbid,
      validEnd: s.validEnd,
      dirtyTail: s.dirtyTail,
      tail: s.tail,
      entries: s.entries.map((e) => ({ offset: e.offset, zxid: e.zxid, hex: e.txnBytes.toString("hex") })),
    };
  } catch (err) {
    return { error: (err as Error).message };
  }
}

function logBytes(dataSizes: number[]): Buffer {
  const parts = [encodeLogHeader()];
  dataSizes.forEach((size, i) => {
    const txnBytes = encodeTxnBytes(createTxn(BigInt(i + 1), `/n${i}`, "d".repeat(size)));
    const framed = Buffer.alloc(txnBytes.length + 13);
    frameLogEntry(txnBytes, framed, 0);
    parts.push(framed);
  });
  return Buffer.concat(parts);
}

/**
 * The reader that reads a log in chunks and skips over its zero padding must decide every file
 * exactly as the scan of the whole file does: the same entries, end, tail and errors.
 */
describe("readLogFile", () => {
  it("agrees with scanLogFile on clean, padded, torn, damaged and stray-byte files", async () => {
    const seed = testSeed("log file reader");
    const random = seededRandom(seed);
    const MiB = 1024 * 1024;
    await withTempDir(async (dir) => {
      for (let round = 0; round < 40; round++) {
        // Entries around the 1 MiB read size, one larger than it, and many small ones.
        const sizes = Array.from({ length: 1 + Math.floor(random() * 30) }, () =>
          random() < 0.1 ? Math.floor(random() * 1.5 * MiB) : Math.floor(random() * 400),
        );
        let bytes = logBytes(sizes);
        const padding = [0, 10, 4096, 3 * MiB][Math.floor(random() * 4)]!;
        bytes = Buffer.concat([bytes, Buffer.alloc(padding)]);
        const damage = Math.floor(random() * 6);
        const at = Math.floor(random() * bytes.length);
        if (damage === 1) bytes = bytes.subarray(0, at); // torn anywhere, even in the header
        if (damage === 2 && bytes.length > 0) bytes[at] = bytes[at]! ^ 0x5a; // a flipped byte
        if (damage === 3 && padding > 0) bytes[bytes.length - 1 - Math.floor(random() * padding)] = 7; // stray byte in the padding
        if (damage === 4) bytes = Buffer.alloc(Math.floor(random() * 64)); // zeros only, or shorter than a header
        const path = join(dir, `log.${round + 1}`);
        await writeFile(path, bytes);
        const context = `seed ${seed} round ${round} damage ${damage} at ${at}`;
        const expected = await outcome(async () => scanLogFile(path, await readFile(path)));
        expect(await outcome(() => readLogFile(nodeFs, path)), context).toEqual(expected);
      }
    });
  });

  it("reads a clean preallocated log without its padding and finds every entry", async () => {
    await withTempDir(async (dir) => {
      const path = join(dir, "log.1");
      const entries = logBytes([10, 20, 30]);
      await writeFile(path, Buffer.concat([entries, Buffer.alloc(5 * 1024 * 1024)]));
      const scan = await readLogFile(nodeFs, path);
      expect(scan.entries.map((e) => e.zxid)).toEqual([1n, 2n, 3n]);
      expect(scan.validEnd).toBe(entries.length);
      expect(scan.tail).toEqual({ kind: "clean" });
      expect(scan.dirtyTail).toBe(false);
    });
  });
});
