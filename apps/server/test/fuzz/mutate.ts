import type { FuzzRandom } from "./random.js";

const INTERESTING_INTS = [0, 1, -1, -2, 0x7f, 0x80, 0xff, 0xffff, 0xfffff, 0x100000, 0x7fffffff, -0x80000000, 1 << 24];
const INTERESTING_BYTES = [0x00, 0x01, 0x7f, 0x80, 0xff, 0x2f];

/**
 * One to four mutations of a payload, AFL-style: bit flips, interesting bytes, int32 fields
 * (lengths, counts, opcodes, xids) set to huge or negative values, truncation, junk appended,
 * a range duplicated, and a splice with another frame of the corpus.
 */
export function mutate(r: FuzzRandom, payload: Buffer, corpus: readonly Buffer[]): Buffer {
  let out = Buffer.from(payload);
  const rounds = r.between(1, 4);
  for (let i = 0; i < rounds; i++) out = mutateOnce(r, out, corpus);
  return out;
}

function mutateOnce(r: FuzzRandom, b: Buffer, corpus: readonly Buffer[]): Buffer {
  if (b.length === 0) return r.bytes(r.between(1, 16));
  switch (r.below(8)) {
    case 0: {
      const bits = r.between(1, 8);
      for (let i = 0; i < bits; i++) {
        const at = r.below(b.length);
        b[at] = b[at]! ^ (1 << r.below(8));
      }
      return b;
    }
    case 1:
      b[r.below(b.length)] = r.pick(INTERESTING_BYTES);
      return b;
    case 2:
    case 3: {
      // Length and count fields sit on 4-byte boundaries in most records; try those first.
      if (b.length < 4) return b;
      const at = r.chance(0.7) ? r.below(Math.floor(b.length / 4)) * 4 : r.below(b.length - 3);
      b.writeInt32BE(r.chance(0.8) ? r.pick(INTERESTING_INTS) : r.int32(), at);
      return b;
    }
    case 4:
      return b.subarray(0, r.below(b.length));
    case 5:
      return Buffer.concat([b, r.bytes(r.between(1, 32))]);
    case 6: {
      const start = r.below(b.length);
      const end = r.between(start, Math.min(b.length, start + 256));
      const copies = r.chance(0.1) ? r.between(10, 500) : 1;
      const piece = b.subarray(start, end);
      return Buffer.concat([b.subarray(0, end), ...Array.from({ length: copies }, () => piece), b.subarray(end)]);
    }
    default: {
      if (corpus.length === 0) return Buffer.concat([b, b.subarray(r.below(b.length))]);
      const other = r.pick(corpus);
      return Buffer.concat([b.subarray(0, r.below(b.length + 1)), other.subarray(r.below(other.length + 1))]);
    }
  }
}
