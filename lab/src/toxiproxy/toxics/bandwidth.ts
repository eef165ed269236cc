import type { ToxicAction, ToxicKind } from "./types.js";
import { emit, waitUntil } from "./types.js";

/** Bytes in one slice: a big chunk goes out in pieces of 100 ms' worth, as upstream sends it. */
const SLICE_MS = 100;

/** Passes `rate` KB/s (1 KB = 1000 bytes, as upstream counts); rate 0 or less passes freely. */
export const bandwidth: ToxicKind = {
  attributeNames: ["rate"],
  create(attributes) {
    const bytesPerMs = attributes.rate ?? 0; // KB/s is bytes per ms
    // When the link is next free to send; idle time earns no credit.
    let freeAtMs = 0;
    return {
      plan(item, { nowMs }) {
        if (item.kind === "end" || bytesPerMs <= 0) return [emit(item)];
        const sliceBytes = bytesPerMs * SLICE_MS;
        const actions: ToxicAction[] = [];
        freeAtMs = Math.max(freeAtMs, nowMs);
        for (let offset = 0; offset < item.data.length; offset += sliceBytes) {
          const data = item.data.subarray(offset, offset + sliceBytes);
          freeAtMs += data.length / bytesPerMs;
          actions.push(waitUntil(freeAtMs), emit({ ...item, data }));
        }
        return actions;
      },
    };
  },
};
