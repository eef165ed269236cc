import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { JuteWriter, OpCode, readTxnEntry, TxnHeader, CreateTxn, TxnDigest } from "@zkts/jute";
import { describe, expect, it } from "vitest";
import { StorageError, TxnLogAppender, scanLogFile, versionDir } from "../src/index.js";
import { firstNonZero } from "../src/log-reader.js";
import { createTxn, txnRange, withTempDir } from "./support/fixtures.js";

/**
 * Builds a one-entry log byte by byte from the format description, without the production
 * encoder, so the writer cannot confirm its own mistakes.
 */
function handBuiltLog(): Buffer {
  const entry = createTxn(0x100000001n, "/hand");
  const w = new JuteWriter();
  TxnHeader.write(w, entry.header);
  CreateTxn.write(w, (entry.body as { txn: CreateTxn }).txn);
  TxnDigest.write(w, entry.digest!);
  const txnBytes = w.toBuffer();
  // Adler-32 by its definition.
  let a = 1;
  let b = 0;
  for (const byte of txnBytes) {
    a = (a + byte) % 65521;
    b = (b + a) % 65521;
  }
  const header = Buffer.from([0x5a, 0x4b, 0x4c, 0x47, 0, 0, 0, 2, 0, 0, 0, 0, 0, 0, 0, 0]);
  const prefix = Buffer.alloc(12);
  prefix.writeUInt32BE(0, 0);
  prefix.writeUInt32BE(((b << 16) | a) >>> 0, 4);
  prefix.writeInt32BE(txnBytes.length, 8);
  return Buffer.concat([header, prefix, txnBytes, Buffer.from([0x42])]);
}

async function writeLog(dir: string, count: number, preAllocSize = 0): Promise<string> {
  const appender = await TxnLogAppender.open({ dataLogDir: dir, preAllocSize });
  await Promise.all(txnRange(1n, count).map((t) => appender.append(t)));
  await appender.close();
  return join(versionDir(dir), "log.1");
}

describe("log file format", () => {
  it("writes exactly the bytes of the format, entry after header, no padding when preallocation is off", async () => {
    await withTempDir(async (dir) => {
      const appender = await TxnLogAppender.open({ dataLogDir: dir, preAllocSize: 0 });
      await appender.append(createTxn(0x100000001n, "/hand"));
      await appender.close();
      const written = await readFile(join(versionDir(dir), "log.100000001"));
      expect(written.equals(handBuiltLog())).toBe(true);
    });
  });

  it("reads a hand-built log back, decoding header, record and digest", () => {
    const scan = scanLogFile("hand", handBuiltLog());
    expect(scan.tail).toEqual({ kind: "clean" });
    expect(scan.dbid).toBe(0n);
    expect(scan.entries).toHaveLength(1);
    const entry = readTxnEntry(scan.entries[0]!.txnBytes);
    expect(entry.header.zxid).toBe(0x100000001n);
    expect(entry.header.type).toBe(OpCode.create);
    expect(entry.digest).toEqual({ version: 2, treeDigest: 0x100000001n * 7919n });
  });

  it("preallocates in steps of preAllocSize with zeros, and the zero length ends the log", async () => {
    await withTempDir(async (dir) => {
      const path = await writeLog(dir, 50, 64 * 1024);
      const bytes = await readFile(path);
      expect(bytes.length).toBe(64 * 1024);
      const scan = scanLogFile(path, bytes);
      expect(scan.entries.map((e) => e.zxid)).toEqual(txnRange(1n, 50).map((t) => t.header.zxid));
      expect(scan.tail).toEqual({ kind: "clean" });
      expect(scan.dirtyTail).toBe(false);
      expect(bytes.subarray(scan.validEnd).every((b) => b === 0)).toBe(true);
    });
  });

  it("grows by another step when the entries come within 4 KiB of the end", async () => {
    await withTempDir(async (dir) => {
      const path = await writeLog(dir, 400, 16 * 1024);
      const bytes = await readFile(path);
      const scan = scanLogFile(path, bytes);
      expect(scan.entries).toHaveLength(400);
      expect(bytes.length % (16 * 1024)).toBe(0);
      expect(bytes.length - scan.validEnd).toBeGreaterThanOrEqual(4096);
      expect(bytes.length - scan.validEnd).toBeLessThan(4096 + 16 * 1024);
    });
  });
});

/**
 * Damage to each region of an entry, at the tail (a crash in the middle of the last write:
 * truncate, keep the rest) and in the middle with intact entries after it (refuse, naming
 * the file and offset).
 */
describe("torn and corrupt logs", () => {
  const COUNT = 5;
  let original: Buffer;
  let offsets: number[];

  async function load(): Promise<void> {
    if (original !== undefined) return;
    await withTempDir(async (dir) => {
      original = await readFile(await writeLog(dir, COUNT, 0));
    });
    offsets = scanLogFile("log.1", original).entries.map((e) => e.offset);
  }

  const region = {
    checksum: (entry: number) => offsets[entry]! + 5,
    length: (entry: number) => offsets[entry]! + 10,
    body: (entry: number) => offsets[entry]! + 12 + 20,
    trailer: (entry: number) => (entry + 1 < COUNT ? offsets[entry + 1]! : original.length) - 1,
  } as const;
  type Region = keyof typeof region;
  const regions = Object.keys(region) as Region[];

  function flip(at: number): Buffer {
    const copy = Buffer.from(original);
    copy[at] = copy[at]! ^ 0x5a;
    return copy;
  }

  it("a file cut inside its header holds no entries and is flagged as a torn header", async () => {
    await load();
    for (const size of [0, 1, 8, 15]) {
      const scan = scanLogFile("log.1", original.subarray(0, size));
      expect(scan.tail.kind).toBe("tornHeader");
      expect(scan.entries).toHaveLength(0);
    }
    const zeros = scanLogFile("log.1", Buffer.alloc(4096));
    expect(zeros.tail.kind).toBe("tornHeader");
  });

  it("a damaged header is an error at offset 0 (magic) or 4 (version)", async () => {
    await load();
    expect(() => scanLogFile("log.1", flip(1))).toThrow(/log\.1: invalid log magic .* at byte offset 0/);
    expect(() => scanLogFile("log.1", flip(7))).toThrow(/log\.1: unsupported log version .* at byte offset 4/);
  });

  it.each(regions)("truncating the last entry inside its %s keeps the entries before it", async (name) => {
    await load();
    const last = COUNT - 1;
    const cut = region[name](last);
    for (const end of [cut, cut + 1].filter((e) => e < original.length)) {
      const scan = scanLogFile("log.1", original.subarray(0, end));
      expect(scan.entries).toHaveLength(COUNT - 1);
      expect(scan.validEnd).toBe(offsets[last]);
      expect(scan.tail.kind).toBe("torn");
      expect(scan.dirtyTail).toBe(true);
    }
  });

  it.each(regions)("corrupting the last entry's %s is a torn tail, also when zero padding follows", async (name) => {
    await load();
    const damaged = flip(region[name](COUNT - 1));
    for (const bytes of [damaged, Buffer.concat([damaged, Buffer.alloc(8192)])]) {
      const scan = scanLogFile("log.1", bytes);
      expect(scan.entries).toHaveLength(COUNT - 1);
      expect(scan.validEnd).toBe(offsets[COUNT - 1]);
      expect(scan.tail.kind).toBe("torn");
    }
  });

  it.each(regions)("corrupting a middle entry's %s is an error naming the file and the entry's offset", async (name) => {
    await load();
    const damaged = flip(region[name](2));
    let error: unknown;
    try {
      scanLogFile("/data/version-2/log.1", damaged);
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(StorageError);
    expect((error as StorageError).code).toBe("CORRUPT");
    expect((error as Error).message).toContain("/data/version-2/log.1");
    expect((error as Error).message).toContain(`at byte offset ${offsets[2]}`);
    expect((error as Error).message).toMatch(/intact entry at byte offset \d+/);
  });

  it("a zeroed-out middle entry followed by intact entries is an error, not an end of log", async () => {
    await load();
    const damaged = Buffer.from(original);
    damaged.fill(0, offsets[2], offsets[3]);
    expect(() => scanLogFile("log.1", damaged)).toThrow(new RegExp(`zero-length entry .* at byte offset ${offsets[2]}`));
  });

  it("garbage after the zero length, with no intact entry in it, is a torn tail", async () => {
    await load();
    const withGarbage = Buffer.concat([original, Buffer.alloc(100), Buffer.from("not an entry at all")]);
    const scan = scanLogFile("log.1", withGarbage);
    expect(scan.entries).toHaveLength(COUNT);
    expect(scan.tail.kind).toBe("torn");
    expect(scan.dirtyTail).toBe(true);
    expect(scan.validEnd).toBe(original.length);
  });

  it("every single-byte cut of the file yields a prefix of the entries and never throws", async () => {
    await load();
    for (let end = 16; end <= original.length; end++) {
      const scan = scanLogFile("log.1", original.subarray(0, end));
      const whole = offsets.filter((o, i) => (i + 1 < COUNT ? offsets[i + 1]! : original.length) <= end).length;
      expect(scan.entries).toHaveLength(whole);
    }
  });
});

describe("firstNonZero", () => {
  it("finds the first non-zero byte across chunk boundaries", () => {
    const bytes = Buffer.alloc(200_000);
    expect(firstNonZero(bytes, 0)).toBe(-1);
    for (const at of [0, 1, 65_535, 65_536, 131_071, 199_999]) {
      bytes[at] = 7;
      expect(firstNonZero(bytes, 0)).toBe(at);
      expect(firstNonZero(bytes, at + 1)).toBe(-1);
      bytes[at] = 0;
    }
  });
});
