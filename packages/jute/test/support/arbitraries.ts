import fc from "fast-check";
import type { FieldKind, RecordCodec } from "../../src/index.js";
import * as records from "../../src/records.js";

/**
 * fast-check arbitraries derived from a record's schema, so every record, including ones added
 * later, gets round-trip and fuzz coverage without hand-written generators.
 */

const int32 = fc.integer({ min: -0x8000_0000, max: 0x7fff_ffff });
const int64 = fc.bigInt({ min: -(1n << 63n), max: (1n << 63n) - 1n });
// Well-formed Unicode only: a lone surrogate cannot survive UTF-8 in either direction (Java
// replaces it too), so it is not a value a round trip can be asked to keep.
const text = fc.string({ unit: "grapheme", maxLength: 12 });
const bytes = fc.uint8Array({ maxLength: 48 }).map((u) => Buffer.from(u));

export function arbitraryFor(kind: FieldKind): fc.Arbitrary<unknown> {
  switch (kind.tag) {
    case "int":
      return int32;
    case "long":
      return int64;
    case "bool":
      return fc.boolean();
    case "buffer":
      return fc.option(bytes, { nil: null, freq: 5 });
    case "ustring":
      return kind.nullable ? fc.option(text, { nil: null, freq: 5 }) : text;
    case "vector": {
      const list = fc.array(arbitraryFor(kind.of), { maxLength: 4 });
      return kind.nullable ? fc.option(list, { nil: null, freq: 5 }) : list;
    }
    case "record":
      return arbitraryForRecord(kind.record);
  }
}

const cache = new Map<RecordCodec<unknown>, fc.Arbitrary<unknown>>();

export function arbitraryForRecord<T>(codec: RecordCodec<T>): fc.Arbitrary<T> {
  let arb = cache.get(codec as RecordCodec<unknown>);
  if (arb === undefined) {
    const shape: Record<string, fc.Arbitrary<unknown>> = {};
    for (const name of codec.fieldNames) shape[name] = arbitraryFor(codec.fieldsByName[name]!.kind);
    arb = fc.record(shape);
    cache.set(codec as RecordCodec<unknown>, arb);
  }
  return arb as fc.Arbitrary<T>;
}

function isRecordCodec(value: unknown): value is RecordCodec<unknown> {
  return (
    typeof value === "object" &&
    value !== null &&
    typeof (value as RecordCodec<unknown>).decode === "function" &&
    typeof (value as RecordCodec<unknown>).encode === "function" &&
    Array.isArray((value as RecordCodec<unknown>).fieldNames)
  );
}

/** Every record codec exported by records.ts, keyed by export name. */
export const allRecords: [string, RecordCodec<unknown>][] = Object.entries(records as Record<string, unknown>).filter(
  (entry): entry is [string, RecordCodec<unknown>] => isRecordCodec(entry[1]),
);

export { int32, int64, text, bytes };
