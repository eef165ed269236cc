// fast-check arbitraries for small, arbitrary (often non-linearizable) histories.
import fc from "fast-check";
import type { Operation } from "../../src/index.js";

export interface OpShape {
  f: string;
  input: unknown;
  output: unknown;
}

const value = fc.integer({ min: 0, max: 2 });
const maybeNil = fc.option(value, { nil: null });

export const shapes: Record<string, fc.Arbitrary<OpShape>> = {
  "cas-register": fc.oneof(
    maybeNil.map((output) => ({ f: "read", input: null, output })),
    value.map((v) => ({ f: "write", input: v, output: v })),
    fc.tuple(maybeNil, value).map(([a, b]) => ({ f: "cas", input: [a, b], output: [a, b] })),
  ),
  "zk-register": fc.oneof(
    fc.tuple(maybeNil, fc.integer({ min: 0, max: 3 })).map(([data, version]) => ({ f: "getData", input: null, output: { data, version } })),
    fc.tuple(value, fc.integer({ min: -1, max: 3 }), fc.boolean(), fc.integer({ min: 1, max: 3 })).map(([data, version, refused, now]) => ({
      f: "setData",
      input: { data, version },
      output: refused ? { error: "BADVERSION" } : { version: now },
    })),
  ),
  kv: fc.oneof(
    fc.constantFrom("", "a", "ab", "b", "ba").map((output) => ({ f: "get", input: null, output })),
    fc.constantFrom("a", "b").map((v) => ({ f: "put", input: v, output: null })),
    fc.constantFrom("a", "b").map((v) => ({ f: "append", input: v, output: null })),
  ),
  set: fc.oneof(
    value.map((v) => ({ f: "add", input: v, output: null })),
    fc.uniqueArray(value, { maxLength: 3 }).map((output) => ({ f: "read", input: null, output })),
  ),
  queue: fc.oneof(
    value.map((v) => ({ f: "enqueue", input: v, output: null })),
    maybeNil.map((output) => ({ f: "dequeue", input: null, output })),
  ),
  mutex: fc.constantFrom({ f: "acquire", input: null, output: null }, { f: "release", input: null, output: null }),
};

/** Up to `max` ops with random intervals, statuses, processes and keys. */
export function smallHistory(shape: fc.Arbitrary<OpShape>, max: number, keys: number): fc.Arbitrary<Operation[]> {
  const op = fc.record({
    shape,
    start: fc.integer({ min: 0, max: 12 }),
    length: fc.integer({ min: 0, max: 6 }),
    status: fc.constantFrom("ok", "ok", "ok", "ok", "fail", "unknown"),
    process: fc.integer({ min: 0, max: 2 }),
    key: fc.integer({ min: 0, max: keys - 1 }),
  });
  return fc.array(op, { minLength: 1, maxLength: max }).map((items) =>
    items.map((item, id): Operation => {
      const unknown = item.status === "unknown";
      return {
        id,
        process: item.process,
        f: item.shape.f,
        key: `k${item.key}`,
        input: item.shape.input,
        output: unknown ? undefined : item.shape.output,
        status: item.status as Operation["status"],
        call: item.start,
        ret: unknown ? Infinity : item.start + item.length,
        invokeIndex: -1,
        completeIndex: -1,
      };
    }),
  );
}
