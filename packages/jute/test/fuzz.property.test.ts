import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  ConnectRequest,
  JuteError,
  JuteReader,
  OpCode,
  TxnHeader,
  readConnectRequest,
  readConnectResponse,
  readMultiRequest,
  readMultiResponse,
  readTxnEntry,
} from "../src/index.js";
import { allRecords, arbitraryForRecord } from "./support/arbitraries.js";
import { numRuns, testSeed } from "./support/seed.js";

const seed = testSeed("fuzz");

/** Runs `decode` and fails the property if it throws anything other than a JuteError. */
function onlyJuteErrors(decode: () => unknown): void {
  try {
    decode();
  } catch (err) {
    if (!(err instanceof JuteError)) {
      throw new Error(`decoder threw ${(err as Error)?.name}: ${(err as Error)?.message}`, { cause: err });
    }
  }
}

const randomBytes = fc.uint8Array({ maxLength: 96 }).map((u) => Buffer.from(u));

/**
 * Valid encodings with a few bytes overwritten and maybe cut short: these get past the first
 * fields, where purely random bytes usually fail at once.
 */
function mutated(valid: fc.Arbitrary<Buffer>): fc.Arbitrary<Buffer> {
  return fc.tuple(valid, fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { maxLength: 4 }), fc.option(fc.nat())).map(([buf, edits, cut]) => {
    const out = Buffer.from(buf);
    for (const [at, byte] of edits) if (out.length > 0) out[at % out.length] = byte;
    return cut === null || out.length === 0 ? out : out.subarray(0, cut % (out.length + 1));
  });
}

/** Small jute ints that steer a decoder into its interesting branches (op types, -1 lengths). */
const interestingInts = [-1, 0, 1, 2, 4, 5, 13, 14, 15, 19, 21, -10, -11, 0x7fffffff, -2];
const structured = fc
  .array(
    fc.oneof(
      fc.constantFrom(...interestingInts).map(int32),
      fc.uint8Array({ maxLength: 6 }).map((u) => Buffer.from(u)),
    ),
    { maxLength: 16 },
  )
  .map((parts) => Buffer.concat(parts));

function int32(v: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeInt32BE(v);
  return b;
}

const anyInput = fc.oneof(randomBytes, structured);

describe("decoders fed arbitrary bytes throw nothing but JuteError", () => {
  for (const [name, codec] of allRecords) {
    it(`${name}.decode (seed ${seed})`, () => {
      const valid = arbitraryForRecord(codec).map((v) => codec.encode(v));
      fc.assert(
        fc.property(fc.oneof(anyInput, mutated(valid)), (buf) => onlyJuteErrors(() => codec.decode(buf, 1024))),
        { seed, numRuns },
      );
    });
  }

  it(`readConnectRequest (seed ${seed})`, () => {
    const valid = fc
      .tuple(arbitraryForRecord(ConnectRequest), fc.option(fc.boolean()))
      .map(([r, ro]) => Buffer.concat([ConnectRequest.encode(r), ro === null ? Buffer.alloc(0) : Buffer.from([ro ? 1 : 0])]));
    fc.assert(
      fc.property(fc.oneof(anyInput, mutated(valid)), (buf) => onlyJuteErrors(() => readConnectRequest(buf))),
      { seed, numRuns },
    );
  });

  it(`readConnectResponse (seed ${seed})`, () => {
    fc.assert(
      fc.property(anyInput, (buf) => onlyJuteErrors(() => readConnectResponse(buf))),
      { seed, numRuns },
    );
  });

  it(`readMultiRequest and readMultiResponse (seed ${seed})`, () => {
    fc.assert(
      fc.property(anyInput, (buf) => {
        onlyJuteErrors(() => readMultiRequest(new JuteReader(buf)));
        onlyJuteErrors(() => readMultiResponse(new JuteReader(buf)));
      }),
      { seed, numRuns: numRuns * 2 },
    );
  });

  it(`readTxnEntry (seed ${seed})`, () => {
    // Prefix a plausible header so bodies of every type, multi included, get exercised.
    const withHeader = fc
      .tuple(arbitraryForRecord(TxnHeader), fc.constantFrom(...Object.values(OpCode)), anyInput)
      .map(([h, type, body]) => Buffer.concat([TxnHeader.encode({ ...h, type }), body]));
    fc.assert(
      fc.property(fc.oneof(anyInput, withHeader), (buf) => onlyJuteErrors(() => readTxnEntry(buf))),
      { seed, numRuns: numRuns * 2 },
    );
  });
});
