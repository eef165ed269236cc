import type { SimRandom } from "../../sim/random.js";
import type { ToxicAction, ToxicKind } from "./types.js";
import { emit, waitUntil } from "./types.js";

/**
 * Cuts each chunk into slices of about `average_size` bytes (± `size_variation`), sent
 * `delay` µs apart. A chunk is halved, the cut moved by up to ± size_variation, until every
 * piece is within size_variation of the average, so slices vary evenly through the chunk.
 */
export const slicer: ToxicKind = {
  attributeNames: ["average_size", "size_variation", "delay"],
  create(attributes, random) {
    const averageBytes = Math.max(1, attributes.average_size ?? 0);
    const variationBytes = Math.max(0, attributes.size_variation ?? 0);
    const delayMs = (attributes.delay ?? 0) / 1000;
    return {
      plan(item, { nowMs }) {
        if (item.kind === "end") return [emit(item)];
        const cuts = sliceOffsets(0, item.data.length, averageBytes, variationBytes, random);
        const actions: ToxicAction[] = [];
        let atMs = nowMs;
        for (let i = 0; i + 1 < cuts.length; i++) {
          actions.push(waitUntil(atMs), emit({ ...item, data: item.data.subarray(cuts[i], cuts[i + 1]) }));
          atMs += delayMs;
        }
        // Upstream pauses after the last slice too, before it takes the next chunk.
        actions.push(waitUntil(atMs));
        return actions;
      },
    };
  },
};

/** Offsets from start to end, first and last included. */
function sliceOffsets(start: number, end: number, averageBytes: number, variationBytes: number, random: SimRandom): number[] {
  if (end - start - averageBytes <= variationBytes) return [start, end];
  let middle = start + Math.floor((end - start) / 2);
  if (variationBytes > 0) middle += random.below(variationBytes * 2) - variationBytes;
  // Keep both halves non-empty whatever the attributes, so the recursion always ends.
  middle = Math.min(end - 1, Math.max(start + 1, middle));
  const left = sliceOffsets(start, middle, averageBytes, variationBytes, random);
  return [...left, ...sliceOffsets(middle, end, averageBytes, variationBytes, random).slice(1)];
}
