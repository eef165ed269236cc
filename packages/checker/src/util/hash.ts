// 32-bit hashing used by models (state hashes) and by the search (configuration keys).
// Hashes only speed up lookups; every hash hit is confirmed by a full equality check,
// so a weak hash costs time, never correctness.

/** Murmur3's finalizer: spreads every input bit over the whole 32-bit word. */
export function mix32(x: number): number {
  x ^= x >>> 16;
  x = Math.imul(x, 0x85ebca6b);
  x ^= x >>> 13;
  x = Math.imul(x, 0xc2b2ae35);
  x ^= x >>> 16;
  return x | 0;
}

/** Combines two hashes in an order-dependent way. */
export function combineHash(seed: number, value: number): number {
  return mix32((Math.imul(seed, 31) + value) | 0);
}

export const FNV_OFFSET = 0x811c9dc5 | 0;

/** Continues an FNV-1a hash over more text, so hash(a + b) = fnvContinue(fnvContinue(FNV_OFFSET, a), b). */
export function fnvContinue(h: number, text: string): number {
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h;
}

export function hashString(text: string): number {
  // FNV-1a over UTF-16 code units, then finalized.
  return mix32(fnvContinue(FNV_OFFSET, text));
}

const NULL_HASH = 0x2545f491;
const TRUE_HASH = 0x1b873593;
const FALSE_HASH = 0x3c6ef372;

/** Hash of any JSON-like value, consistent with `valueEquals`. */
export function hashValue(value: unknown): number {
  if (value === null || value === undefined) return NULL_HASH;
  switch (typeof value) {
    case "number":
      return Number.isInteger(value) && value >= -0x80000000 && value <= 0x7fffffff ? mix32(value ^ 0x5bd1e995) : hashString(`n${value}`);
    case "string":
      return hashString(value);
    case "boolean":
      return value ? TRUE_HASH : FALSE_HASH;
    case "bigint":
      return hashString(`b${value}`);
    default:
      break;
  }
  if (Array.isArray(value)) {
    let h = 0x27d4eb2f ^ value.length;
    for (const item of value) h = combineHash(h, hashValue(item));
    return h;
  }
  const record = value as Record<string, unknown>;
  let h = 0x165667b1;
  for (const key of Object.keys(record).sort()) {
    h = combineHash(h, hashString(key));
    h = combineHash(h, hashValue(record[key]));
  }
  return h;
}
